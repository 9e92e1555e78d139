// Package sorter is the sorter stage: consumer-group members that own
// partitions of the per-table KV topics, write their pairs into one sorted
// Badger engine per table partition, and, once a partition holds the
// end-of-chunk marker of every chunk in the table's manifest, ingest the
// engine into the store and report it.
//
// The engine is the durable state: it records, atomically with the pairs,
// the next offset to read and the markers seen, and reading resumes from
// there (the group's committed offset only trails it, for lag monitoring).
// Pairs are idempotent (a re-delivered or re-encoded batch rewrites
// identical pairs) and a chunk's marker counts once, whatever attempt
// wrote it, so the engine ends up the same however often the pipeline
// crashed.
package sorter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/member"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Config of one sorter member.
type Config struct {
	// ImportID names the import's topics and group; required.
	ImportID string
	// WaitForImport bounds the wait for the import's manifests topic
	// before joining its group (default importid.DefaultWait): an import
	// that does not appear in time is an error (importid.ErrNoImport).
	WaitForImport time.Duration
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Group is the consumer group (default "<import id>.sorters").
	Group string
	// Member names this member in events (default host/pid).
	Member string
	// EngineDir holds the engines: <EngineDir>/<kv topic>/<partition>.
	EngineDir string
	// Store receives the ingested pairs.
	Store store.Store
	// Ingest tunes ingest.
	Ingest ingest.Options
	// FlushBytes: pairs buffered per claim before an engine write, which
	// becomes one sorted run (default 16 MiB: fewer, bigger runs make
	// ingest's merge cheaper). SyncBytes: bytes written between engine
	// syncs, which are also the points where the group offset is
	// committed (default 32 MiB).
	FlushBytes int
	SyncBytes  int
	// Engines is the process's engine pool, shared by its sorter members
	// (default: a pool of 4 for this member).
	Engines *EnginePool
	// SpanChecksums: after each ingest, read the store's checksum over the
	// partition's key spans and report it (PartitionIngested
	// store_checksum), for a coordinator that checksums against the store
	// itself rather than through TiDB.
	SpanChecksums bool
	// OnAssign, if set, is told each group generation's assignment of
	// this member (member.Config.OnAssign).
	OnAssign func(generation int32, assigned map[string][]int)
	// KeepEngines keeps a partition's engine after its ingest (default:
	// removed once ingested and reported, leaving a done record; see
	// release).
	KeepEngines bool
	// Space accounts for the engines' disk and holds the disk quota,
	// shared by the process's sorter members like Engines (default: no
	// quota, for this member).
	Space *EngineSpace
	// Conflict is the [conflict] section: with a strategy, rows that
	// share a primary or unique key are found before the ingest and
	// resolved (see conflicts.go). Every sorter of an import must be
	// given the same.
	Conflict conflict.Config
	// Logger receives the member's log (nil: slog.Default(); see setLogger).
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if err := importid.Require("sorter", c.ImportID); err != nil {
		return err
	}
	if c.Group == "" {
		c.Group = c.ImportID + schemas.SortersGroupSuffix
	}
	if c.Member == "" {
		h, _ := os.Hostname()
		c.Member = fmt.Sprintf("%s/%d/sorter", h, os.Getpid())
	}
	if c.EngineDir == "" {
		return errors.New("sorter: no engine directory")
	}
	if c.Store == nil {
		return errors.New("sorter: no store")
	}
	if c.FlushBytes <= 0 {
		c.FlushBytes = DefaultFlushBytes
	}
	if c.SyncBytes <= 0 {
		c.SyncBytes = DefaultSyncBytes
	}
	if c.Space == nil {
		c.Space = NewEngineSpace(0)
	}
	if err := c.Conflict.Adjust(); err != nil {
		return fmt.Errorf("sorter: %w", err)
	}
	if c.Conflict.Enabled() && c.Space.Limit() > 0 {
		return errors.New("sorter: a disk quota ingests engines early, before their conflicts can be resolved: it cannot be combined with conflict.strategy")
	}
	c.setLogger()
	if c.KeepEngines && c.Space.Limit() > 0 {
		return errors.New("sorter: a disk quota frees space by removing ingested engines: it cannot be combined with keeping them")
	}
	return c.Kafka.Validate()
}

// Defaults of Config.FlushBytes and Config.SyncBytes.
const (
	DefaultFlushBytes = 16 << 20
	DefaultSyncBytes  = 32 << 20
)

