package faults

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// faultTables are the sakila tables the in-process tests import: the two
// largest (many chunks, secondary indexes) and film (ENUM, SET, YEAR).
var faultTables = []string{"sakila.film", "sakila.payment", "sakila.rental"}

// TestEncoderKilledMidChunk kills an encoder after it reported two chunks,
// at the instant the broker receives the first KV batch of its next chunk
// of the target table. From that instant the broker refuses everything the dead member
// would still produce or commit (a killed process sends nothing more), so
// the topic holds a partial attempt: batches without end-of-chunk markers
// and an uncommitted chunk offset. A second encoder must take the chunk
// over, re-encode it to identical pairs, and the sorters must count its
// marker once: the import completes with exact data.
//
// The kill lands in a chunk of the target table: payment (integer primary
// key, secondary indexes) and film_actor (composite primary key, so rows
// get _tidb_rowid handles, which a re-encoding must reproduce).
func TestEncoderKilledMidChunk(t *testing.T) {
	for _, target := range []string{"sakila.payment", "sakila.film_actor"} {
		t.Run(target, func(t *testing.T) {
			if target != "sakila.payment" {
				skipUnderRace(t)
			}
			encoderKilledMidChunk(t, target)
		})
	}
}

func encoderKilledMidChunk(t *testing.T, target string) {
	dump := sakilaDump(t)
	ctx, cancel := context.WithTimeout(context.Background(), slow(3*time.Minute))
	defer cancel()
	tables := []string{"sakila.film_actor", "sakila.payment"}
	r := newRun(t, ctx, dump, runOptions{tables: tables, chunkSize: 64 << 10})
	kv := kvTopics(tables)
	events := schemas.Topic(importID, schemas.EventsSuffix)

	var (
		mu       sync.Mutex
		reported int // produce requests to the events topic: ChunkEncoded (only encoder A runs)
		killed   = make(chan struct{})
		faults   []*kfake.FaultHandle
	)
	r.cluster.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		if faults != nil {
			return nil, nil, false
		}
		pr := req.(*kmsg.ProduceRequest)
		for _, tp := range pr.Topics {
			switch {
			case tp.Topic == events:
				reported++
			case kv[tp.Topic] == target && reported >= 2:
				// The first batch of this chunk lands; everything
				// after it is refused.
				first := req
				after := func(q kmsg.Request) bool { return q != first }
				faults = append(faults,
					r.cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.TopicAuthorizationFailed, Count: -1, When: after}),
					r.cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.OffsetCommit}, Err: kerr.GroupAuthorizationFailed, Count: -1}))
				close(killed)
				return nil, nil, false
			}
		}
		return nil, nil, false
	})

	small := func(c *encoder.Config) { c.BatchBytes = 16 << 10 }
	a := r.encoder("encoder-a", small)
	select {
	case <-killed:
	case err := <-a.done:
		t.Fatalf("encoder-a ended before the kill: %v", err)
	case <-time.After(slow(90 * time.Second)):
		t.Fatalf("encoder-a never reached a chunk of %s", target)
	}
	a.kill(t)
	mu.Lock()
	for _, f := range faults {
		f.Remove()
	}
	mu.Unlock()

	r.encoder("encoder-b", small)
	r.sorter("sorter-1", nil)
	r.sorter("sorter-2", nil)
	r.wait(slow(2 * time.Minute))
	r.verify()

	// The scenario happened as intended: some chunk has a batch from
	// encoder-a and no marker from it, and encoder-b finished that chunk.
	encodedBy := map[string][]string{}
	for _, ev := range r.events() {
		if ce, ok := ev.Body.(*lsv1.Event_ChunkEncoded); ok {
			encodedBy[ce.ChunkEncoded.ChunkId] = append(encodedBy[ce.ChunkEncoded.ChunkId], ev.Member)
		}
	}
	var byA int
	for _, members := range encodedBy {
		for _, m := range members {
			if m == "encoder-a" {
				byA++
			}
		}
	}
	if byA < 2 {
		t.Errorf("encoder-a reported %d chunks, want 2 or more", byA)
	}
	for topic, name := range kv {
		partial := 0
		atts := r.kvAttempts(topic)
		for _, key := range sortedKeys(atts) {
			at := atts[key]
			if !strings.HasPrefix(at.attempt, "encoder-a@") || len(at.markers) > 0 {
				continue
			}
			partial++
			t.Logf("%s: chunk %s: encoder-a left %d batch(es) and no marker; encoded by %v", topic, at.chunk, at.batches, encodedBy[at.chunk])
			if got := encodedBy[at.chunk]; len(got) != 1 || got[0] != "encoder-b" {
				t.Errorf("chunk %s: reported by %v, want encoder-b once", at.chunk, got)
			}
			var redone bool
			for _, other := range atts {
				if other.chunk == at.chunk && strings.HasPrefix(other.attempt, "encoder-b@") && len(other.markers) > 0 {
					redone = true
				}
			}
			if !redone {
				t.Errorf("chunk %s: no attempt by encoder-b with markers", at.chunk)
			}
		}
		if name == target && partial != 1 {
			t.Errorf("%s: %d partial attempts by encoder-a, want 1", name, partial)
		}
		if name != target && partial != 0 {
			t.Errorf("%s: %d partial attempts by encoder-a, want none", name, partial)
		}
	}
}
