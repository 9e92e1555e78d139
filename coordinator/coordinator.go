// Package coordinator runs an import's lifecycle, as TiDB Lightning does:
// import mode on, create schemas, track every chunk and table partition to
// completion, compare each table's source checksum with what the store
// holds, analyze, compact, normal mode. Every step is recorded in the
// checkpoint, so a restarted coordinator carries on where it stopped; its
// view of chunk and partition progress is rebuilt from the events topic,
// which it reads from the start.
package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrChecksumMismatch: a table's pairs in the store differ from what the
// encoders produced (a duplicate key in the source, or lost data).
var ErrChecksumMismatch = errors.New("checksum mismatch")

// ErrImportFailed: a member reported an error that stops the import.
var ErrImportFailed = errors.New("import failed")

// Step names recorded in the checkpoint.
const (
	StepImportMode = "import-mode"
	StepSchemas    = "create-schemas"
	StepCompact    = "compact"
	StepNormalMode = "normal-mode"
	StepAnalyze    = "analyze"
	StepChecksum   = "checksum"
	StepSchema     = "schema"
)

// Config is what the coordinator needs.
type Config struct {
	// ImportID names the import's topics; required, and on a resumed
	// checkpoint the one it records.
	ImportID string
	// WaitForImport bounds the wait for the import's manifests topic
	// (default importid.DefaultWait; see importid.Await).
	WaitForImport time.Duration
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Store is the target store.
	Store store.Store
	// Catalog creates tables (default EmbeddedCatalog).
	Catalog Catalog
	// Checkpoint records progress; required.
	Checkpoint *checkpoint.File
	// SQLMode and TimeZone are the session settings values are converted
	// with (defaults: the empty sql_mode, which converts as TiDB
	// Lightning's default ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER does, not
	// strict; "+00:00"). "" is the empty mode, as Lightning's sql-mode = "".
	SQLMode  string
	TimeZone string
	// Warn receives warnings for the user (nil: dropped).
	Warn func(string)
	// ImportModeRefresh is how often the store is switched to import mode
	// again while importing (default DefaultImportModeRefresh; negative:
	// never).
	ImportModeRefresh time.Duration
}

func (c *Config) validate() error {
	if err := importid.Require("coordinator", c.ImportID); err != nil {
		return err
	}
	if c.Store == nil {
		return errors.New("coordinator: no store")
	}
	if c.Checkpoint == nil {
		return errors.New("coordinator: no checkpoint")
	}
	if c.Catalog == nil {
		c.Catalog = defaultCatalog(c.Store)
	}
	if c.TimeZone == "" {
		c.TimeZone = "+00:00"
	}
	if c.Warn == nil {
		c.Warn = func(string) {}
	}
	if c.ImportModeRefresh == 0 {
		c.ImportModeRefresh = DefaultImportModeRefresh
	}
	return nil
}

// TableProgress is one table's live state.
type TableProgress struct {
	DB, Table      string
	TableID        int64
	Chunks         int
	ChunksEncoded  int
	Partitions     int
	PartsIngested  int
	Rows           uint64 // encoded
	RowsParsed     uint64
	RowsRejected   uint64
	SourceBytes    int64
	EncodedBytes   int64
	Source, Stored checkpoint.Checksum
	Status         checkpoint.Status
	Error          string
}

// Progress is a snapshot of the import.
type Progress struct {
	Tables      []TableProgress
	TablesTotal int
	TablesDone  int
	SourceBytes int64
	DoneBytes   int64
	Rows        uint64
}

type tableState struct {
	manifest  *lsv1.TableManifest
	tableID   int64
	ids       []int64 // physical IDs: the partitions', or tableID
	chunks    map[string]*lsv1.ChunkEncoded
	parts     map[uint32]*lsv1.PartitionIngested
	status    checkpoint.Status
	source    checkpoint.Checksum
	stored    checkpoint.Checksum
	rows      uint64
	counts    rowCounts // rows parsed, encoded, rejected (rowcount.go)
	encBytes  int64
	lastError string
	// sorted and ingested: the latest partition's engine-complete and
	// ingest-done times.
	sorted, ingested time.Time
}

