package dump

import (
	"fmt"
	"strings"
)

// resolveViews takes the views' placeholder tables out of the import.
// dumpling and mydumper write a view as {db}.{view}-schema-view.sql (the
// CREATE VIEW) plus {db}.{view}-schema.sql, a CREATE TABLE with the view's
// columns that only lets views over views be created in any order. TiDB
// Lightning creates the placeholder and lets the view file drop it; no
// table of that name is left, so none is imported here. As in Lightning
// (mdLoaderSetup: "invalid view schema file, miss host table schema for
// view"), a view without its placeholder is an error; so are data files
// for a view, which no table would receive.
func resolveViews(d *Dump, tables map[string]*Table, dbs map[string]*Database, router *Router) error {
	for i := range d.Views {
		v := &d.Views[i]
		db, name := router.Route(v.DB, v.Name)
		if rdb, ok := dbs[strings.ToLower(db)]; ok {
			db = rdb.Name // the schema-create file's spelling
		}
		v.DB, v.Name = db, name
		k := key(db, name)
		t, ok := tables[k]
		if !ok || t.SchemaFile == "" {
			return fmt.Errorf("view schema file %s: no placeholder table schema %s.%s-schema.sql for view %s.%s (dumpling and mydumper write one with every view)",
				v.SchemaFile, v.DB, v.Name, v.DB, v.Name)
		}
		if len(t.DataFiles) > 0 {
			return fmt.Errorf("%s: data file of %s.%s, which is a view (%s): a view holds no rows", t.DataFiles[0].Path, db, name, v.SchemaFile)
		}
		delete(tables, k)
	}
	return nil
}
