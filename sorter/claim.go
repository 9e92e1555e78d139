package sorter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// partitionClaim is one KV partition being sorted into its engine. Its
// steps, in order:
//
//   - open: load what the engine (or the partition's done record) holds;
//   - consume: read the partition from the engine's offset, buffering
//     pairs and writing them as runs (flush), until every chunk feeding
//     the partition has sent its marker;
//   - finish: ingest the complete engine and report it (or report again
//     what an earlier run of the claim ingested).
//
// A group member's claim then keeps reading the ingested partition until
// its claim ends (sortPartition); a replay stops after finish
// (replayPartition).
type partitionClaim struct {
	s         *partitionSorter
	topic     string
	partition int
	dir       string
	st        *partitionState
	// commit moves the group's committed offset: advisory (reading
	// resumes from the engine's own offset), a no-op in a replay.
	commit func(int64) error

	// What is buffered for the next engine write: the pairs, their bytes,
	// the meta records (markers) to write with them, and the bytes
	// written since the last sync.
	keys, values [][]byte
	pending      int
	meta         map[string][]byte
	unsynced     int
	// next is the offset after the last message read.
	next int64

	// Under a disk quota another claim may ask this one to free its
	// engine's space (EngineSpace.reserve): wake interrupts a fetch so
	// that it looks.
	wakeMu      sync.Mutex
	cancelFetch context.CancelFunc
}

func (s *partitionSorter) newClaim(topic string, partition int, commit func(int64) error) (*partitionClaim, error) {
	mf := s.manifests[topic]
	if mf == nil {
		return nil, fmt.Errorf("no manifest for topic %s", topic)
	}
	if commit == nil {
		commit = func(int64) error { return nil }
	}
	return &partitionClaim{
		s: s, topic: topic, partition: partition, commit: commit,
		dir:  EngineDir(s.cfg.EngineDir, topic, partition),
		st:   &partitionState{mf: mf, partition: uint32(partition), markers: map[string]*lsv1.EndOfChunk{}},
		meta: map[string][]byte{},
	}, nil
}

