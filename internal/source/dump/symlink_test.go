package dump

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

// TestScanSymlinkedDataFile: a data file that is a symbolic link is read
// through the link to the end of its target (its size is the target's,
// not the link's), and a dangling link is an error naming the file.
func TestScanSymlinkedDataFile(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	// A target much longer than its path, so that the link's own size
	// (the path's length) would cut it.
	var b strings.Builder
	b.WriteString("INSERT INTO t VALUES ")
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("(1,'some text to make the file long')")
	}
	b.WriteString(";\n")
	target := filepath.Join(elsewhere, "data.sql")
	for name, body := range map[string]string{"db-schema-create.sql": "CREATE DATABASE db;\n", "db.t-schema.sql": "CREATE TABLE t (a INT, b TEXT);\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(target, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "db.t.000000000.sql")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	d, err := Scan(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table("db", "t")
	if tb == nil || len(tb.DataFiles) != 1 || tb.DataFiles[0].Size != int64(b.Len()) {
		t.Fatalf("table %+v: want one data file of %d bytes", tb, b.Len())
	}
	chunks, err := MakeChunks(tb, ChunkOptions{ChunkSize: 1 << 20, Columns: 2, CSV: rowparse.DefaultCSVOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if rows := readChunks(t, chunks, rowparse.DefaultCSVOptions()); len(rows) != 200 {
		t.Fatalf("read %d rows through the link, want 200", len(rows))
	}

	if err := os.Remove(target); err != nil {
		t.Fatal(err)
	}
	_, err = Scan(dir, nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("dangling link: %v", err)
	}
}
