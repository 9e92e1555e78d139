// Package encoder is the encoder stage: consumer-group members that take
// chunk messages, parse the chunk's rows from the dump, turn every row into
// the exact KV pairs TiDB would write (record and index pairs), and
// produce them to the table's KV topic, followed by an end-of-chunk marker
// on every partition. A chunk's offset is committed only after all its
// pairs and markers are acknowledged and its ChunkEncoded event is
// written, so a crash re-encodes at most the chunks in flight, and
// encoding is deterministic: a re-encoded chunk yields identical pairs.
package encoder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/member"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/gate"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Config of one encoder member.
type Config struct {
	// ImportID names the import's topics and group; required.
	ImportID string
	// WaitForImport bounds the wait for the import's manifests topic
	// before joining its group (default importid.DefaultWait): an import
	// that does not appear in time is an error (importid.ErrNoImport).
	WaitForImport time.Duration
	// Dump is the dump's location, a directory or s3://bucket/prefix
	// (chunks name files relative to it).
	Dump string
	// Storage reads the dump (default: storage.Open of Dump at start).
	Storage storage.Storage
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Group is the consumer group (default "<import id>.encoders").
	Group string
	// Member names this member in events (default host/pid).
	Member string
	// BatchBytes is the packed size of one KV batch message (default
	// 512 KiB); QueueDepth the batches queued for the writer, and the
	// most it writes in one call (default 8).
	BatchBytes int
	QueueDepth int
	// KVCompression is the codec of the KV topics' batches (kafkaio's
	// Compression values; the zero value is none: see KVWriterOptions).
	KVCompression kafkaio.Compression
	// MaxErrors is how many bad rows are recorded in the rejects file and
	// skipped before the import stops (default 0: the first bad row stops
	// it).
	MaxErrors int
	// Rejects receives rejected rows (required when MaxErrors > 0).
	Rejects *RejectWriter
	// OnAssign, if set, is told each group generation's assignment of
	// this member (member.Config.OnAssign).
	OnAssign func(generation int32, assigned map[string][]int)
	// Logger receives the member's log (nil: slog.Default()); records
	// carry role=encoder and member, and per chunk table and chunk.
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if err := importid.Require("encoder", c.ImportID); err != nil {
		return err
	}
	if c.Dump == "" {
		return errors.New("encoder: no dump directory")
	}
	if c.Group == "" {
		c.Group = c.ImportID + schemas.EncodersGroupSuffix
	}
	if c.Member == "" {
		h, _ := os.Hostname()
		c.Member = fmt.Sprintf("%s/%d/encoder", h, os.Getpid())
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = 512 << 10
	}
	if c.QueueDepth <= 0 {
		c.QueueDepth = 8
	}
	if c.MaxErrors > 0 && c.Rejects == nil {
		return errors.New("encoder: MaxErrors needs a rejects file")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("role", "encoder", "member", c.Member)
	return c.Kafka.Validate()
}

// Run is one encoder group member: it runs until ctx ends or a chunk fails.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if cfg.Storage == nil {
		st, err := storage.Open(ctx, cfg.Dump)
		if err != nil {
			return fmt.Errorf("encoder: %w", err)
		}
		cfg.Storage = st
	}
	// A group member that joins before its topic exists is assigned no
	// partitions when the topic appears later (kafka-go's consumer group
	// does not watch for it): wait for the import, then for its chunks
	// topic.
	if err := importid.Await(ctx, cfg.Kafka, cfg.ImportID, cfg.WaitForImport, schemas.Topic(cfg.ImportID, schemas.ChunksSuffix)); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("encoder: %w", err)
	}
	kvw, err := kafkaio.NewWriter(cfg.Kafka, KVWriterOptions(cfg.BatchBytes, cfg.KVCompression))
	if err != nil {
		return err
	}
	defer kvw.Close()
	events, err := topiclog.NewWriter(cfg.Kafka)
	if err != nil {
		return err
	}
	defer events.Close()

	g, gctx := errgroup.WithContext(ctx)
	cache := schematopic.NewCache()
	g.Go(func() error {
		err := cache.Follow(gctx, cfg.Kafka, cfg.ImportID)
		if gctx.Err() != nil {
			return nil
		}
		return err
	})
	g.Go(func() error {
		e := &worker{cfg: cfg, cache: cache, kv: kvw, events: events, busy: gate.New(chunkEarlier),
			// A chunk holds a batch per partition being filled (8
			// partitions by default) and QueueDepth queued or being
			// written; beyond that, batches are allocated afresh.
			spares: newSpareBuffers(cfg.QueueDepth+8, 2*cfg.BatchBytes)}
		err := member.Run(gctx, member.Config{
			Kafka: cfg.Kafka, Group: cfg.Group,
			Topics: []string{schemas.Topic(cfg.ImportID, schemas.ChunksSuffix)},
			// Round-robin first: the producer spreads chunks over the
			// chunks topic's partitions round-robin in table order, so
			// each member gets chunks from all over each table and the
			// members progress through the tables together (see
			// chunkEarlier). Range stays on offer for older members.
			GroupBalancers: []kafkaio.GroupBalancer{kafkaio.BalanceRoundRobin, kafkaio.BalanceRange},
			OnAssign:       cfg.OnAssign,
		}, e.claim)
		return err
	})
	err = g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// KVWriterOptions are the options of the writer of KV batches of
