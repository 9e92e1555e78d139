package producer

import (
	"fmt"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// viewDefinitions reads the dump's views for the first table's manifest.
// Each file must hold a CREATE VIEW TiDB's parser reads (TiDB Lightning
// refuses the import otherwise): checked here, so the error names the
// file before anything is imported.
func viewDefinitions(cfg Config, st storage.Storage, views []dump.View) ([]*lsv1.ViewDefinition, error) {
	var out []*lsv1.ViewDefinition
	for _, v := range views {
		b, err := dump.ReadSchemaFileIn(st, v.SchemaFile, cfg.Source.CharacterSet)
		if err != nil {
			return nil, err
		}
		if _, err := tablemodel.ParseView(v.DB, v.Name, string(b)); err != nil {
			return nil, fmt.Errorf("view schema file %s of %s.%s: %w", v.SchemaFile, v.DB, v.Name, err)
		}
		rel, err := st.Rel(v.SchemaFile)
		if err != nil {
			rel = v.SchemaFile
		}
		out = append(out, &lsv1.ViewDefinition{Db: v.DB, Name: v.Name, File: rel, SchemaSql: string(b)})
	}
	return out, nil
}
