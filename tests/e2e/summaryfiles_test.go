package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/source/dump"
)

// TestSummaryFiles: the summary's files section lists every file of the
// dump directory once, with what became of it: data files imported,
// schema and metadata files read, the files of a table the filter leaves
// out, unknown files and sequences not imported with the reason.
func TestSummaryFiles(t *testing.T) {
	t.Parallel()
	dump0 := writeDump(t, map[string]string{
		"bad.t.000000000.sql":       "INSERT INTO t VALUES (1,'a',1);\n",
		"bad.t.000000001.sql":       "INSERT INTO t VALUES (2,'b',2);\n",
		"other-schema-create.sql":   "CREATE DATABASE other;\n",
		"other.u-schema.sql":        "CREATE TABLE u (id INT);\n",
		"other.u.000000000.sql":     "INSERT INTO u VALUES (1);\n",
		"notes.txt":                 "hello\n",
		"bad.s-schema-sequence.sql": "CREATE SEQUENCE s;\n",
		"metadata":                  "Started dump at: 2024-01-01 00:00:00\n",
	})
	work := t.TempDir()
	cfg := pipeline.Config{Dump: dump0, WorkDir: work, Filter: []string{"bad.*"}}
	res := mustImport(t, cfg)
	filter, err := dump.ParseFilter(cfg.Filter)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dump.ScanRouted(dump0, filter, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, err := summary.DumpFiles(d, res.State)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bad-schema-create.sql":     summary.FileRead,
		"bad.t-schema.sql":          summary.FileRead,
		"bad.t.000000000.sql":       summary.FileImported,
		"bad.t.000000001.sql":       summary.FileImported,
		"other-schema-create.sql":   summary.FileRead,
		"other.u-schema.sql":        summary.FileNotImported,
		"other.u.000000000.sql":     summary.FileNotImported,
		"notes.txt":                 summary.FileNotImported,
		"bad.s-schema-sequence.sql": summary.FileNotImported,
		"metadata":                  summary.FileRead,
	}
	ents, err := os.ReadDir(dump0)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(ents) || len(files) != len(want) {
		t.Errorf("%d files listed, %d in the directory, want %d: %+v", len(files), len(ents), len(want), files)
	}
	for _, f := range files {
		w, ok := want[filepath.ToSlash(f.Path)]
		if !ok || f.Status != w {
			t.Errorf("%s: status %q (%s), want %q", f.Path, f.Status, f.Reason, w)
		}
		if f.Status == summary.FileNotImported && f.Reason == "" {
			t.Errorf("%s: not imported without a reason", f.Path)
		}
	}
}