// batchBytes (Config.BatchBytes); the bench's broker stage uses them too.
func KVWriterOptions(batchBytes int, comp kafkaio.Compression) kafkaio.WriterOptions {
	if comp == 0 {
		comp = kafkaio.CompressionNone
	}
	return kafkaio.WriterOptions{
		// Every message is already a packed batch of about batchBytes.
		// kafka-go batching would only make each synchronous call wait
		// Linger for a batch that never fills (5 ms per KV batch, most of
		// the produce time), allocate BatchSize message slots per batch,
		// and could merge several messages of a partition into one record
		// batch above the broker's message.max.bytes (1 MiB).
		BatchSize: 1,
		// A batch ends with the pair that crossed batchBytes; this only
		// rejects, client-side, a message with a huge pair.
		BatchBytes: int64(batchBytes) * 4,
		// None by default: sysbench-like KV batches shrink by a quarter
		// with lz4, snappy about the same, for a CPU cost that cut
		// producing to the embedded broker from ~400-500 MB/s to
		// ~70-90 MB/s on 2 cores (the encoder is CPU-bound already): the
		// local disk is the cheaper place to pay. A remote Kafka's
		// network may not be (the CLI picks lz4 there).
		Compression: comp,
	}
}

type worker struct {
	// busy admits one chunk at a time: the group may give a member many
	// partitions, but encoding is CPU-bound and a member is one core's
	// worth of work (run more members to use more cores). Of the waiting
	// chunks, the one earliest in its table goes first (chunkEarlier).
	busy   *gate.Gate[*lsv1.Chunk]
	cfg    Config
	cache  *schematopic.Cache
	kv     *kafkaio.Writer
	events *topiclog.Writer
	spares *spareBuffers
}

// chunkEarlier orders chunks by their position in their tables (ordinal
// over total chunks). A table's KV partitions take record keys by chunk
// order (schemas.KVPartition), and a partition is ingested once the
// chunks that feed it are encoded: encoding in table order completes
// partitions one after another, so their ingests spread over the import
// instead of piling up at its end.
func chunkEarlier(a, b *lsv1.Chunk) bool {
	return uint64(a.Ordinal)*uint64(max(b.TotalChunks, 1)) < uint64(b.Ordinal)*uint64(max(a.TotalChunks, 1))
}

