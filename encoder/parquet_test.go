package encoder

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pqgo "github.com/parquet-go/parquet-go"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// writeParquetRows writes (id, v) rows, three to a row group.
func writeParquetRows(t *testing.T, path string, vs []string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type row struct {
		ID int64  `parquet:"id"`
		V  string `parquet:"v"`
	}
	w := pqgo.NewGenericWriter[row](f, pqgo.MaxRowsPerRowGroup(3))
	for i, v := range vs {
		if _, err := w.Write([]row{{ID: int64(i + 1), V: v}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestParquetRowErrorPlace: a Parquet row that fails to convert is named
// by its row group and its row numbers, in the error and in
// rejects.jsonl, not by a byte offset it does not have.
func TestParquetRowErrorPlace(t *testing.T) {
	dir := t.TempDir()
	writeParquetRows(t, filepath.Join(dir, "d.t.parquet"), []string{"1", "2", "3", "4", "five", "6", "7"})
	ti := testTable(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)")
	ti.Msg.SqlMode = "STRICT_TRANS_TABLES"
	// Row groups 1 and 2 (rows 4 to 7): the bad row is the file's fifth,
	// the second of row group 1.
	ch := &lsv1.Chunk{Id: "c1", Db: "d", Table: "t", File: "d.t.parquet", Format: lsv1.Format_FORMAT_PARQUET,
		ParquetFirstRowGroup: 1, ParquetRowGroups: 2, RowIdBase: 3}
	var pairs pairCount
	_, err := encodeRows(context.Background(), Config{Dump: dir}, ti, ch, &pairs)
	var re *RowError
	if !errors.As(err, &re) || re.Row == nil || *re.Row != (dump.RowPos{RowGroup: 1, InGroup: 2, InFile: 5}) {
		t.Fatalf("error %v (%#v)", err, re)
	}
	if msg := err.Error(); !strings.Contains(msg, "d.t.parquet: row 5 (row group 1, row 2 of it): ") || strings.Contains(msg, "byte offset") {
		t.Errorf("message %q", msg)
	}

	rejects, err := OpenRejects(filepath.Join(t.TempDir(), "rejects.jsonl"), 5)
	if err != nil {
		t.Fatal(err)
	}
	st, err := encodeRows(context.Background(), Config{Dump: dir, Rejects: rejects}, ti, ch, &pairs)
	if err != nil || st.rejected != 1 || st.rows != 3 {
		t.Fatalf("with rejects: %+v, %v", st, err)
	}
	rejects.Close()
	b, err := os.ReadFile(rejects.f.Name())
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["row_group"] != 1.0 || rec["row_in_group"] != 2.0 || rec["row_in_file"] != 5.0 || rec["offset"] != nil || !strings.Contains(rec["file"].(string), "d.t.parquet") {
		t.Errorf("rejects.jsonl: %s", b)
	}
}

// TestParquetSessionError: a session the table's time zone cannot make
// stops a Parquet chunk before its file is read, with that error.
func TestParquetSessionError(t *testing.T) {
	ti := testTable(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)")
	ti.Msg.TimeZone = "Nowhere/Bogus"
	ch := &lsv1.Chunk{Id: "c1", Db: "d", Table: "t", File: "missing.parquet", Format: lsv1.Format_FORMAT_PARQUET, ParquetRowGroups: 1}
	var pairs pairCount
	_, err := encodeRows(context.Background(), Config{Dump: t.TempDir()}, ti, ch, &pairs)
	if err == nil || !strings.Contains(err.Error(), "Nowhere/Bogus") || strings.Contains(err.Error(), "missing.parquet") {
		t.Fatalf("error %v", err)
	}
}
