package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

func recordKey(table int64, handle int) []byte {
	k := binary.BigEndian.AppendUint64([]byte{'t'}, uint64(table)^1<<63)
	k = append(k, '_', 'r')
	return binary.BigEndian.AppendUint64(k, uint64(handle)^1<<63)
}

// TestDestroyRanges: every key of the ranges goes, across several
// deleting transactions; keys outside them stay.
func TestDestroyRanges(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var pairs []store.Pair
	for _, table := range []int64{7, 8, 9} {
		for h := range 2*destroyBatch + 17 {
			pairs = append(pairs, store.Pair{Key: recordKey(table, h), Value: []byte{0x80, byte(h)}})
		}
	}
	if err := st.WriteBatch(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	table := func(id int64) store.KeyRange {
		return store.KeyRange{Start: recordKey(id, 0)[:9], End: binary.BigEndian.AppendUint64([]byte{'t'}, uint64(id+1)^1<<63)}
	}
	n, err := DestroyRanges(ctx, st, []store.KeyRange{table(8)})
	if err != nil || n != 2*destroyBatch+17 {
		t.Fatalf("DestroyRanges = %d, %v; want %d", n, err, 2*destroyBatch+17)
	}
	for id, want := range map[int64]uint64{7: 2*destroyBatch + 17, 8: 0, 9: 2*destroyBatch + 17} {
		c, err := st.Checksum(ctx, []store.KeyRange{table(id)})
		if err != nil || c.KVs != want {
			t.Errorf("table %d holds %d pairs (%v), want %d", id, c.KVs, err, want)
		}
	}
}

// TestControlCheckpointRefusals: a work directory without an import, an
// unknown command and a locked checkpoint are refused before anything
// changes.
func TestControlCheckpointRefusals(t *testing.T) {
	ctx := context.Background()
	w := t.TempDir()
	if _, err := ControlCheckpoint(ctx, Config{WorkDir: w}, CheckpointIgnoreError, "all"); err == nil {
		t.Fatal("a work directory without a checkpoint was accepted")
	}
	cp, err := checkpoint.Open(CheckpointPath(w))
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Update(func(s *checkpoint.State) error {
		s.Status, s.Error = checkpoint.Failed, "boom"
		s.Tables[checkpoint.Key("d", "t")] = &checkpoint.Table{DB: "d", Name: "t", Status: checkpoint.Failed, Error: "boom"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ControlCheckpoint(ctx, Config{WorkDir: w}, "explode", "all"); err == nil {
		t.Fatal("an unknown command was accepted")
	}
	unlock, err := checkpoint.Lock(cp.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ControlCheckpoint(ctx, Config{WorkDir: w}, CheckpointIgnoreError, "all"); !errors.Is(err, checkpoint.ErrRunning) {
		t.Fatalf("locked checkpoint: %v", err)
	}
	unlock()
	res, err := ControlCheckpoint(ctx, Config{WorkDir: w}, CheckpointIgnoreError, "all")
	if err != nil || len(res.Tables) != 1 || !res.ImportError {
		t.Fatalf("ignore-error all = %+v, %v", res, err)
	}
	cp, _ = checkpoint.Open(CheckpointPath(w))
	if s := cp.Snapshot(); s.Error != "" || s.Status == checkpoint.Failed || s.Tables[checkpoint.Key("d", "t")].Error != "" {
		t.Fatalf("after ignore-error: %+v", s)
	}
}