// Coordinator runs one import's lifecycle.
type Coordinator struct {
	cfg Config

	mu     sync.Mutex
	tables map[string]*tableState // by checkpoint.Key
	count  int                    // tables in the import, from the manifests
	claims claimHolder            // tables held in the store's catalog
}

// New validates cfg and returns a coordinator.
func New(cfg Config) (*Coordinator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Coordinator{cfg: cfg, tables: map[string]*tableState{}}, nil
}

// Progress returns a snapshot for progress displays and summaries.
func (c *Coordinator) Progress() Progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Progress
	p.TablesTotal = c.count
	keys := make([]string, 0, len(c.tables))
	for k := range c.tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := c.tables[k]
		tp := TableProgress{
			DB: t.manifest.Db, Table: t.manifest.Table, TableID: t.tableID,
			Chunks: len(t.manifest.ChunkIds), ChunksEncoded: len(t.chunks),
			Partitions: int(t.manifest.KvPartitions), PartsIngested: len(t.parts),
			Rows: t.rows, RowsParsed: t.counts.parsed, RowsRejected: t.counts.rejected, SourceBytes: t.manifest.SourceBytes, EncodedBytes: t.encBytes,
			Source: t.source, Stored: t.stored, Status: t.status, Error: t.lastError,
		}
		for _, ce := range t.chunks {
			p.DoneBytes += ce.SourceBytes
		}
		p.SourceBytes += t.manifest.SourceBytes
		p.Rows += t.rows
		if t.status == checkpoint.Done {
			p.TablesDone++
		}
		p.Tables = append(p.Tables, tp)
	}
	return p
}

// Run drives the import to completion. It returns nil once every table is
// imported and verified, and the checkpoint says complete.
func (c *Coordinator) Run(ctx context.Context) error {
	cp := c.cfg.Checkpoint
	if err := cp.Update(func(s *checkpoint.State) error {
		if err := c.claimCheckpoint(s); err != nil {
			return err
		}
		if s.Started.IsZero() {
			s.Started = time.Now().UTC()
		}
		s.Status = checkpoint.Running
		s.Error = ""
		return nil
	}); err != nil {
		return err
	}
	if err := c.awaitImport(ctx); err != nil {
		return err
	}
	resumed := cp.StepDone(StepImportMode)
	if err := c.step(StepImportMode, func() error { return c.cfg.Store.SwitchMode(ctx, true) }); err != nil {
		return err
	}
	// Normal mode is restored on every way out, as Lightning does (a
	// background context: a cancelled run must still switch back).
	defer func() {
		bg, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.cfg.Store.SwitchMode(bg, false); err != nil && !errors.Is(err, store.ErrNotSupported) {
			c.cfg.Warn(fmt.Sprintf("switch store back to normal mode: %v", err))
		}
	}()
	// Import mode lapses on TiKV unless refreshed; a resumed run switches
	// it on again (the step is recorded done from the first run).
	stopImportMode := func() {}
	if cp.Snapshot().Steps[StepImportMode].Status == checkpoint.Done {
		stopImportMode = c.holdImportMode(ctx, c.cfg.ImportModeRefresh, resumed)
	}
	defer stopImportMode()

	// --- cluster catalog (internal/state/tidbcatalog): PD's schedulers stay paused
	// until the import ends, whichever way it ends.
	if sp, ok := c.cfg.Catalog.(SchedulerPauser); ok {
		resume, err := sp.PauseSchedulers(ctx)
		if err != nil {
			return c.fail(fmt.Errorf("pause schedulers: %w", err))
		}
		defer func() {
			bg, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := resume(bg); err != nil {
				c.cfg.Warn(fmt.Sprintf("resume PD's schedulers: %v", err))
			}
		}()
	}
	// --- end cluster catalog

	w, err := topiclog.NewWriter(c.cfg.Kafka)
	if err != nil {
		return err
	}
	defer w.Close()

	if err := c.loadManifests(ctx); err != nil {
		return err
	}
	stopCatalog, err := c.startStoreCatalog(ctx)
	if err != nil {
		return c.fail(err)
	}
	defer stopCatalog()
	if err := c.createSchemas(ctx, w); err != nil {
		return c.fail(err)
	}
	if err := c.trackEvents(ctx); err != nil {
		return c.fail(err)
	}
	if err := c.createViews(ctx); err != nil {
		return c.fail(err)
	}
	if err := c.step(StepCompact, func() error { return c.cfg.Store.Compact(ctx, nil, nil) }); err != nil {
		return err
	}
	stopImportMode()
	if err := c.step(StepNormalMode, func() error { return c.cfg.Store.SwitchMode(ctx, false) }); err != nil {
		return err
	}
	c.releaseClaims(ctx)
	return cp.Update(func(s *checkpoint.State) error {
		s.Status = checkpoint.Complete
		s.Finished = time.Now().UTC()
		return nil
	})
}

