package faults

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/sorter"
)

// TestReplay imports two tables with the all-in-one pipeline (which
// removes every engine once ingested), then replays one of them from its
// retained KV topic twice: once keeping the engines it rebuilds, once
// over those engines, removing them. Each replay must rebuild engines
// whose checksum equals the encoders' and leave the store matching; the
// exported rows must still give the expected figures.
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
	if _, err := os.Stat(engines); !os.IsNotExist(err) {
		t.Errorf("the import left the engines of %s (%v)", topic, err)
	}
	for _, keep := range []bool{true, false} {
		start := time.Now()
		rr, err := pipeline.Replay(ctx, pipeline.Config{WorkDir: work, KeepEngines: keep}, "sakila", "rental")
		if err != nil {
			t.Fatalf("replay (keep engines: %v): %v", keep, err)
		}
		t.Logf("replay (keep engines: %v) took %v: %+v", keep, time.Since(start).Round(time.Millisecond), rr)
		if !rr.Match || rr.Engines != rr.Source || rr.Store != rr.Source || rr.Partitions != kvPartitions || rr.Source.KVs == 0 {
			t.Errorf("replay (keep engines: %v): %+v", keep, rr)
		}
		for p := 0; p < rr.Partitions; p++ {
			_, err := os.Stat(sorter.EngineDir(pipeline.EngineDir(work), topic, p))
			if keep && err != nil {
				t.Errorf("engine of partition %d not rebuilt: %v", p, err)
			}
			if !keep && !os.IsNotExist(err) {
				t.Errorf("engine of partition %d left after the replay (%v)", p, err)
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
