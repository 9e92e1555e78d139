package dump

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestScanRefusesNonRegularFiles: a directory or a named pipe where a
// table's data or schema file should be stops the scan with an error
// naming it (walking past it would import the table without its rows); a
// symbolic link to a regular data file is read through, with the target's
// size; a directory of another name is walked into as before.
func TestScanRefusesNonRegularFiles(t *testing.T) {
	base := func(t *testing.T) string {
		dir := t.TempDir()
		for name, body := range map[string]string{
			"db-schema-create.sql": "CREATE DATABASE db;",
			"db.t-schema.sql":      "CREATE TABLE t (id INT);",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	for _, c := range []struct {
		name, entry, kind string
		make              func(path string) error
	}{
		{"data file is a directory", "db.t.000000000.sql", "directory", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"compressed data file is a directory", "db.t.000000001.csv.gz", "directory", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"schema file is a directory", "db.u-schema.sql", "directory", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"data file is a named pipe", "db.t.000000002.sql", "named pipe", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"data file links to a directory", "db.t.000000003.sql", "link to a directory", func(p string) error { return os.Symlink(filepath.Dir(p), p) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := base(t)
			path := filepath.Join(dir, c.entry)
			if err := c.make(path); err != nil {
				t.Fatal(err)
			}
			_, err := Scan(dir, nil)
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.kind) {
				t.Fatalf("Scan = %v; want ErrNotRegular naming %s as a %s", err, path, c.kind)
			}
		})
	}
	t.Run("filtered out", func(t *testing.T) {
		dir := base(t)
		if err := os.Mkdir(filepath.Join(dir, "other.t.000000000.sql"), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := ParseFilter([]string{"db.*"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Scan(dir, f); err != nil {
			t.Fatalf("a directory of a table the filter leaves out: %v", err)
		}
	})
	t.Run("link to a data file", func(t *testing.T) {
		dir := base(t)
		target := filepath.Join(t.TempDir(), "rows.sql")
		body := "INSERT INTO t VALUES (1),(2);\n"
		if err := os.WriteFile(target, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(dir, "db.t.000000000.sql")); err != nil {
			t.Fatal(err)
		}
		d, err := Scan(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		tb := d.Table("db", "t")
		if tb == nil || len(tb.DataFiles) != 1 || tb.DataFiles[0].Size != int64(len(body)) {
			t.Fatalf("table %+v: want one data file of %d bytes", tb, len(body))
		}
	})
}