// Run is one sorter group member: it runs until ctx ends or fails.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := importid.Await(ctx, cfg.Kafka, cfg.ImportID, cfg.WaitForImport); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("sorter: %w", err)
	}
	manifests, err := importid.Manifests(ctx, cfg.Kafka, cfg.ImportID)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var all []*lsv1.TableManifest
	for _, mf := range manifests {
		all = append(all, mf)
	}
	if err := CheckQuota(all, cfg.Space.Limit()); err != nil {
		return err
	}
	var topics []string
	for t, mf := range manifests {
		if len(mf.ChunkIds) > 0 {
			topics = append(topics, t)
		}
	}
	if len(topics) == 0 {
		<-ctx.Done()
		return nil
	}
	events, err := topiclog.NewWriter(cfg.Kafka)
	if err != nil {
		return err
	}
	defer events.Close()
	if cfg.Engines == nil {
		cfg.Engines = NewEnginePool(4)
		defer cfg.Engines.Close()
	}
	s := &partitionSorter{cfg: cfg, manifests: manifests, events: events, tables: schematopic.NewCache()}
	defer s.followSchemas(ctx)()
	err = member.Run(ctx, member.Config{Kafka: cfg.Kafka, Group: cfg.Group, Topics: topics, OnAssign: cfg.OnAssign},
		func(ctx context.Context, c *member.Claim) error {
			return s.sortPartition(ctx, c.Topic, c.Partition, c.Commit)
		})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// followSchemas follows the import's schemas topic into s.tables until
// the returned stop is called; stop waits for the follower. The follower's
// failure is not lost: every later s.tables.Wait returns it.
func (s *partitionSorter) followSchemas(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.tables.Follow(ctx, s.cfg.Kafka, s.cfg.ImportID)
	}()
	return func() {
		cancel()
		<-done
	}
}

type partitionSorter struct {
	cfg       Config
	manifests map[string]*lsv1.TableManifest
	events    *topiclog.Writer
	// tables holds the published schemas: a partition's index ids say
	// which chunks feed it (schemas.Layout.Feeds).
	tables *schematopic.Cache
}

// feeds works out which chunks feed st's partition, once: the schema is
// published before any chunk of the table is encoded, so it is there by
// the time a marker is. It waits for the schema only when st has markers.
func (s *partitionSorter) feeds(ctx context.Context, st *partitionState) error {
	if st.needed != nil || len(st.markers) == 0 {
		return nil
	}
	t, err := s.tables.Wait(ctx, st.mf.Db, st.mf.Table)
	if err != nil {
		return fmt.Errorf("schema of %s.%s: %w", st.mf.Db, st.mf.Table, err)
	}
	st.setFeeds(t.Layout(), t.IndexIDs())
	return nil
}

// idleFlush is how long a partition waits without new messages before it
// writes what it buffered.
const idleFlush = 5 * time.Second

// Meta keys kept in each engine next to the pairs.
const (
	metaOffset   = "offset"   // next offset to read, decimal
	metaChunk    = "chunk/"   // + chunk id: the marker (EndOfChunk proto)
	metaIngested = "ingested" // the PartitionIngested proto once ingested
)

// afterIngest keeps the claim of an ingested partition until ctx ends,
// reading what still arrives: the markers of chunks that do not feed it
// (they are sent to every partition) and re-encoded batches of chunks it
// already holds. A marker saying that a chunk which does not feed the
// partition sent it pairs would mean pairs that are never ingested: that
// stops the member with an error instead (the coordinator's checksum
// comparison would fail the table too, later and less clearly).
//
// It commits the group offset past what it read (commit may be nil), so
// that a finished import's sorter group shows no lag.
func (s *partitionSorter) afterIngest(ctx context.Context, topic string, partition int, st *partitionState, commit func(int64) error) error {
	r, err := s.openPartition(topic, partition, st.next)
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
			return fmt.Errorf("fetch %s[%d]: %w", topic, partition, err)
		}
		var msg lsv1.KVMessage
		if err := schemas.UnmarshalKVMessage(m.Value, &msg); err != nil {
			return fmt.Errorf("%s[%d] offset %d: bad KV message: %w", topic, partition, m.Offset, err)
		}
		if eoc := msg.GetEndOfChunk(); eoc != nil && eoc.Kvs > 0 && !st.needed[eoc.ChunkId] {
			return fmt.Errorf("%s[%d] offset %d: chunk %s sent %d pairs to partition %d of %s.%s after it was ingested without them (the chunk does not feed it by schemas.Layout.Feeds)",
				topic, partition, m.Offset, eoc.ChunkId, eoc.Kvs, partition, st.mf.Db, st.mf.Table)
		}
		if commit != nil {
			// Advisory, as in sortPartition: a failed commit is retried
			// with the next message.
			_ = commit(m.Offset + 1)
		}
	}
}