// sortPartition is a group member's claim of one partition: it consumes
// the partition into its engine, ingests the engine once complete, and
// keeps the claim until ctx ends.
func (s *partitionSorter) sortPartition(ctx context.Context, topic string, partition int, commit func(int64) error) error {
	c, err := s.newClaim(topic, partition, commit)
	if err != nil {
		return err
	}
	if err := c.open(ctx); err != nil {
		return err
	}
	if c.st.ingested != nil {
		if _, err := c.reportAgain(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		return nil
	}
	complete, err := c.consume(ctx)
	if err != nil || !complete {
		return err
	}
	if _, err := c.finish(ctx); err != nil {
		return err
	}
	_ = c.commit(c.st.next)
	return s.afterIngest(ctx, topic, partition, c.st, c.commit)
}

// replayPartition sorts and ingests one partition and returns what it
// ingested (nil if ctx ended first).
func (s *partitionSorter) replayPartition(ctx context.Context, topic string, partition int) (*lsv1.PartitionIngested, error) {
	c, err := s.newClaim(topic, partition, nil)
	if err != nil {
		return nil, err
	}
	if err := c.open(ctx); err != nil {
		return nil, err
	}
	if c.st.ingested != nil {
		return c.reportAgain(ctx)
	}
	complete, err := c.consume(ctx)
	if err != nil || !complete {
		return nil, err
	}
	return c.finish(ctx)
}

// open loads the partition's state. An ingested partition whose engine
// was removed left its report in a done record (see release): it is not
// read or ingested again.
func (c *partitionClaim) open(ctx context.Context) error {
	done, err := loadDone(c.dir)
	if err != nil {
		return err
	}
	if done != nil {
		c.st.ingested = done
		return nil
	}
	if _, statErr := os.Stat(c.dir); statErr != nil {
		// A partition seen for the first time has no engine yet: opening
		// one just to find it empty would cost an engine slot.
		return nil
	}
	eng, release, err := c.s.cfg.Engines.Acquire(ctx, c.dir)
	if err != nil {
		return err
	}
	err = c.st.load(eng)
	c.s.cfg.Space.found(c.dir, eng.DiskBytes())
	release()
	if err != nil {
		return fmt.Errorf("%s: %w", c.dir, err)
	}
	return nil
}

// reportAgain repeats the report of an ingested partition: it may have
// been lost in a crash after the ingest (the coordinator counts a
// partition once). The store's checksum is read again: it must say what
// the store holds now. The crash may also have come before the engine was
// removed.
func (c *partitionClaim) reportAgain(ctx context.Context) (*lsv1.PartitionIngested, error) {
	if err := c.s.checksumSpans(ctx, c.st.ingested); err != nil {
		return nil, fmt.Errorf("%s: %w", c.dir, err)
	}
	if err := c.s.report(ctx, c.st); err != nil {
		return nil, err
	}
	if err := c.s.release(c.dir, c.st); err != nil {
		return nil, err
	}
	return c.st.ingested, nil
}

// finish resolves the partition's conflicts, when detecting them, then
// ingests the complete engine and reports it.
func (c *partitionClaim) finish(ctx context.Context) (*lsv1.PartitionIngested, error) {
	if c.s.cfg.Conflict.Enabled() {
		if err := c.s.resolveConflicts(ctx, c.dir, c.st); err != nil {
			return nil, c.s.reportFailure(ctx, c.st, err)
		}
	}
	return c.s.ingest(ctx, c.dir, c.st)
}

// consume reads the partition into the engine until it is complete (true,
// the engine durable) or ctx ends (false).
func (c *partitionClaim) consume(ctx context.Context) (complete bool, err error) {
	if err := c.s.feeds(ctx, c.st); err != nil {
		return false, err
	}
	if c.st.complete() {
		return true, nil
	}
	r, err := c.s.openPartition(c.topic, c.partition, c.st.next)
	if err != nil {
		return false, err
	}
	defer r.Close()
	disown := c.s.cfg.Space.own(c.dir, c.wake)
	defer disown()

	c.next = c.st.next
	for {
		if c.s.cfg.Space.spillAsked(c.dir) {
			if err := c.s.spill(ctx, c.dir, c.st); err != nil {
				return false, err
			}
		}
		// An idle partition makes what it buffered durable after a while,
		// so that its offset can be committed; pending pairs are never lost
		// by waiting (a restart reads them again from the engine's offset).
		fctx, cancel := context.WithTimeout(ctx, idleFlush)
		c.setFetch(cancel)
		m, err := r.FetchMessage(fctx)
		c.setFetch(nil)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			if errors.Is(err, context.Canceled) {
				continue // woken: asked to spill
			}
			if errors.Is(err, context.DeadlineExceeded) {
				// Idle: make what arrived durable.
				if err := c.flush(ctx, true); err != nil {
					return false, err
				}
				continue
			}
			return false, fmt.Errorf("fetch %s[%d]: %w", c.topic, c.partition, err)
		}
		c.next = m.Offset + 1
		var msg lsv1.KVMessage
		if err := schemas.UnmarshalKVMessage(m.Value, &msg); err != nil {
			return false, fmt.Errorf("%s[%d] offset %d: bad KV message: %w", c.topic, c.partition, m.Offset, err)
		}
		switch b := msg.Body.(type) {
		case *lsv1.KVMessage_Batch:
			if err := c.buffer(b.Batch); err != nil {
				return false, fmt.Errorf("%s[%d] offset %d: %w", c.topic, c.partition, m.Offset, err)
			}
			if c.pending >= c.s.flushBytes() {
				if err := c.flush(ctx, false); err != nil {
					return false, err
				}
			}
		case *lsv1.KVMessage_EndOfChunk:
			complete, err := c.marker(ctx, b.EndOfChunk)
			if err != nil || complete {
				return complete, err
			}
		}
	}
}

