package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
)

// TestEmptyValuesRows: `INSERT INTO t () VALUES (), ()` and `INSERT INTO t
// VALUES ()` give one row per (), every column its default, the
// AUTO_INCREMENT column and _tidb_rowid allocated as for any row (MySQL's
// and TiDB's rule); the summary's row counts agree.
func TestEmptyValuesRows(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"ev-schema-create.sql": "CREATE DATABASE ev;\n",
		"ev.a-schema.sql":      "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, s VARCHAR(10) DEFAULT 'dflt', n INT);\n",
		// The empty tuples start the file: the first row of a chunk.
		"ev.a.000000000.sql": "INSERT INTO `a` () VALUES (),();\nINSERT INTO `a` VALUES ();\nINSERT INTO `a` (s) VALUES ('x'),('y');\nINSERT INTO a VALUES (),();\n",
		// No primary key: rows are keyed by _tidb_rowid.
		"ev.b-schema.sql":    "CREATE TABLE b (k INT DEFAULT 7, t VARCHAR(3));\n",
		"ev.b.000000000.sql": "INSERT INTO b () VALUES ();\nINSERT INTO b VALUES (1,'one'),();\nINSERT INTO b () VALUES (),(),();\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dir, WorkDir: work})
	s := summary.FromResult(res)
	if s.Totals.RowsParsed != 7+6 || s.Totals.RowsEncoded != 7+6 || s.Totals.RowsRejected != 0 {
		t.Errorf("summary totals %+v, want 13 rows parsed and encoded", s.Totals)
	}
	for _, tb := range s.Tables {
		if !tb.ChecksumMatch || tb.RowsParsed != tb.RowsEncoded || tb.Rows != tb.RowsEncoded {
			t.Errorf("summary table %+v", tb)
		}
	}

	a := exportTable(t, work, "ev", "a")
	if len(a.Rows) != 7 {
		t.Fatalf("ev.a has %d rows, want 7", len(a.Rows))
	}
	if got := sorted(a.values(t, "id")); !slices.Equal(got, []string{"1", "2", "3", "4", "5", "6", "7"}) {
		t.Errorf("ev.a ids %q, want 1..7", got)
	}
	if got := sorted(a.values(t, "s")); !slices.Equal(got, []string{"dflt", "dflt", "dflt", "dflt", "dflt", "x", "y"}) {
		t.Errorf("ev.a s %q", got)
	}
	if got := a.values(t, "n"); len(got) != 0 {
		t.Errorf("ev.a n %q, want all NULL", got)
	}
	b := exportTable(t, work, "ev", "b")
	if len(b.Rows) != 6 {
		t.Fatalf("ev.b has %d rows, want 6", len(b.Rows))
	}
	if got := sorted(b.values(t, "k")); !slices.Equal(got, []string{"1", "7", "7", "7", "7", "7"}) {
		t.Errorf("ev.b k %q", got)
	}
}