func (c *Coordinator) fail(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	_ = c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		s.Status = checkpoint.Failed
		s.Error = err.Error()
		return nil
	})
	return err
}

// step runs a lifecycle step once: a store that cannot do it records the
// step as skipped with the reason.
func (c *Coordinator) step(name string, fn func() error) error {
	if c.cfg.Checkpoint.StepDone(name) {
		return nil
	}
	err := fn()
	switch {
	case err == nil:
		return c.cfg.Checkpoint.SetStep(name, checkpoint.Done, "")
	case errors.Is(err, store.ErrNotSupported):
		return c.cfg.Checkpoint.SetStep(name, checkpoint.Skipped, err.Error())
	default:
		return fmt.Errorf("%s: %w", name, err)
	}
}

// loadManifests reads the manifests topic until every table of the import
// is known.
func (c *Coordinator) loadManifests(ctx context.Context) error {
	topic := schemas.Topic(c.cfg.ImportID, schemas.ManifestsSuffix)
	return topiclog.Follow(ctx, c.cfg.Kafka, topic, func(m kafka.Message) error {
		var mf lsv1.TableManifest
		if err := proto.Unmarshal(m.Value, &mf); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		key := checkpoint.Key(mf.Db, mf.Table)
		if _, ok := c.tables[key]; !ok {
			c.tables[key] = &tableState{manifest: &mf, chunks: map[string]*lsv1.ChunkEncoded{}, parts: map[uint32]*lsv1.PartitionIngested{}}
		}
		c.count = int(mf.TableCount)
		if len(c.tables) >= c.count {
			return topiclog.ErrStop
		}
		return nil
	})
}

// trackEvents follows the events topic until every table is verified.
func (c *Coordinator) trackEvents(ctx context.Context) error {
	if c.allDone() {
		return nil
	}
	// Tables without chunks are complete as soon as their schema exists.
	for _, key := range c.keys() {
		if err := c.maybeFinish(ctx, key); err != nil {
			return err
		}
	}
	if c.allDone() {
		return nil
	}
	topic := schemas.Topic(c.cfg.ImportID, schemas.EventsSuffix)
	// A failure reported before this run started belongs to an earlier
	// attempt: its chunk was not committed and is encoded again now (after
	// the user fixed the input), so only failures from this run count.
	runStart, err := topiclog.EndOffset(ctx, c.cfg.Kafka, topic)
	if err != nil {
		return err
	}
	return topiclog.Follow(ctx, c.cfg.Kafka, topic, func(m kafka.Message) error {
		var ev lsv1.Event
		if err := proto.Unmarshal(m.Value, &ev); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		var key string
		switch b := ev.Body.(type) {
		case *lsv1.Event_ChunkEncoded:
			key = checkpoint.Key(b.ChunkEncoded.Db, b.ChunkEncoded.Table)
			if err := c.chunkEncoded(key, b.ChunkEncoded); err != nil {
				return err
			}
		case *lsv1.Event_PartitionIngested:
			key = checkpoint.Key(b.PartitionIngested.Db, b.PartitionIngested.Table)
			c.mu.Lock()
			if ts := c.tables[key]; ts != nil {
				ts.parts[b.PartitionIngested.Partition] = b.PartitionIngested
				if at := time.Unix(0, b.PartitionIngested.CompleteUnixNano).UTC(); b.PartitionIngested.CompleteUnixNano > 0 && at.After(ts.sorted) {
					ts.sorted = at
				}
				if at := time.Unix(0, ev.TimeUnixNano).UTC(); at.After(ts.ingested) {
					ts.ingested = at
				}
			}
			c.mu.Unlock()
		case *lsv1.Event_Failed:
			if m.Offset < runStart {
				return nil
			}
			f := b.Failed
			return fmt.Errorf("%w: %s.%s chunk %s: %s", ErrImportFailed, f.Db, f.Table, f.ChunkId, f.Error)
		default:
			return nil
		}
		if err := c.maybeFinish(ctx, key); err != nil {
			return err
		}
		if c.allDone() {
			return topiclog.ErrStop
		}
		return nil
	})
}