func (c *partitionClaim) wake() {
	c.wakeMu.Lock()
	if c.cancelFetch != nil {
		c.cancelFetch()
	}
	c.wakeMu.Unlock()
}

func (c *partitionClaim) setFetch(cancel context.CancelFunc) {
	c.wakeMu.Lock()
	c.cancelFetch = cancel
	c.wakeMu.Unlock()
}

// buffer adds a batch's pairs to what the next flush writes.
func (c *partitionClaim) buffer(b *lsv1.KVBatch) error {
	if c.s.cfg.Conflict.Enabled() {
		if err := c.bufferPlaced(b); err != nil {
			return err
		}
		metrics.KVPairsReceived.Add(float64(b.Count))
		return nil
	}
	err := schemas.RangePairs(b.Pairs, func(k, v []byte) error {
		c.keys = append(c.keys, k)
		c.values = append(c.values, v)
		c.pending += len(k) + len(v)
		return nil
	})
	if err != nil {
		return err
	}
	metrics.KVPairsReceived.Add(float64(b.Count))
	return nil
}

// marker records a chunk's end-of-chunk marker (once, and only for a
// chunk of the manifest); once the partition is complete it makes the
// engine durable and reports true.
func (c *partitionClaim) marker(ctx context.Context, eoc *lsv1.EndOfChunk) (complete bool, err error) {
	if _, seen := c.st.markers[eoc.ChunkId]; seen || !c.st.inManifest(eoc.ChunkId) {
		return false, nil
	}
	raw, _ := proto.Marshal(eoc)
	c.meta[metaChunk+eoc.ChunkId] = raw
	c.st.markers[eoc.ChunkId] = eoc
	if err := c.s.feeds(ctx, c.st); err != nil {
		return false, err
	}
	if !c.st.complete() {
		return false, nil
	}
	return true, c.flush(ctx, true)
}

// flush writes the buffered pairs with the offset after them; every
// SyncBytes (and when idle or complete) it also syncs the engine and only
// then commits the group offset: the commit never runs ahead of what the
// engine holds durably.
func (c *partitionClaim) flush(ctx context.Context, durable bool) error {
	if len(c.keys) == 0 && len(c.meta) == 0 && !(durable && c.unsynced > 0) {
		return nil
	}
	room := func() {}
	if len(c.keys) > 0 {
		var err error
		if room, err = c.s.makeRoom(ctx, c.dir, c.st, runBytes(c.pending)); err != nil {
			return err
		}
	}
	defer room()
	eng, release, err := c.s.cfg.Engines.Acquire(ctx, c.dir)
	if err != nil {
		return err
	}
	if len(c.keys) > 0 || len(c.meta) > 0 {
		c.meta[metaOffset] = []byte(fmt.Sprint(c.next))
		// The engine sorts the batch into a run; of two pairs with one
		// key, the later wins.
		err = eng.WriteBatch(c.keys, c.values, c.meta)
		metrics.EngineBytesWritten.Add(float64(c.pending))
		c.unsynced += c.pending + 1
		c.s.cfg.Space.update(c.dir, eng.DiskBytes())
	}
	durable = durable || c.unsynced >= c.s.cfg.SyncBytes
	if err == nil && durable {
		err = eng.Sync()
	}
	release()
	if err != nil {
		return fmt.Errorf("engine %s: %w", c.dir, err)
	}
	c.keys, c.values, c.pending, c.meta = c.keys[:0], c.values[:0], 0, map[string][]byte{}
	c.st.next = c.next
	if !durable {
		return nil
	}
	c.unsynced = 0
	// The engine is durable up to next: the group may move past it. The
	// commit is advisory, so a failed one — the broker restarting — is
	// retried at the next sync instead of stopping the member.
	_ = c.commit(c.next)
	return nil
}
