package coordinator

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestChunkRowCountMismatch: a chunk whose reader parsed more rows than
// the encoder encoded and rejected (a row lost between them) fails its
// table, naming the chunk's file and byte range, in the error and in the
// checkpoint; agreeing counts, and reports of encoders too old to send a
// parsed count, pass.
func TestChunkRowCountMismatch(t *testing.T) {
	cp, err := checkpoint.Open(filepath.Join(t.TempDir(), "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{ImportID: "rowcount", Store: &modeStore{}, Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	key := checkpoint.Key("d", "t")
	c.tables[key] = &tableState{manifest: &lsv1.TableManifest{Db: "d", Table: "t", ChunkIds: []string{"a", "b", "c", "d"}},
		tableID: 1000, chunks: map[string]*lsv1.ChunkEncoded{}}
	report := func(id string, parsed *uint64, rows, rejected uint64) *lsv1.ChunkEncoded {
		return &lsv1.ChunkEncoded{Db: "d", Table: "t", ChunkId: id, Rows: rows, Rejected: rejected, RowsParsed: parsed,
			File: "d.t.000000001.sql", StartOffset: 4096, EndOffset: 8192}
	}
	if err := c.chunkEncoded(key, report("a", proto.Uint64(10), 10, 0)); err != nil {
		t.Fatalf("agreeing counts: %v", err)
	}
	if err := c.chunkEncoded(key, report("b", proto.Uint64(5), 3, 2)); err != nil {
		t.Fatalf("agreeing counts with rejected rows: %v", err)
	}
	if err := c.chunkEncoded(key, report("c", nil, 7, 0)); err != nil {
		t.Fatalf("older encoder without a parsed count: %v", err)
	}
	err = c.chunkEncoded(key, report("d", proto.Uint64(4), 3, 0))
	if !errors.Is(err, ErrRowCountMismatch) {
		t.Fatalf("a lost row: got %v, want ErrRowCountMismatch", err)
	}
	for _, want := range []string{"d.t", "chunk d", "d.t.000000001.sql", "bytes 4096-8192", "parsed 4", "encoded 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	rec := cp.Snapshot().Tables[key]
	if rec == nil || rec.Status != checkpoint.Failed || rec.Error != err.Error() || rec.Steps[StepRowCount].Status != checkpoint.Failed {
		t.Fatalf("checkpoint record %+v", rec)
	}
	if rec.RowsParsed != 10+5+4 || rec.Rows != 10+3+7+3 || rec.RowsRejected != 2 {
		t.Errorf("checkpoint counts parsed %d encoded %d rejected %d", rec.RowsParsed, rec.Rows, rec.RowsRejected)
	}
	if p := c.Progress(); p.Tables[0].Status != checkpoint.Failed || p.Tables[0].RowsParsed != 19 {
		t.Errorf("progress %+v", p.Tables[0])
	}
}
