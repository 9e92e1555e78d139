package faults

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/sorter"
)

// Engine meta keys the sorter records next to the pairs (sorter/sorter.go:
// metaOffset, metaIngested).
const (
	metaOffset   = "offset"
	metaIngested = "ingested"
)

// partitionRecord is what a sorter left in one engine.
type partitionRecord struct {
	next     int64
	ingested bool
}

// readEngine opens an engine the test owns (no sorter has it open) and
// returns its recorded offset and whether it was ingested.
func readEngine(t *testing.T, dir string) (partitionRecord, bool) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		return partitionRecord{}, false
	}
	eng, err := engine.Open(dir, engine.Options{})
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	defer eng.Close()
	var rec partitionRecord
	if v, ok, err := eng.GetMeta(metaOffset); err != nil {
		t.Fatal(err)
	} else if ok {
		if rec.next, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			t.Fatalf("%s: offset record %q: %v", dir, v, err)
		}
	}
	if _, ok, err := eng.GetMeta(metaIngested); err != nil {
		t.Fatal(err)
	} else {
		rec.ingested = ok
	}
	return rec, true
}

// TestSorterKilledMidPartition kills a sorter once it has made part of a
// partition durable (its first offset commit of 5 or more on rental, which
// follows the engine write and sync), before the partition is complete. A new
// sorter member on the same engine directory must resume every such
// partition from the offset its engine recorded, not from the start, and
// finish the import exactly.
func TestSorterKilledMidPartition(t *testing.T) {
	dump := sakilaDump(t)
	ctx, cancel := context.WithTimeout(context.Background(), slow(3*time.Minute))
	defer cancel()
	r := newRun(t, ctx, dump, runOptions{tables: faultTables, chunkSize: 64 << 10})
	var rental string
	for topic, name := range kvTopics(faultTables) {
		if name == "sakila.rental" {
			rental = topic
		}
	}

	// Every chunk is encoded first, so the sorter's partitions are full and
	// its progress depends only on itself.
	r.encoder("encoder-1", nil)
	r.encoder("encoder-2", nil)
	r.waitFor("all chunks encoded", slow(2*time.Minute), func(p coordinator.Progress) bool {
		done, total := chunksEncoded(p)
		return total > 0 && done == total
	})

	var (
		mu         sync.Mutex
		killed     = make(chan struct{})
		restarted  bool
		firstFetch = map[int32]int64{} // rental partition -> first fetch offset after the restart
	)
	r.cluster.ControlKey(int16(kmsg.OffsetCommit), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		for _, tp := range req.(*kmsg.OffsetCommitRequest).Topics {
			for _, p := range tp.Partitions {
				if tp.Topic == rental && p.Offset >= 5 {
					select {
					case <-killed:
					default:
						close(killed)
					}
				}
			}
		}
		return nil, nil, false
	})
	r.cluster.ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		if !restarted {
			return nil, nil, false
		}
		for _, tp := range req.(*kmsg.FetchRequest).Topics {
			for _, p := range tp.Partitions {
				if _, seen := firstFetch[p.Partition]; tp.Topic == rental && !seen {
					firstFetch[p.Partition] = p.FetchOffset
				}
			}
		}
		return nil, nil, false
	})

	a := r.sorter("sorter-a", func(c *sorter.Config) { c.FlushBytes, c.SyncBytes = 16<<10, 16<<10 })
	select {
	case <-killed:
	case err := <-a.done:
		t.Fatalf("sorter-a ended before the kill: %v", err)
	case <-time.After(slow(90 * time.Second)):
		t.Fatal("sorter-a never committed a rental offset")
	}
	a.kill(t)

	// What sorter-a left: at least one rental partition durable in part.
	records := map[int32]partitionRecord{}
	parts := len(r.cluster.PartitionInfos(rental))
	if parts < 2 {
		t.Fatalf("rental has %d KV partitions, want several", parts)
	}
	for p := int32(0); p < int32(parts); p++ {
		if rec, ok := readEngine(t, sorter.EngineDir(r.engineDir(), rental, int(p))); ok {
			records[p] = rec
			t.Logf("rental partition %d after the kill: next offset %d, ingested %v", p, rec.next, rec.ingested)
		}
	}
	var mid int
	for _, rec := range records {
		if rec.next > 0 && !rec.ingested {
			mid++
		}
	}
	if mid == 0 {
		t.Fatal("no rental partition was left part-way: the kill came too late to test a resume")
	}

	mu.Lock()
	restarted = true
	mu.Unlock()
	r.sorter("sorter-b", nil)
	r.wait(slow(2 * time.Minute))
	r.verify()

	mu.Lock()
	defer mu.Unlock()
	for p, rec := range records {
		if rec.ingested || rec.next == 0 {
			continue
		}
		got, ok := firstFetch[p]
		switch {
		case !ok:
			t.Errorf("rental partition %d: sorter-b never fetched it", p)
		case got != rec.next:
			t.Errorf("rental partition %d: sorter-b fetched first at offset %d, want the engine's recorded %d", p, got, rec.next)
		}
	}
}
