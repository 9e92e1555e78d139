// Package pipeline runs a whole import in one process: the embedded
// Kafka-protocol broker (or a real cluster), the embedded TiKV-protocol
// store, the producer, the coordinator and several encoder and sorter
// group members, all talking through the same Kafka and TiKV clients a
// distributed deployment uses. Everything it keeps lives under the work
// directory, so running the same command again resumes a killed import.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/producer"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// ErrWorkDirInUse: the work directory holds another dump's import.
var ErrWorkDirInUse = errors.New("work directory holds another import")

// Config of an all-in-one import.
type Config struct {
	// Dump is the dump directory.
	Dump string
	// WorkDir keeps the broker's data (embedded), the store, the engines,
	// the checkpoint and the rejects file (default ./lightstream-work).
	WorkDir string
	// Kafka: with no Brokers, an embedded broker runs under WorkDir/broker.
	Kafka kafkaio.Config
	// ImportID names the import's topics and groups. Empty: the one the
	// work directory's checkpoint records, or for a new import a generated
	// one (importid.Generate); given, it must be the recorded one.
	ImportID string
	// OnImportID, if set, is told the import's id before anything is
	// published (created: a new import).
	OnImportID func(id string, created bool)
	// Encoders and Sorters are the group members to run (default 2 each).
	// A negative count runs none: a deployment whose encoders or sorters
	// run in other processes (deploy/compose.yaml's importer; sorter
	// processes ingesting into one cluster through PD) still publishes and
	// coordinates here.
	Encoders, Sorters int
	// Filter rules, chunk size and KV partitions, as for the producer.
	Filter []string
	// Routes map source tables onto target tables (Lightning's [[routes]]).
	Routes []dump.Route
	// Source: Lightning's [mydumper] file rules, case sensitivity,
	// [black-white-list] and character sets, as for the producer.
	Source         dump.Source
	ChunkSize      int64
	KVPartitions   int
	PartitionBytes int64
	// CSV options of the dump and its SQL-mode escape flag.
	CSV                rowparse.CSVOptions
	NoBackslashEscapes bool
	// SQLMode and TimeZone of value conversion.
	SQLMode, TimeZone string
	// MaxErrors bad rows are recorded in WorkDir/rejects.jsonl and skipped.
	MaxErrors int
	// KVCompression is the encoders' KV batch codec (encoder.Config).
	KVCompression kafkaio.Compression
	// Store is the target: the embedded store under WorkDir (default) or a
	// cluster through PD.
	Store StoreConfig
	// Ingest tunes the ingest into the store; Mode defaults to auto
	// (physical where the store supports it).
	Ingest ingest.Options
	// EngineDir is where this process's sorters keep their engines
	// (default EngineDir(WorkDir)).
	EngineDir string
	// Logger receives the log of every stage the import runs (nil:
	// slog.Default()); each stage adds its role and member.
	Logger *slog.Logger
	// OnStart is called with the coordinator once it exists (for progress
	// displays).
	OnStart func(*coordinator.Coordinator)
	// Catalog creates the tables (nil: the coordinator's embedded
	// catalog; internal/state/tidbcatalog for TiDB).
	Catalog coordinator.Catalog
	// Cluster is the target's SQL layer for the coordinator's scheduler
	// pause, checksum, rebase and analyze (nil: see coordinator.Config).
	Cluster coordinator.Cluster
	// KeepEngines keeps the sorters' engines after ingest; DiskQuota
	// bounds the engine directory in bytes (0: no quota; see
	// sorter.EngineSpace); KVRetention is what becomes of a verified
	// table's KV topic.
	KeepEngines bool
	// Conflict is the [conflict] section (--on-duplicate,
	// --conflict-threshold, --conflict-max-record-rows): rows that share a
	// primary or unique key are detected by the sorters and resolved.
	Conflict    conflict.Config
	DiskQuota   int64
	KVRetention KVRetention
	// Logical, when set, is the logical backend (--backend tidb): SQL
	// batches executed by writers on its target; no sorter runs.
	Logical *LogicalConfig
	// Incremental imports into tables that already hold rows
	// (incremental.go): their keys count as conflicts with the new rows.
	Incremental bool
}

