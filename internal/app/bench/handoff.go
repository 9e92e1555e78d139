package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// handoffResult is what the hand-off import did.
type handoffResult struct {
	elapsed time.Duration
	rows    int64
}

// ErrHandoffChecksum: the hand-off import stored other pairs than its
// encoders produced (a bug in the benchmark, or a duplicate key in the
// dump).
var ErrHandoffChecksum = errors.New("hand-off import checksum mismatch")

// planBrokers only satisfies producer.Config's check: planning a dump
// never dials the broker.
var planBrokers = kafkaio.Config{Brokers: []string{"127.0.0.1:9092"}}

// handoff runs the same import as pipeline.Run with the broker replaced by
// bounded Go channels: the producer's plan and the coordinator's table
// creation, `workers` encoders encoding chunks exactly as the encoder does
// (same sink routing, checksums and 512 KiB batches, minus the protobuf
// framing), `workers` sorters writing the same engines through the same
// pool and flush size, ingesting each table partition once every chunk
// that feeds it ended and reading the store's checksum over its key spans
// (as the sorter), then the coordinator's store checksum per table.
func handoff(ctx context.Context, cfg *Config, dir string, workers int) (handoffResult, error) {
	var res handoffResult
	start := time.Now()
	p, err := makePlan(ctx, cfg, "handoff", planBrokers)
	if err != nil {
		return res, err
	}
	st, err := store.OpenEmbedded(filepath.Join(dir, "store"))
	if err != nil {
		return res, fmt.Errorf("open embedded store: %w", err)
	}
	defer st.Close()
	pool := sorter.NewEnginePool(poolEngines)
	defer pool.Close()
	es := newEngineSet(p, filepath.Join(dir, "engines"), pool)

	queues := make([]chan kvMsg, workers)
	for i := range queues {
		queues[i] = make(chan kvMsg, queueDepth)
	}
	var (
		mu     sync.Mutex
		source = map[*table]*tidbcodec.Checksum{}
	)
	cur := &cursor{p: p}
	g, gctx := errgroup.WithContext(ctx)
	var encoders sync.WaitGroup
	for range workers {
		encoders.Add(1)
		g.Go(func() error {
			defer encoders.Done()
			s := newEncodeSink()
			s.emit = func(m kvMsg) error {
				select {
				case queues[m.gp%workers] <- m:
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			for {
				c, ok := cur.next()
				if !ok {
					break
				}
				if err := handoffChunk(gctx, p, c, s); err != nil {
					return err
				}
			}
			mu.Lock()
			defer mu.Unlock()
			res.rows += s.rows
			for t, c := range s.checksum {
				if source[t] == nil {
					source[t] = &tidbcodec.Checksum{}
				}
				source[t].Add(*c)
			}
			return nil
		})
	}
	g.Go(func() error {
		encoders.Wait()
		for _, q := range queues {
			close(q)
		}
		return nil
	})
	for w := range workers {
		g.Go(func() error {
			for {
				var m kvMsg
				var ok bool
				select {
				case m, ok = <-queues[w]:
				case <-gctx.Done():
					return gctx.Err()
				}
				if !ok {
					return nil
				}
				if err := es.receive(gctx, st, m); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	// The coordinator's verification: the store's checksum of each table
	// against the XOR of its chunks'.
	for _, t := range p.tables {
		if len(t.chunks) == 0 {
			continue
		}
		got, err := es.storeChecksum(ctx, st, t)
		if err != nil {
			return res, fmt.Errorf("checksum %s: %w", tableKey(t), err)
		}
		if want := source[t]; want == nil || got != *want {
			return res, fmt.Errorf("%w: table %s: store %+v, encoders %+v", ErrHandoffChecksum, tableKey(t), got, want)
		}
	}
	res.elapsed = time.Since(start)
	return res, nil
}

// handoffChunk encodes one chunk into s, as encoder.encodeRows does.
func handoffChunk(ctx context.Context, p *plan, c chunkRef, s *encodeSink) error {
	rows, err := p.openRows(c)
	if err != nil {
		return err
	}
	defer rows.Close()
	for k := int64(1); ; k++ {
		if k&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		fields, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return s.endChunk(c)
		}
		if err != nil {
			return err
		}
		if err := s.encodeRow(c, rows.Columns(), fields, c.ch.RowIdBase+k, rows.TimeZone(), rows.Pos()); err != nil {
			return err
		}
	}
}

// receive is the sorter's handling of one hand-off message: pairs into the
// partition's engine, and once the partition has the end of every chunk
// that feeds it (schemas.ChunkFeedsPartition, as the sorter), the last
// flush and the ingest. Partition gp is only ever
// received by one sorter.
func (es *engineSet) receive(ctx context.Context, st store.Store, m kvMsg) error {
	e := &es.parts[m.gp]
	if !m.marker {
		return es.addPairs(ctx, m.gp, m.pairs)
	}
	if !e.feeds(m.ordinal) {
		return nil
	}
	e.markers++
	if e.markers < e.feeders() {
		return nil
	}
	if err := es.flush(ctx, m.gp); err != nil {
		return err
	}
	if !e.written {
		return nil
	}
	dir := es.engineDir(m.gp)
	eng, release, err := es.pool.Acquire(ctx, dir)
	if err != nil {
		return err
	}
	defer release()
	// As the sorter: the ingest's own checksum of what it read is the
	// partition's, the store's checksum over the partition's key spans is
	// read right away, and the engine is synced with the ingested record.
	stats, err := ingest.Ingest(ctx, st, eng, ingest.Options{Bulk: true, KeySpace: tidbcodec.KeySpacePrefixLen})
	if err != nil {
		return fmt.Errorf("ingest %s: %w", dir, err)
	}
	done := &lsv1.PartitionIngested{Partition: uint32(e.partition), Kvs: stats.Checksum.KVs, Bytes: stats.Checksum.Bytes, Checksum: stats.Checksum.Sum}
	for _, sp := range stats.Spans {
		done.Spans = append(done.Spans, &lsv1.KeySpan{First: sp.First, Last: sp.Last})
	}
	if err := sorter.ReadSpanChecksum(ctx, st, done); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	e.ingested = done
	return eng.Sync()
}

// storeChecksum is the coordinator's store checksum of table t
// (coordinator.TableStoreChecksum over the partitions' span checksums).
func (es *engineSet) storeChecksum(ctx context.Context, st store.Store, t *table) (store.Checksum, error) {
	parts := map[uint32]*lsv1.PartitionIngested{}
	for i := range es.parts {
		if e := &es.parts[i]; e.t == t && e.ingested != nil {
			parts[uint32(e.partition)] = e.ingested
		}
	}
	return coordinator.TableStoreChecksum(ctx, st, coordinator.TableRanges(t.model.ID, t.model.PhysicalIDs()), parts)
}
