package coordinator

import (
	"context"
	"fmt"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Catalog creates the import's databases and tables in the target and
// returns each table's model with the ids the target assigned. The store
// catalog (StoreCatalog, the default) builds the model from the dump's DDL
// with IDs from the store's own allocator; EmbeddedCatalog with the ID the
// coordinator passes (a store without transactions); a cluster catalog
// (TiDB) runs the DDL and reads the TableInfo back.
type Catalog interface {
	// CreateTable creates m's table; tableID is the id to use where the
	// catalog assigns ids itself. Warnings are for the user.
	CreateTable(ctx context.Context, m *lsv1.TableManifest, tableID int64) (t *tablemodel.Table, warnings []string, err error)
	// Name says what kind of catalog this is, for messages.
	Name() string
}

// EmbeddedCatalog keeps table definitions in the import's own records: the
// embedded store has no SQL layer.
type EmbeddedCatalog struct {
	// Options are TiDB's DDL settings to emulate (clustered-index default).
	Options tablemodel.Options
}

// Name implements Catalog.
func (EmbeddedCatalog) Name() string { return "embedded" }

// CreateTable implements Catalog.
func (c EmbeddedCatalog) CreateTable(_ context.Context, m *lsv1.TableManifest, tableID int64) (*tablemodel.Table, []string, error) {
	if strings.TrimSpace(m.SchemaSql) == "" {
		return nil, nil, fmt.Errorf("table %s.%s: the dump has no schema file (%s.%s-schema.sql)", m.Db, m.Table, m.Db, m.Table)
	}
	dbd, err := tablemodel.DatabaseDefaults(m.Db, m.DbSchemaSql)
	if err != nil {
		return nil, nil, err
	}
	t, warns, err := tablemodel.ParseCreateTableWithOptions(m.SchemaSql, dbd, tableID, c.Options)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s.%s: %w", m.Db, m.Table, err)
	}
	// The dump's file names are authoritative for db and table names (the
	// DDL may name the table without its database).
	t.DB, t.Name = m.Db, m.Table
	return t, warns, nil
}