func (c *Config) validate() error {
	if c.Dump == "" {
		return errors.New("no dump directory (--dump)")
	}
	if c.WorkDir == "" {
		c.WorkDir = "lightstream-work"
	}
	if c.Encoders == 0 {
		c.Encoders = 2
	}
	if c.Sorters == 0 {
		c.Sorters = 2
	}
	if c.EngineDir == "" {
		c.EngineDir = EngineDir(c.WorkDir)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.KeepEngines && c.DiskQuota > 0 {
		return errors.New("--keep-engines and --disk-quota cannot be combined: the quota frees space by removing ingested engines")
	}
	if c.DiskQuota < 0 {
		return fmt.Errorf("--disk-quota %d is negative", c.DiskQuota)
	}
	if c.Logical != nil {
		if c.Incremental {
			return errors.New("--incremental is for the local backend: --backend tidb writes into tables that hold rows already (choose what a taken key does with --on-duplicate)")
		}
		if err := c.Logical.validate(); err != nil {
			return err
		}
		c.Sorters = -1
	}
	if c.CSV.Separator == "" {
		// Lightning's [mydumper.csv] defaults: header = true.
		c.CSV = rowparse.DefaultCSVOptions()
		c.CSV.Header = true
	}
	return nil
}

// dumpLocation returns where the stages read a dump (a local directory
// made absolute, which must exist; an s3:// URL as given) and how it is
// recorded (storage.Redact of it).
func dumpLocation(dump string) (location, recorded string, err error) {
	if storage.IsRemote(dump) {
		return dump, storage.Redact(dump), nil
	}
	abs, err := filepath.Abs(dump)
	if err != nil {
		return "", "", err
	}
	if st, err := os.Stat(abs); err != nil {
		return "", "", fmt.Errorf("dump directory: %w", err)
	} else if !st.IsDir() {
		return "", "", fmt.Errorf("dump directory %s is not a directory", dump)
	}
	return abs, abs, nil
}

// Paths of the work directory.
func checkpointPath(w string) string { return filepath.Join(w, "checkpoint.json") }

// StoreDir is where the embedded store keeps its data.
func StoreDir(w string) string { return filepath.Join(w, "store") }

// BrokerDir is where the embedded broker keeps its data.
func BrokerDir(w string) string { return filepath.Join(w, "broker") }

// EngineDir is where sorters keep their engines.
func EngineDir(w string) string { return filepath.Join(w, "engines") }

// CheckpointPath is the coordinator's checkpoint file.
func CheckpointPath(w string) string { return checkpointPath(w) }

// Result of an import.
type Result struct {
	// AlreadyComplete: the work directory held this import, finished.
	AlreadyComplete bool
	State           checkpoint.State
	Progress        coordinator.Progress
	Duration        time.Duration
	Rejected        int
	// Disk is what the work directory holds at the end, by area.
	Disk *DiskUse
}

const stepPublish = "publish-chunks"

// Run runs (or resumes) the import.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Ingest = IngestOptions(cfg.Store, cfg.Ingest)
	start := time.Now()
	// absDump is where the stages read the dump; recorded is what the
	// checkpoint, the topics and the summary say of it (an s3:// URL's
	// credentials redacted).
	absDump, recorded, err := dumpLocation(cfg.Dump)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	cp, err := checkpoint.Open(checkpointPath(cfg.WorkDir))
	if err != nil {
		return nil, err
	}
	if cfg.Incremental {
		if cp, err = startIncremental(&cfg, cp); err != nil {
			return nil, err
		}
	}
	snap := cp.Snapshot()
	if snap.Dump != "" && snap.Dump != recorded {
		return nil, fmt.Errorf("%w: %s was used for %s; use another --work-dir", ErrWorkDirInUse, cfg.WorkDir, snap.Dump)
	}
	sel := selection(cfg.Filter, cfg.Routes)
	if d := cfg.Source.Describe(); d != "" {
		sel += "; " + d
	}
	// A checkpoint of an older build records none: it is taken as it is.
	if snap.Dump != "" && snap.Selection != "" && snap.Selection != sel {
		return nil, fmt.Errorf("%w: %s was used for %s with %s; resume it with the same filters and routes, or use another --work-dir",
			ErrWorkDirInUse, cfg.WorkDir, snap.Dump, describeSelection(snap.Selection))
	}
	if snap.Status == checkpoint.Complete {
		id, _, err := resolveImportID(cfg, snap, nil, recorded)
		if err != nil {
			return nil, err
		}
		cfg.ImportID = id
		completeConflictsReport(ctx, cfg, snap, absDump)
		return &Result{AlreadyComplete: true, State: snap}, nil
	}
	pcfg := producer.Config{
		ImportID: cfg.ImportID, Dump: absDump, Filter: cfg.Filter, Routes: cfg.Routes, Source: cfg.Source, ChunkSize: cfg.ChunkSize,
		KVPartitions: cfg.KVPartitions, PartitionBytes: cfg.PartitionBytes, CSV: cfg.CSV, NoBackslashEscapes: cfg.NoBackslashEscapes, Logger: cfg.Logger,
	}
	var plan *producer.Plan
	if !cp.StepDone(stepPublish) {
		// Planned before the work directory is bound to the dump: a dump
		// that cannot be imported (a mistyped path, no tables) leaves the
		// work directory free for the right one.
		if plan, err = producer.MakePlan(pcfg); err != nil {
			return nil, err
		}
		if err := sorter.CheckQuota(plan.Manifests, cfg.DiskQuota); err != nil {
			return nil, err
		}
	}
	id, created, err := resolveImportID(cfg, snap, plan, recorded)
	if err != nil {
		return nil, err
	}
	cfg.ImportID, pcfg.ImportID = id, id
	if err := cp.Update(func(s *checkpoint.State) error { s.Dump, s.Selection, s.ImportID = recorded, sel, id; return nil }); err != nil {
		return nil, err
	}
	announceImportID(cfg, id, created)

	kcfg, st, closeAll, err := openRuntime(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeAll()

	if plan != nil {
		pcfg.Kafka = kcfg
		if _, err := producer.Publish(ctx, pcfg, plan); err != nil {
			return nil, err
		}
		if err := cp.SetStep(stepPublish, checkpoint.Done, ""); err != nil {
			return nil, err
		}
	}

	var rejects *encoder.RejectWriter
	if cfg.MaxErrors > 0 {
		if rejects, err = encoder.OpenRejects(filepath.Join(cfg.WorkDir, "rejects.jsonl"), cfg.MaxErrors); err != nil {
			return nil, err
		}
		defer rejects.Close()
	}

	var logical *lsv1.LogicalImport
	if cfg.Logical != nil {
		logical = cfg.Logical.message()
		if s, ok := cfg.Catalog.(interface{ SetImportID(string) }); ok {
			s.SetImportID(cfg.ImportID)
		}
	}
	coord, err := coordinator.New(coordinator.Config{
		Logical:  logical,
		ImportID: cfg.ImportID, Kafka: kcfg, Store: st, Checkpoint: cp,
		SQLMode: cfg.SQLMode, TimeZone: cfg.TimeZone, Logger: cfg.Logger, Catalog: cfg.Catalog, Cluster: cfg.Cluster, Incremental: cfg.Incremental,
		Verified: freeVerifiedTopic(cfg, kcfg),
	})
	if err != nil {
		return nil, err
	}
	if cfg.OnStart != nil {
		cfg.OnStart(coord)
	}
	// Where this run's events start: a member's failure after it is this
	// run's (RecordFailures below).
	eventsFrom, err := topiclog.EndOffset(ctx, kcfg, schemas.Topic(cfg.ImportID, schemas.EventsSuffix))
	if err != nil {
		return nil, err
	}
	// The coordinator decides when the import is over; the members run
	// until then.
	membersCtx, stopMembers := context.WithCancel(ctx)
	defer stopMembers()
	g, gctx := errgroup.WithContext(membersCtx)
	var coordErr error // the coordinator's own (it records what it must)
	g.Go(func() error {
		err := coord.Run(gctx)
		coordErr = err
		if err == nil {
			stopMembers()
		}
		return err
	})
	host, _ := os.Hostname()
	// One engine pool for the process: open engines cost memory, however
	// many partitions the sorters own.
	engines := sorter.NewEnginePool(8)
	defer engines.Close()
	space := sorter.NewEngineSpace(cfg.DiskQuota)
	for i := 0; i < cfg.Encoders; i++ {
		i := i
		g.Go(func() error {
			return encoder.Run(gctx, encoder.Config{
				ImportID: cfg.ImportID, Dump: absDump, Kafka: kcfg, Member: fmt.Sprintf("%s/%d/encoder-%d", host, os.Getpid(), i),
				MaxErrors: cfg.MaxErrors, Rejects: rejects, KVCompression: cfg.KVCompression, Logger: cfg.Logger,
			})
		})
	}
	for i := 0; i < cfg.Sorters; i++ {
		i := i
		g.Go(func() error {
			return sorter.Run(gctx, sorter.Config{
				ImportID: cfg.ImportID, Kafka: kcfg, Member: fmt.Sprintf("%s/%d/sorter-%d", host, os.Getpid(), i),
				EngineDir: cfg.EngineDir, Store: st, Ingest: cfg.Ingest, Engines: engines,
				SpanChecksums: SpanChecksums(cfg.Store), KeepEngines: cfg.KeepEngines, Space: space, Logger: cfg.Logger,
				Conflict: cfg.Conflict,
			})
		})
	}
	if cfg.Logical != nil {
		runWriters(gctx, g, cfg, kcfg, rejects)
	}
	err = g.Wait()
	if err != nil && ctx.Err() == nil && err != coordErr {
		// A member's failure cancelled the coordinator, perhaps before it
		// read the failure's event: record it in the checkpoint.
		rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		switch rerr := coord.RecordFailures(rctx, eventsFrom); {
		case rerr == nil && !errors.Is(err, context.Canceled):
			// A failure without an event (a sorter's).
			if lerr := coord.RecordError(err); lerr != nil {
				err = lerr
			}
		case errors.Is(rerr, coordinator.ErrNotRecorded):
			// The user must learn that the checkpoint does not hold it.
			err = fmt.Errorf("%w; and %w", err, rerr)
		case rerr != nil && !errors.Is(rerr, coordinator.ErrImportFailed):
			cfg.Logger.Warn("record the failure in the checkpoint", "err", rerr)
		}
		cancel()
	}
	reportConflicts(ctx, cfg, kcfg, absDump, cp.Snapshot())
	res := &Result{State: cp.Snapshot(), Progress: coord.Progress(), Duration: time.Since(start)}
	if rejects != nil {
		res.Rejected = rejects.Count()
	}
	if err != nil {
		return res, err
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if res.State.Status != checkpoint.Complete {
		return res, fmt.Errorf("import stopped before completion (status %q)", res.State.Status)
	}
	spread := partitionSpread(cfg, res.State)
	if err := finishDisk(ctx, cfg, kcfg, res.State); err != nil {
		return res, err
	}
	res.Disk = measureDisk(cfg, res.State, res.Progress.SourceBytes, space)
	res.Disk.Partitions = spread
	return res, nil
}

// selection is the table filter and routes of an import as recorded in
// its checkpoint ("default" for the default filter and no routes).
func selection(filter []string, routes []dump.Route) string {
	if len(filter) == 0 && len(routes) == 0 {
		return "default"
	}
	var parts []string
	for _, f := range filter {
		parts = append(parts, "filter "+f)
	}
	for _, r := range routes {
		parts = append(parts, fmt.Sprintf("route %s.%s=%s.%s", r.SchemaPattern, r.TablePattern, r.TargetSchema, r.TargetTable))
	}
	return strings.Join(parts, "; ")
}

func describeSelection(s string) string {
	if s == "default" {
		return "the default filter and no routes"
	}
	return s
}