// openPartition reads a KV partition from offset next (0: the first).
func (s *partitionSorter) openPartition(topic string, partition int, next int64) (*kafkaio.Reader, error) {
	if next == 0 {
		next = kafkaio.FirstOffset
	}
	// A KV message is up to ~512 KiB: the reader's prefetch is bounded in
	// messages and bytes so that a member owning many partitions stays
	// within a few MiB per claim.
	return kafkaio.NewPartitionReader(s.cfg.Kafka, topic, partition, next, kafkaio.ReaderOptions{MaxBytes: 2 << 20, QueueCapacity: 4})
}

// ingest writes a complete engine into the store, reports it and
// releases the engine (release).
func (s *partitionSorter) ingest(ctx context.Context, dir string, st *partitionState) (*lsv1.PartitionIngested, error) {
	complete := time.Now()
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer release()
	var (
		src    ingest.Source = eng
		filter *conflict.Filter
	)
	if st.losers != nil {
		filter = &conflict.Filter{Src: eng, Losers: st.losers}
		src = filteredEngine{filter: filter, eng: eng}
	}
	part, err := s.ingestEngine(ctx, src, st)
	if err != nil {
		return nil, err
	}
	// What was ingested early to stay within the disk quota counts too:
	// the figures add up, and the spans are the union of all ingests'
	// (those of a partition's successive ingests may overlap: the store
	// checksum is read over the union, after the last).
	done := combineIngests(append(slices.Clone(st.spills), part))
	done.Db, done.Table, done.Partition, done.CompleteUnixNano = st.mf.Db, st.mf.Table, st.partition, complete.UnixNano()
	if filter != nil {
		// The table's rows this partition replaced (incremental import)
		// are left out of the store as the losing rows' pairs are.
		done.Conflicts = &lsv1.ConflictsResolved{Kvs: filter.Dropped.KVs + st.replaced.KVs, Bytes: filter.Dropped.Bytes + st.replaced.Bytes,
			Checksum: filter.Dropped.Sum ^ st.replaced.Sum, LosingRows: uint64(len(st.losers)), DuplicateKeys: uint64(st.duplicateKeys)}
	}
	if err := s.checksumSpans(ctx, done); err != nil {
		return nil, fmt.Errorf("%s.%s partition %d: %w", st.mf.Db, st.mf.Table, st.partition, err)
	}
	raw, _ := proto.Marshal(done)
	if err := eng.SetMeta(metaIngested, raw); err != nil {
		return nil, err
	}
	if err := eng.Sync(); err != nil {
		return nil, err
	}
	st.ingested = done
	if err := s.report(ctx, st); err != nil {
		return nil, err
	}
	metrics.PartitionsIngested.Inc()
	release()
	return done, s.release(dir, st)
}

// ingestEngine writes what eng holds into the store: its figures and key
// spans.
func (s *partitionSorter) ingestEngine(ctx context.Context, eng ingest.Source, st *partitionState) (*lsv1.PartitionIngested, error) {
	// Ingest checksums the pairs as it reads them: the engine is not read
	// a second time.
	opts := s.cfg.Ingest
	opts.KeySpace = tidbcodec.KeySpacePrefixLen
	start := time.Now()
	stats, err := ingest.Ingest(ctx, s.cfg.Store, eng, opts)
	if err != nil {
		return nil, fmt.Errorf("ingest %s.%s partition %d: %w", st.mf.Db, st.mf.Table, st.partition, err)
	}
	sum := stats.Checksum
	metrics.IngestSeconds.Observe(time.Since(start).Seconds())
	metrics.IngestKVPairs.Add(float64(sum.KVs))
	metrics.IngestBytes.Add(float64(sum.Bytes))
	part := &lsv1.PartitionIngested{Kvs: sum.KVs, Bytes: sum.Bytes, Checksum: sum.Sum}
	for _, sp := range stats.Spans {
		part.Spans = append(part.Spans, &lsv1.KeySpan{First: sp.First, Last: sp.Last})
	}
	return part, nil
}

// checksumSpans reads the store's checksum over done's spans into
// done.StoreChecksum, when the sorter is asked to (Config.SpanChecksums).
func (s *partitionSorter) checksumSpans(ctx context.Context, done *lsv1.PartitionIngested) error {
	if !s.cfg.SpanChecksums {
		done.StoreChecksum = nil
		return nil
	}
	return ReadSpanChecksum(ctx, s.cfg.Store, done)
}

func (s *partitionSorter) report(ctx context.Context, st *partitionState) error {
	s.cfg.Logger.Info("partition ingested", "table", st.mf.Db+"."+st.mf.Table, "partition", st.partition, "kvs", st.ingested.GetKvs())
	return s.events.Append(ctx, schemas.Topic(s.cfg.ImportID, schemas.EventsSuffix), st.mf.KvTopic, &lsv1.Event{
		Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: s.cfg.Member,
		Body: &lsv1.Event_PartitionIngested{PartitionIngested: st.ingested},
	})
}