func (c *Coordinator) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.tables))
	for k := range c.tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *Coordinator) allDone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tables) < c.count {
		return false
	}
	for _, t := range c.tables {
		if t.status != checkpoint.Done {
			return false
		}
	}
	return true
}

// maybeFinish verifies a table once all its chunks are encoded and all its
// partitions ingested: checksum against the store, then analyze.
func (c *Coordinator) maybeFinish(ctx context.Context, key string) error {
	c.mu.Lock()
	ts := c.tables[key]
	ready := ts != nil && ts.status != checkpoint.Done &&
		len(ts.chunks) >= len(ts.manifest.ChunkIds) &&
		(len(ts.manifest.ChunkIds) == 0 || len(ts.parts) >= int(ts.manifest.KvPartitions))
	if !ready {
		c.mu.Unlock()
		return nil
	}
	tableID, ids, source, rows, counts, mf := ts.tableID, ts.ids, ts.source, ts.rows, ts.counts, ts.manifest
	rejected := rejectedRows(ts.chunks)
	parts := make(map[uint32]*lsv1.PartitionIngested, len(ts.parts))
	for p, r := range ts.parts {
		parts[p] = r
	}
	c.mu.Unlock()
	source = lessResolved(source, parts)

	// --- cluster catalog: ADMIN CHECKSUM TABLE instead of a store scan.
	post, _ := c.cfg.Catalog.(PostImporter)
	var stored checkpoint.Checksum
	if post != nil {
		got, err := post.Checksum(ctx, mf.Db, mf.Table)
		if err != nil {
			return fmt.Errorf("checksum %s.%s: %w", mf.Db, mf.Table, err)
		}
		stored = got
	} else {
		// The sorters read most of the table right after each ingest:
		// only the gaps between their spans are left to read.
		got, err := TableStoreChecksum(ctx, c.cfg.Store, TableRanges(tableID, ids), parts)
		if err != nil {
			return fmt.Errorf("checksum %s.%s: %w", mf.Db, mf.Table, err)
		}
		stored = checkpoint.Checksum{Sum: got.Sum, KVs: got.KVs, Bytes: got.Bytes}
	}
	// failure wraps the sentinel (ErrChecksumMismatch, ErrNoRows) that
	// callers match with errors.Is; the checkpoint keeps its text.
	var failure error
	if stored != source {
		failure = fmt.Errorf("%w: %s.%s: source checksum %d kvs %d bytes %d, %s checksum %d kvs %d bytes %d%s",
			ErrChecksumMismatch, mf.Db, mf.Table, source.Sum, source.KVs, source.Bytes, c.checksumSource(), stored.Sum, stored.KVs, stored.Bytes,
			mismatchHint(source, stored))
	}
	if failure == nil {
		failure = noRows(mf, rows, rejected)
	}
	status, errText := checkpoint.Done, ""
	if failure != nil {
		status, errText = checkpoint.Failed, failure.Error()
	}
	var rebaseStep, analyzeStep checkpoint.Step
	if status == checkpoint.Done && post != nil {
		// Rebase before the table counts as done: a resumed import redoes
		// both (each is idempotent). A failed ANALYZE only costs plan
		// quality: a warning, as Lightning's default (analyze = optional).
		if err := c.rebase(ctx, post, key); err != nil {
			return fmt.Errorf("%s: %w", StepRebase, err)
		}
		rebaseStep = checkpoint.Step{Status: checkpoint.Done, At: time.Now().UTC()}
		analyzeStep = checkpoint.Step{Status: checkpoint.Done}
		if err := post.Analyze(ctx, mf.Db, mf.Table); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.cfg.Warn(fmt.Sprintf("analyze %s.%s: %v", mf.Db, mf.Table, err))
			analyzeStep = checkpoint.Step{Status: checkpoint.Failed, Reason: err.Error()}
		}
		analyzeStep.At = time.Now().UTC()
	}
	// --- end cluster catalog
	c.mu.Lock()
	ts.stored, ts.status, ts.lastError = stored, status, errText
	sorted, ingested := ts.sorted, ts.ingested
	c.mu.Unlock()
	if err := c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			r = &checkpoint.Table{DB: mf.Db, Name: mf.Table, TableID: tableID}
			s.Tables[key] = r
		}
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Rows, r.Source, r.Store, r.Status, r.Error = rows, source, stored, status, errText
		r.RowsParsed, r.RowsRejected = counts.parsed, counts.rejected
		r.Sorted, r.Ingested = sorted, ingested
		r.Conflicts = conflictsOf(parts)
		now := time.Now().UTC()
		r.Steps[StepChecksum] = checkpoint.Step{Status: status, Reason: errText, At: now}
		switch {
		case status == checkpoint.Done && post != nil:
			r.Steps[StepRebase], r.Steps[StepAnalyze] = rebaseStep, analyzeStep
		case status == checkpoint.Done:
			// The embedded store keeps no statistics: ANALYZE TABLE needs a
			// TiDB server (cluster catalog).
			r.Steps[StepAnalyze] = checkpoint.Step{Status: checkpoint.Skipped, Reason: "the " + c.cfg.Catalog.Name() + " catalog has no statistics to analyze", At: now}
		}
		return nil
	}); err != nil {
		return err
	}
	return failure
}