// claim encodes the chunks of one partition of the chunks topic, in order.
func (e *worker) claim(ctx context.Context, c *member.Claim) error {
	start := c.Committed
	if start < 0 {
		start = kafkaio.FirstOffset
	}
	r, err := kafkaio.NewPartitionReader(e.cfg.Kafka, c.Topic, c.Partition, start, kafkaio.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch chunk: %w", err)
		}
		var ch lsv1.Chunk
		if err := proto.Unmarshal(m.Value, &ch); err != nil {
			return fmt.Errorf("%s[%d] offset %d: bad chunk message: %w", c.Topic, c.Partition, m.Offset, err)
		}
		release, err := e.busy.Acquire(ctx, &ch)
		if err != nil {
			return nil // ctx ended
		}
		err = e.encodeChunk(ctx, &ch)
		release()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Tell the coordinator, which stops the import with this error
			// (bounded: a broker that does not answer must not hold the
			// member past its own failure).
			ectx, cancel := context.WithTimeout(ctx, 30*time.Second)
			aerr := e.events.Append(ectx, schemas.Topic(e.cfg.ImportID, schemas.EventsSuffix), ch.Id, &lsv1.Event{
				Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: e.cfg.Member,
				Body: &lsv1.Event_Failed{Failed: &lsv1.ImportFailed{Db: ch.Db, Table: ch.Table, ChunkId: ch.Id, Error: err.Error()}},
			})
			cancel()
			if aerr != nil {
				return fmt.Errorf("%w (telling the coordinator failed too: %w)", err, aerr)
			}
			return err
		}
		e.cfg.Logger.Debug("chunk encoded", "table", ch.Db+"."+ch.Table, "chunk", ch.Id, "partition", c.Partition)
		if err := commitRetry(ctx, c, m.Offset+1); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("commit chunk offset: %w", err)
		}
	}
}

// encodeChunk encodes one chunk and reports it.
func (e *worker) encodeChunk(ctx context.Context, ch *lsv1.Chunk) error {
	ti, err := e.cache.Wait(ctx, ch.Db, ch.Table)
	if err != nil {
		return err
	}
	topic := schemas.KVTopic(e.cfg.ImportID, ch.Db, ch.Table)
	attempt := fmt.Sprintf("%s@%d", e.cfg.Member, time.Now().UnixNano())
	if ti.Msg.Logical != nil {
		return e.encodeLogicalChunk(ctx, ti, ch, attempt)
	}
	sink := newChunkSink(ctx, e.kv, topic, ti.Layout(), ch, attempt, e.cfg.BatchBytes, e.cfg.QueueDepth, e.spares)
	stats, err := encodeRows(ctx, e.cfg, ti, ch, sink)
	if err != nil {
		sink.abort()
		return err
	}
	totals, err := sink.finish()
	if err != nil {
		return err
	}
	metrics.ChunksEncoded.Inc()
	return e.events.Append(ctx, schemas.Topic(e.cfg.ImportID, schemas.EventsSuffix), ch.Id, &lsv1.Event{
		Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: e.cfg.Member,
		Body: &lsv1.Event_ChunkEncoded{ChunkEncoded: &lsv1.ChunkEncoded{
			Db: ch.Db, Table: ch.Table, ChunkId: ch.Id, Attempt: attempt, Rows: stats.rows,
			Kvs: totals.kvs, Bytes: totals.bytes, Checksum: totals.sum, SourceBytes: ch.SourceBytes, Rejected: stats.rejected,
			RowsParsed: proto.Uint64(stats.parsed), File: ch.File, StartOffset: ch.StartOffset, EndOffset: ch.EndOffset,
		}},
	})
}

func writeRetry(ctx context.Context, w *kafkaio.Writer, msgs []kafkaio.Message) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = w.WriteMessages(ctx, msgs...); err == nil || !kafkaio.IsRetriable(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return err
}

// commitRetry commits a chunk's offset, retrying while the broker is
// unreachable or restarting (about half a minute): a lost commit is not
// wrong — the chunk would be encoded again, identically — but it is work.
func commitRetry(ctx context.Context, c *member.Claim, offset int64) error {
	var err error
	for attempt := 0; attempt < 15; attempt++ {
		if err = c.Commit(offset); err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 250 * time.Millisecond):
		}
	}
	return err
}
