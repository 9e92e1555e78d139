package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// kvTimes are the stages after parsing: wall and CPU time.
type kvTimes struct {
	encode, produce, consume, engine, ingest span
	rows                                     int64
	kvs, kvBytes                             uint64
	messages                                 int64
}

// kvStages measures encoding, producing and consuming through the broker,
// writing engines and ingesting, each alone. The dump goes in rounds: every
// worker parses about roundBytes/workers of field bytes into memory
// (untimed), then the workers encode their rows into KV messages as the
// encoder would (encode), then write those messages to the broker as the
// encoder's chunk sink does (produce),
// then the sorters' share of the work writes the pairs into the engines
// (engine). After the last round everything is read back from the broker
// (consume) and every engine is ingested into the store (ingest).
func kvStages(ctx context.Context, p *plan, dir string, workers int, roundBytes int64, prof *profiler) (kt kvTimes, err error) {
	b, err := broker.Start(ctx, broker.Config{DataDir: filepath.Join(dir, "broker")})
	if err != nil {
		return kt, fmt.Errorf("start embedded broker: %w", err)
	}
	defer b.Close()
	kcfg := kafkaio.Config{Brokers: b.Addrs()}
	var specs []kafkaio.TopicSpec
	for _, t := range p.tables {
		if len(t.chunks) > 0 {
			specs = append(specs, kafkaio.TopicSpec{Name: t.mf.KvTopic, Partitions: int(t.mf.KvPartitions), Configs: map[string]string{"retention.ms": "-1"}})
		}
	}
	if err := kafkaio.EnsureTopics(ctx, kcfg, specs); err != nil {
		return kt, fmt.Errorf("create topics: %w", err)
	}
	writers := make([]*kafkaio.Writer, workers)
	for i := range writers {
		if writers[i], err = kafkaio.NewWriter(kcfg, encoder.KVWriterOptions(batchBytes, 0)); err != nil {
			return kt, err
		}
		defer writers[i].Close()
	}
	st, err := store.OpenEmbedded(filepath.Join(dir, "store"))
	if err != nil {
		return kt, fmt.Errorf("open embedded store: %w", err)
	}
	defer st.Close()
	pool := sorter.NewEnginePool(poolEngines)
	defer pool.Close()
	es := newEngineSet(p, filepath.Join(dir, "engines"), pool)

	cur := &cursor{p: p}
	sources := make([]chunkRows, workers)
	defer func() {
		for i := range sources {
			sources[i].close()
		}
	}()
	bufs := make([]rowBuffer, workers)
	sinks := make([]*encodeSink, workers)
	for i := range sinks {
		sinks[i] = newEncodeSink()
	}
	produced := make([][]int64, workers) // messages per global partition
	for i := range produced {
		produced[i] = make([]int64, p.partitions)
	}
	for more := true; more; {
		// Parse (untimed).
		g, gctx := errgroup.WithContext(ctx)
		mores := make([]bool, workers)
		for i := range workers {
			g.Go(func() error {
				bufs[i].reset()
				m, err := sources[i].fill(p, cur, &bufs[i], roundBytes/int64(workers))
				mores[i] = m
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return kt, err
		}
		more = false
		for _, m := range mores {
			more = more || m
		}

		// Encode.
		stop := prof.start(StageEncode)
		w := startWatch()
		g, gctx = errgroup.WithContext(ctx)
		for i := range workers {
			g.Go(func() error {
				s, b := sinks[i], &bufs[i]
				s.out = s.out[:0]
				for j := range b.rows {
					if j&1023 == 0 && gctx.Err() != nil {
						return gctx.Err()
					}
					if err := s.encode(b, &b.rows[j]); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return kt, err
		}
		kt.encode.add(w.elapsed())
		stop()

		// Produce: each encoder writes its own messages as its chunk
		// sink does: batches through a send queue, a chunk's markers once
		// the queue has written all of its batches.
		stop = prof.start("produce")
		w = startWatch()
		g, gctx = errgroup.WithContext(ctx)
		for i := range workers {
			g.Go(func() error {
				q := kafkaio.NewSendQueue(gctx, queueDepth, writers[i].WriteMessages)
				defer func() { _ = q.Close() }()
				for _, m := range sinks[i].out {
					if m.marker {
						if err := q.Close(); err != nil {
							return fmt.Errorf("produce to %s: %w", m.msgs[0].Topic, err)
						}
						if err := writers[i].WriteMessages(gctx, m.msgs...); err != nil {
							return fmt.Errorf("produce markers to %s: %w", m.msgs[0].Topic, err)
						}
						q = kafkaio.NewSendQueue(gctx, queueDepth, writers[i].WriteMessages)
					} else if err := q.Send(m.msgs...); err != nil {
						return fmt.Errorf("produce to %s: %w", m.msgs[0].Topic, err)
					}
					for _, msg := range m.msgs {
						produced[i][p.globalPartition(msg.Topic, msg.Partition)]++
					}
				}
				if err := q.Close(); err != nil {
					return fmt.Errorf("produce: %w", err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return kt, err
		}
		kt.produce.add(w.elapsed())
		stop()

		// Engine: the sorters' work on the same messages.
		stop = prof.start(StageEngine)
		w = startWatch()
		if err := es.write(ctx, sinks, workers); err != nil {
			return kt, err
		}
		kt.engine.add(w.elapsed())
		stop()
	}
	stop := prof.start(StageEngine)
	w := startWatch()
	if err := es.flushAll(ctx, workers); err != nil {
		return kt, err
	}
	kt.engine.add(w.elapsed())
	stop()
	for _, s := range sinks {
		kt.rows += s.rows
	}
	for _, pr := range produced {
		for _, n := range pr {
			kt.messages += n
		}
	}

	stop = prof.start("consume")
	w = startWatch()
	if err := consumeAll(ctx, p, kcfg, produced); err != nil {
		return kt, err
	}
	kt.consume = w.elapsed()
	stop()

	// The encoders' checksums are the oracle for the engines' content.
	want := tidbcodec.Checksum{}
	for _, s := range sinks {
		for _, c := range s.checksum {
			want.Add(*c)
		}
	}
	kt.kvs, kt.kvBytes = want.KVs, want.Bytes
	stop = prof.start(StageIngest)
	w = startWatch()
	got, err := es.ingestAll(ctx, st, workers)
	if err != nil {
		return kt, err
	}
	kt.ingest = w.elapsed()
	stop()
	if got != want {
		return kt, fmt.Errorf("bench: engines ingested %+v, encoders produced %+v", got, want)
	}
	return kt, nil
}

// globalPartition numbers a table partition over the whole import.
func (p *plan) globalPartition(topic string, partition int) int {
	for _, t := range p.tables {
		if t.mf.KvTopic == topic {
			return t.partBase + partition
		}
	}
	return -1
}

// engineSet is the sorters' engines: one per table partition, written in
// flushBytes batches through the pipeline's engine pool. Partition gp
// belongs to sorter gp%workers.
type engineSet struct {
	p     *plan
	dir   string
	pool  *sorter.EnginePool
	parts []engineState // by global partition
}

type engineState struct {
	t            *table
	partition    int
	keys, values [][]byte
	pending      int
	written      bool
	markers      int // hand-off: end-of-chunk markers received from feeding chunks
	// ingested is the hand-off's report of the partition's ingest, with
	// the store's checksum over its spans.
	ingested *lsv1.PartitionIngested
}

// feeds reports whether chunk ordinal of the partition's table feeds it.
func (e *engineState) feeds(ordinal uint32) bool {
	ids := make([]int64, 0, len(e.t.model.Indexes))
	for _, idx := range e.t.model.Indexes {
		ids = append(ids, idx.ID)
	}
	line := schemas.ManifestLines(len(e.t.chunks), e.t.mf.ChunkBytes)[ordinal]
	return e.t.layout().Feeds(line, e.partition, ids)
}

// feeders is how many chunks feed the partition.
func (e *engineState) feeders() int {
	n := 0
	for i := range e.t.chunks {
		if e.feeds(uint32(i)) {
			n++
		}
	}
	return n
}

func newEngineSet(p *plan, dir string, pool *sorter.EnginePool) *engineSet {
	es := &engineSet{p: p, dir: dir, pool: pool, parts: make([]engineState, p.partitions)}
	for _, t := range p.tables {
		for i := 0; i < int(t.mf.KvPartitions); i++ {
			es.parts[t.partBase+i] = engineState{t: t, partition: i}
		}
	}
	return es
}

func (es *engineSet) engineDir(gp int) string {
	e := &es.parts[gp]
	return sorter.EngineDir(es.dir, e.t.mf.KvTopic, e.partition)
}

// write decodes the round's batches as the sorter does and writes them.
func (es *engineSet) write(ctx context.Context, sinks []*encodeSink, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	for w := range workers {
		g.Go(func() error {
			for _, s := range sinks {
				for _, m := range s.out {
					if m.marker || m.gp%workers != w {
						continue
					}
					if err := es.add(gctx, m.gp, m.msgs[0].Value); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func (es *engineSet) add(ctx context.Context, gp int, value []byte) error {
	var msg lsv1.KVMessage
	if err := schemas.UnmarshalKVMessage(value, &msg); err != nil {
		return fmt.Errorf("bad KV message: %w", err)
	}
	b, ok := msg.Body.(*lsv1.KVMessage_Batch)
	if !ok {
		return errors.New("bench: KV batch expected")
	}
	return es.addPairs(ctx, gp, b.Batch.Pairs)
}

// addPairs buffers a batch's packed pairs for partition gp as the sorter
// does, flushing every flushBytes.
func (es *engineSet) addPairs(ctx context.Context, gp int, pairs []byte) error {
	e := &es.parts[gp]
	err := schemas.RangePairs(pairs, func(k, v []byte) error {
		e.keys = append(e.keys, k)
		e.values = append(e.values, v)
		e.pending += len(k) + len(v)
		return nil
	})
	if err != nil {
		return err
	}
	if e.pending >= flushBytes {
		return es.flush(ctx, gp)
	}
	return nil
}

// flush writes a partition's pending pairs with a meta key, then syncs,
// as the sorter does.
func (es *engineSet) flush(ctx context.Context, gp int) error {
	e := &es.parts[gp]
	if len(e.keys) == 0 {
		return nil
	}
	dir := es.engineDir(gp)
	eng, release, err := es.pool.Acquire(ctx, dir)
	if err != nil {
		return err
	}
	err = eng.WriteBatch(e.keys, e.values, map[string][]byte{"offset": []byte("0")})
	if err == nil {
		err = eng.Sync()
	}
	release()
	if err != nil {
		return fmt.Errorf("engine %s: %w", dir, err)
	}
	e.keys, e.values, e.pending, e.written = e.keys[:0], e.values[:0], 0, true
	return nil
}

func (es *engineSet) flushAll(ctx context.Context, workers int) error {
	return es.each(ctx, workers, func(ctx context.Context, gp int) error { return es.flush(ctx, gp) })
}

// each runs fn for every partition, partition gp on worker gp%workers.
func (es *engineSet) each(ctx context.Context, workers int, fn func(context.Context, int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for w := range workers {
		g.Go(func() error {
			for gp := w; gp < len(es.parts); gp += workers {
				if err := fn(gctx, gp); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// ingestAll ingests every written engine with the pipeline's options and
// returns the checksum of what was read from the engines.
func (es *engineSet) ingestAll(ctx context.Context, st store.Store, workers int) (tidbcodec.Checksum, error) {
	sums := make([]tidbcodec.Checksum, len(es.parts))
	err := es.each(ctx, workers, func(ctx context.Context, gp int) error {
		if !es.parts[gp].written {
			return nil
		}
		dir := es.engineDir(gp)
		eng, release, err := es.pool.Acquire(ctx, dir)
		if err != nil {
			return err
		}
		defer release()
		stats, err := ingest.Ingest(ctx, st, eng, ingest.Options{Bulk: true})
		if err != nil {
			return fmt.Errorf("ingest %s: %w", dir, err)
		}
		sums[gp] = stats.Checksum
		return nil
	})
	var all tidbcodec.Checksum
	for _, s := range sums {
		all.Add(s)
	}
	return all, err
}

// consumeAll reads every produced message back with one partition reader
// per table partition, all at once: a sorter member runs each claimed
// partition in its own goroutine, so the import reads them concurrently
// too. It checks the count.
func consumeAll(ctx context.Context, p *plan, kcfg kafkaio.Config, produced [][]int64) error {
	want := make([]int64, p.partitions)
	for _, pr := range produced {
		for gp, n := range pr {
			want[gp] += n
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, t := range p.tables {
		for i := 0; i < int(t.mf.KvPartitions); i++ {
			if n := want[t.partBase+i]; n > 0 {
				g.Go(func() error { return consumePartition(gctx, kcfg, t.mf.KvTopic, i, n) })
			}
		}
	}
	return g.Wait()
}

func consumePartition(ctx context.Context, kcfg kafkaio.Config, topic string, partition int, want int64) error {
	r, err := kafkaio.NewPartitionReader(kcfg, topic, partition, kafkaio.FirstOffset, kafkaio.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	for n := int64(0); n < want; n++ {
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := r.FetchMessage(fctx)
		cancel()
		if err != nil {
			return fmt.Errorf("consume %s[%d] after %d of %d messages: %w", topic, partition, n, want, err)
		}
	}
	return nil
}
