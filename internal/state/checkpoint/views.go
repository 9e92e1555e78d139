package checkpoint

import "strings"

// View is a view of the import, kept apart from the tables: it holds no
// rows and no table is imported for it. The coordinator creates it after
// every table (through TiDB with --tidb); on the embedded catalog, which has
// no SQL layer to run a query, its definition is only kept here.
type View struct {
	DB   string `json:"db"`
	Name string `json:"view"`
	// File is the dump's {db}.{view}-schema-view.sql, relative to the dump.
	File string `json:"file"`
	// Definition is the CREATE VIEW statement, naming db.view.
	Definition string `json:"definition"`
	// Status is Done once created in TiDB, Skipped when only recorded
	// (Reason says why), Failed with Reason.
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// FindView returns the view db.name (names compared as MySQL compares
// table names, case-insensitively), nil when the import has none.
func (s *State) FindView(db, name string) *View {
	for _, v := range s.Views {
		if strings.EqualFold(v.DB, db) && strings.EqualFold(v.Name, name) {
			return v
		}
	}
	return nil
}