// checksumSource names where the compared checksum came from.
func (c *Coordinator) checksumSource() string {
	if _, ok := c.cfg.Catalog.(PostImporter); ok {
		return c.cfg.Catalog.Name() + " (ADMIN CHECKSUM)"
	}
	return "store"
}

// rebase loads the table's model from the checkpoint (it holds what the
// catalog returned) and rebases its allocators.
func (c *Coordinator) rebase(ctx context.Context, post PostImporter, key string) error {
	rec := c.cfg.Checkpoint.Snapshot().Tables[key]
	if rec == nil || len(rec.Model) == 0 {
		return fmt.Errorf("%s: no table model in the checkpoint", key)
	}
	var t tablemodel.Table
	if err := json.Unmarshal(rec.Model, &t); err != nil {
		return fmt.Errorf("%s: table model: %w", key, err)
	}
	return post.Rebase(ctx, &t)
}

// mismatchHint says what a checksum mismatch most likely means, from the
// pair counts.
func mismatchHint(source, stored checkpoint.Checksum) string {
	switch {
	case stored.KVs < source.KVs:
		return fmt.Sprintf(" (%d pairs fewer than were encoded: most likely rows whose primary key or a unique key value occurs more than once in the dump, which collapse into one pair; merged shards often overlap so. set conflict.strategy (--on-duplicate error, replace or ignore) to find such rows and name or resolve them)", source.KVs-stored.KVs)
	case stored.KVs > source.KVs:
		return fmt.Sprintf(" (%d pairs more than were encoded: the table's key range held data before the import)", stored.KVs-source.KVs)
	}
	return " (as many pairs as were encoded, with other contents: data changed in the store or on the way)"
}
