package dumpgen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/parquet"
)

// TestParquetSameRowsAsCSV: a Parquet dump holds as many rows as the CSV
// dump of the same size and seed, in row groups that cut the file, and the
// same config writes the same bytes.
func TestParquetSameRowsAsCSV(t *testing.T) {
	run := func(format Format) (string, *Result) {
		dir := t.TempDir()
		res, err := Run(context.Background(), Config{Dir: dir, Size: 3 << 20, Tables: []string{"wide", "lineitem"}, Format: format,
			FileSize: 1 << 20, RowGroupSize: 200 << 10, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		return dir, res
	}
	pq, pres := run(FormatParquet)
	_, cres := run(FormatCSV)
	for i := range pres.Tables {
		p, c := pres.Tables[i], cres.Tables[i]
		if p.Rows != c.Rows || p.Bytes != c.Bytes || p.Files != c.Files {
			t.Errorf("%s: parquet %+v, csv %+v", p.Name, p, c)
		}
	}
	files, _ := filepath.Glob(filepath.Join(pq, "gen.lineitem.*.parquet"))
	if len(files) < 2 {
		t.Fatalf("lineitem files %q", files)
	}
	var rows int64
	for _, f := range files {
		m, err := parquet.ReadMeta(parquet.Local{}, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.RowGroups) < 2 {
			t.Errorf("%s: %d row groups", f, len(m.RowGroups))
		}
		rows += m.Rows
	}
	if rows != pres.Tables[1].Rows {
		t.Errorf("lineitem files hold %d rows, generated %d", rows, pres.Tables[1].Rows)
	}
	again, _ := run(FormatParquet)
	a, _ := os.ReadFile(files[0])
	b, _ := os.ReadFile(filepath.Join(again, filepath.Base(files[0])))
	if !bytes.Equal(a, b) {
		t.Error("the same config wrote different Parquet bytes")
	}
}
