package tidbcatalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// CreateView implements coordinator.ViewCreator as TiDB Lightning's
// SchemaImporter.importViews does: a view that already exists is left as
// it is (a resumed import, or a target prepared by hand); otherwise the
// statements of the view's schema file run in one session, in the view's
// database (an unqualified name in its query is a table of that
// database): the DROP TABLE/VIEW IF EXISTS of the placeholder, the
// session settings and the CREATE VIEW, each naming db.view.
func (c *TiDB) CreateView(ctx context.Context, v *tablemodel.View) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	rs, err := s.Query(ctx, "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = "+quoteString(v.DB)+
		" AND TABLE_NAME = "+quoteString(v.Name))
	if err != nil {
		return fmt.Errorf("look for view %s: %w", tableName(v.DB, v.Name), err)
	}
	for i := range rs.Rows {
		if name, ok := rs.Cell(i, "TABLE_NAME"); ok && strings.EqualFold(name, v.Name) {
			return nil
		}
	}
	for _, q := range append([]string{"USE " + quoteName(v.DB)}, v.Statements...) {
		if err := s.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", clip(q), err)
		}
	}
	return nil
}
