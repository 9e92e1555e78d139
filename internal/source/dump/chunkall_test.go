package dump

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestMakeTablesChunks: cutting the files of several tables concurrently
// gives each table exactly MakeChunks's chunks (IDs, boundaries, row-ID
// ranges in file order), and the error of the first failing table in
// order, whatever finishes first.
func TestMakeTablesChunks(t *testing.T) {
	dir := t.TempDir()
	sqlFile := func(name string, rows int) DataFile {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO `t` (`a`,`b`) VALUES\n")
		for i := 0; i < rows; i++ {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "(%d,'%s')", i, tricky[i%len(tricky)])
		}
		b.WriteString(";\n")
		return writeFile(t, dir, name, b.String())
	}
	var tables []*Table
	for ti := 0; ti < 4; ti++ {
		tb := &Table{DB: "db", Name: fmt.Sprintf("t%d", ti)}
		for fi := 0; fi < 3; fi++ {
			tb.DataFiles = append(tb.DataFiles, sqlFile(fmt.Sprintf("db.t%d.%d.sql", ti, fi), 50+ti*40+fi*17))
		}
		tables = append(tables, tb)
	}
	opts := func() []ChunkOptions {
		o := make([]ChunkOptions, len(tables))
		for i := range o {
			o[i] = ChunkOptions{ChunkSize: 300, Columns: 2}
		}
		return o
	}
	all, err := MakeTablesChunks(tables, opts(), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, tb := range tables {
		want, err := MakeChunks(tb, ChunkOptions{ChunkSize: 300, Columns: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 4 {
			t.Fatalf("table %s: only %d chunks, the test wants several per file", tb.Name, len(want))
		}
		for j := range want {
			want[j].Opener, all[i][j].Opener = nil, nil // funcs never compare equal
		}
		if !reflect.DeepEqual(all[i], want) {
			t.Errorf("table %s: concurrent chunks differ from MakeChunks's", tb.Name)
		}
	}
	// Tables 1 and 3 fail: table 1's error is the one, whatever order the
	// files were scanned in.
	for _, ti := range []int{3, 1} {
		bad := tables[ti].DataFiles[2]
		if err := os.Remove(bad.Path); err != nil {
			t.Fatal(err)
		}
	}
	_, err = MakeTablesChunks(tables, opts(), 4)
	var te *TableChunksError
	if !errors.As(err, &te) || te.Table != tables[1] || !strings.HasPrefix(err.Error(), "make chunks of db.t1: ") {
		t.Fatalf("err = %v, want table db.t1's", err)
	}
}
