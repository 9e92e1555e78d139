package faults

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/checkpoint"
	"github.com/lightstream-io/lightstream/internal/pipeline"
	"github.com/lightstream-io/lightstream/internal/store"
	"github.com/lightstream-io/lightstream/sorter"
)

// TestReplay imports two tables with the all-in-one pipeline, then
// replays one of them from its retained KV topic twice: once over its
// engines, once after its engine directories were deleted. Each replay
// must rebuild engines whose checksum equals the encoders' and leave the
// store matching; the exported rows must still give the expected figures.
func TestReplay(t *testing.T) {
	dump := sakilaDump(t)
	ctx, cancel := context.WithTimeout(context.Background(), slow(3*time.Minute))
	defer cancel()
	tables := []string{"sakila.film", "sakila.rental"}
	work := filepath.Join(t.TempDir(), "work")
	cfg := pipeline.Config{Dump: dump, WorkDir: work, ImportID: importID, Filter: tables, ChunkSize: 128 << 10,
		KVPartitions: kvPartitions, PartitionBytes: partitionBytes}
	res, err := pipeline.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	t.Logf("import took %v", res.Duration.Round(time.Millisecond))

	topic := kvTopicName(importID, "sakila", "rental")
	engines := filepath.Join(pipeline.EngineDir(work), topic)
	for _, deleteEngines := range []bool{false, true} {
		if deleteEngines {
			if err := os.RemoveAll(engines); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		rr, err := pipeline.Replay(ctx, pipeline.Config{WorkDir: work}, "sakila", "rental")
		if err != nil {
			t.Fatalf("replay (engines deleted: %v): %v", deleteEngines, err)
		}
		t.Logf("replay (engines deleted: %v) took %v: %+v", deleteEngines, time.Since(start).Round(time.Millisecond), rr)
		if !rr.Match || rr.Engines != rr.Source || rr.Store != rr.Source || rr.Partitions != kvPartitions || rr.Source.KVs == 0 {
			t.Errorf("replay (engines deleted: %v): %+v", deleteEngines, rr)
		}
		for p := 0; p < rr.Partitions; p++ {
			if _, err := os.Stat(sorter.EngineDir(pipeline.EngineDir(work), topic, p)); err != nil {
				t.Errorf("engine of partition %d not rebuilt: %v", p, err)
			}
		}
	}

	cp, err := checkpoint.Open(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	verifyImport(t, ctx, cp.Snapshot(), st, tables)
}
