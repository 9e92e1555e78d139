package parquet

import (
	"os"
	"path/filepath"
	"testing"

	pqgo "github.com/parquet-go/parquet-go"
)

// writeFile writes rows (one value per schema field, nil for NULL, in the
// schema's field order) with the library, and returns the path.
func writeFile(t testing.TB, dir, name string, root pqgo.Group, rows [][]any, opts ...pqgo.WriterOption) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schema := pqgo.NewSchema("t", root)
	w := pqgo.NewWriter(f, append([]pqgo.WriterOption{schema}, opts...)...)
	fields := schema.Fields()
	for _, r := range rows {
		row := make(pqgo.Row, len(fields))
		for i, fld := range fields {
			def := 0
			if fld.Optional() {
				def = 1
			}
			var v pqgo.Value
			switch x := r[i].(type) {
			case nil:
				v = pqgo.NullValue().Level(0, 0, i)
				row[i] = v
				continue
			case pqgo.Value:
				v = x
			default:
				v = pqgo.ValueOf(x)
			}
			row[i] = v.Level(0, def, i)
		}
		if _, err := w.WriteRows([]pqgo.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
