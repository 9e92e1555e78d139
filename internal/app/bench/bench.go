// Package bench measures an import stage by stage on one dump, in one run:
// reading and decompressing, parsing, encoding, producing and consuming
// through the broker, writing Badger engines and ingesting into the store,
// each alone on the same data, then the whole import (internal/app/pipeline),
// then the same import with the broker replaced by an in-process hand-off,
// to show what Kafka costs. It is what `lightstream bench` runs.
//
// Every stage runs as the pipeline runs it: the same chunking, readers,
// RowCoder, sink batching, writer options, engine pool and flush size,
// ingest options and concurrency (Workers encoders and Workers sorters).
package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// Stage names, in pipeline order.
const (
	StageRead   = "read"   // read and decompress the dump files
	StageParse  = "parse"  // SQL/CSV rows from in-memory chunks
	StageEncode = "encode" // convert + generated columns + kvenc + sink routing
	StageBroker = "broker" // produce to the broker, then consume it all back
	StageEngine = "engine" // write Badger engines as the sorters do
	StageIngest = "ingest" // ingest the engines into the embedded store
)

// Config of a benchmark run.
type Config struct {
	// Dump is the dump directory; required.
	Dump string
	// WorkDir holds the benchmark's scratch directories (bench-stages,
	// bench-whole, bench-handoff), each removed before use; required.
	WorkDir string
	// Workers is how many encoders and sorters run (default 2, the
	// import's default, one per core on the reference machine).
	Workers int
	// ChunkSize and KVPartitions as for the import (defaults 64 MiB, 8).
	ChunkSize    int64
	KVPartitions int
	// RoundBytes is how many bytes of parsed field data all workers
	// together hold in memory per round of the encode, broker and engine
	// stages (default 64 MiB).
	RoundBytes int64
	// CSV options and SQL-mode escape flag of the dump.
	CSV                rowparse.CSVOptions
	NoBackslashEscapes bool
	// SQLMode and TimeZone of value conversion (defaults as the import's).
	SQLMode, TimeZone string
	// Keep keeps the scratch directories after the run (default: removed).
	Keep bool
	// ProfileDir, if set, receives a CPU profile of every stage measured
	// alone and of the whole and hand-off imports (see profiler).
	ProfileDir string
	// Logger receives the log of the stages measured (nil:
	// slog.Default()); Progress says which stage starts (may be nil).
	Logger   *slog.Logger
	Progress func(string)
}

func (c *Config) validate() error {
	if c.Dump == "" {
		return errors.New("bench: no dump directory")
	}
	if c.WorkDir == "" {
		return errors.New("bench: no work directory")
	}
	if storage.IsRemote(c.Dump) {
		return fmt.Errorf("bench: %s: the bench reads a local dump directory", storage.Redact(c.Dump))
	}
	abs, err := filepath.Abs(c.Dump)
	if err != nil {
		return err
	}
	c.Dump = abs
	if st, err := os.Stat(c.Dump); err != nil {
		return fmt.Errorf("dump directory: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("dump directory %s is not a directory", c.Dump)
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.ChunkSize <= 0 {
		c.ChunkSize = dump.DefaultChunkSize
	}
	if c.KVPartitions <= 0 {
		c.KVPartitions = 8
	}
	if c.RoundBytes <= 0 {
		c.RoundBytes = 64 << 20
	}
	if c.CSV.Separator == "" {
		c.CSV = rowparse.DefaultCSVOptions()
	}
	if c.TimeZone == "" {
		c.TimeZone = "+00:00"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Progress == nil {
		c.Progress = func(string) {}
	}
	return nil
}

// Throughput is a timed run over the dump's source data.
type Throughput struct {
	Seconds float64 `json:"seconds"`
	// MBPerS is source (decompressed dump) megabytes, 10^6 bytes, per second.
	MBPerS   float64 `json:"mb_per_s"`
	RowsPerS float64 `json:"rows_per_s"`
	// CPUSeconds is the CPU time (user + system, all threads) the process
	// spent during the run.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	// CPUSecondsPerGiB is CPUSeconds per GiB (2^30 bytes) of source: what
	// decides throughput on any number of cores.
	CPUSecondsPerGiB float64 `json:"cpu_seconds_per_gib,omitempty"`
	// PeakRSSBytes is the process's peak RSS during the run, when it could
	// be measured on its own (0 otherwise).
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`
}

// Stage is one stage measured alone.
type Stage struct {
	Name string `json:"name"`
	Throughput
	// Note explains how the stage was measured, where that is not obvious.
	Note string `json:"note,omitempty"`
}

// Report is the benchmark's result; its JSON form is a contract (see
// the README): source_bytes, rows, stages[{name, seconds, mb_per_s,
// rows_per_s}], whole{seconds, mb_per_s, rows_per_s}, slowest_stage,
// whole_to_slowest, peak_rss_bytes and broker_vs_handoff.
type Report struct {
	Dump        string `json:"dump"`
	SourceBytes int64  `json:"source_bytes"`
	Rows        int64  `json:"rows"`
	Chunks      int    `json:"chunks"`
	KVPairs     uint64 `json:"kv_pairs"`
	KVBytes     uint64 `json:"kv_bytes"`
	Workers     int    `json:"workers"`
	CPUs        int    `json:"cpus"`

	Stages []Stage `json:"stages"`
	// Whole is the import through internal/app/pipeline (embedded broker and
	// store); Handoff the same import with bounded Go channels instead
	// of the broker.
	Whole   Throughput `json:"whole"`
	Handoff Throughput `json:"handoff"`
	// WholeSorted is the whole import up to the moment every table
	// partition's engine held all its pairs, sorted: the pipeline's
	// dump-to-sorted-engines rate (read, parse, encode, broker and sort
	// running together, with the ingests of partitions completed earlier
	// sharing the cores). WholeIngested is up to the end of the last
	// ingest; the rest of Whole is the checksum against the store and the
	// finish. Both come from the sorters' reports in the checkpoint.
	WholeSorted   Throughput `json:"whole_sorted"`
	WholeIngested Throughput `json:"whole_ingested"`

	// SlowestStage names the stage with the lowest throughput;
	// WholeToSlowest is the whole import's throughput divided by that
	// stage's (1 would mean the import runs as fast as its bottleneck).
	SlowestStage   string  `json:"slowest_stage"`
	WholeToSlowest float64 `json:"whole_to_slowest"`
	// StagesCPUSeconds is the CPU time of all the stages measured alone:
	// the work the whole import cannot avoid. CPUBoundSeconds is that
	// over the machine's CPUs: on these cores no import doing the stages'
	// work can take less, however well its stages overlap, so
	// WholeToSlowest cannot exceed MaxWholeToSlowest = slowest stage
	// seconds / CPUBoundSeconds (at most 1).
	StagesCPUSeconds  float64 `json:"stages_cpu_seconds"`
	CPUBoundSeconds   float64 `json:"cpu_bound_seconds"`
	MaxWholeToSlowest float64 `json:"max_whole_to_slowest"`
	// PeakRSSBytes is the process's peak RSS over the whole benchmark
	// (VmHWM); Whole.PeakRSSBytes is the import's alone.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// BrokerVsHandoff is whole seconds / hand-off seconds: how many times
	// longer the import takes through the broker than without it.
	BrokerVsHandoff float64 `json:"broker_vs_handoff"`
	// ProduceSeconds and ConsumeSeconds are the broker stage's two halves.
	ProduceSeconds float64 `json:"produce_seconds"`
	ConsumeSeconds float64 `json:"consume_seconds"`
	// LoadAverage is /proc/loadavg's 1, 5 and 15 minute figures at the
	// start and at the end: the machine may be shared.
	LoadAverageStart [3]float64 `json:"load_average_start"`
	LoadAverageEnd   [3]float64 `json:"load_average_end"`
}

// Run measures every stage, the whole import and the hand-off import.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	prof, err := newProfiler(cfg.ProfileDir)
	if err != nil {
		return nil, err
	}
	rep := &Report{Dump: cfg.Dump, Workers: cfg.Workers, CPUs: runtime.NumCPU(), LoadAverageStart: loadAverage()}
	p, err := makePlan(ctx, &cfg, "bench", planBrokers)
	if err != nil {
		return nil, err
	}
	rep.SourceBytes, rep.Chunks = p.sourceBytes, len(p.chunks)
	var peak int64
	phase := func(name string, fn func() error) (int64, error) {
		cfg.Progress(name)
		resettable := resetPeakRSS()
		err := fn()
		hwm := peakRSS()
		peak = max(peak, hwm)
		if !resettable {
			hwm = 0
		}
		return hwm, err
	}
	scratch := func(name string) (string, func(), error) {
		dir := filepath.Join(cfg.WorkDir, name)
		if err := os.RemoveAll(dir); err != nil {
			return "", nil, err
		}
		return dir, func() {
			if !cfg.Keep {
				os.RemoveAll(dir)
			}
		}, nil
	}

	var src sourceTimes
	if _, err := phase("read, parse", func() (err error) {
		src, err = measureSource(ctx, p, cfg.Workers)
		return err
	}); err != nil {
		return nil, err
	}
	rep.Rows = src.rows

	var kt kvTimes
	dir, done, err := scratch("bench-stages")
	if err != nil {
		return nil, err
	}
	_, err = phase("encode, broker, engine, ingest", func() (err error) {
		kt, err = kvStages(ctx, p, dir, cfg.Workers, cfg.RoundBytes, prof)
		return err
	})
	done()
	if err != nil {
		return nil, err
	}
	if kt.rows != rep.Rows {
		return nil, fmt.Errorf("bench: encode stage saw %d rows, parse stage %d", kt.rows, rep.Rows)
	}
	rep.KVPairs, rep.KVBytes = kt.kvs, kt.kvBytes
	rep.ProduceSeconds, rep.ConsumeSeconds = kt.produce.wall.Seconds(), kt.consume.wall.Seconds()

	var whole *pipeline.Result
	var wholeCPU span
	if dir, done, err = scratch("bench-whole"); err != nil {
		return nil, err
	}
	wholePeak, err := phase("whole import", func() (err error) {
		defer prof.start("whole")()
		w := startWatch()
		defer func() { wholeCPU = w.elapsed() }()
		whole, err = pipeline.Run(ctx, pipeline.Config{
			Dump: cfg.Dump, WorkDir: dir, Encoders: cfg.Workers, Sorters: cfg.Workers,
			ChunkSize: cfg.ChunkSize, KVPartitions: cfg.KVPartitions, CSV: cfg.CSV, NoBackslashEscapes: cfg.NoBackslashEscapes,
			SQLMode: cfg.SQLMode, TimeZone: cfg.TimeZone, Logger: cfg.Logger,
		})
		return err
	})
	done()
	if err != nil {
		return nil, fmt.Errorf("whole import: %w", err)
	}
	if int64(whole.Progress.Rows) != rep.Rows {
		return nil, fmt.Errorf("bench: the whole import saw %d rows, the stages %d", whole.Progress.Rows, rep.Rows)
	}

	var ho handoffResult
	var handoffCPU span
	if dir, done, err = scratch("bench-handoff"); err != nil {
		return nil, err
	}
	handoffPeak, err := phase("hand-off import", func() (err error) {
		defer prof.start("handoff")()
		w := startWatch()
		defer func() { handoffCPU = w.elapsed() }()
		ho, err = handoff(ctx, &cfg, dir, cfg.Workers)
		return err
	})
	done()
	if err != nil {
		return nil, fmt.Errorf("hand-off import: %w", err)
	}
	if ho.rows != rep.Rows {
		return nil, fmt.Errorf("bench: the hand-off import saw %d rows, the stages %d", ho.rows, rep.Rows)
	}

	tp := func(d time.Duration) Throughput { return throughput(d, rep.SourceBytes, rep.Rows) }
	stp := func(s span) Throughput {
		t := tp(s.wall)
		t.CPUSeconds = s.cpu.Seconds()
		return t
	}
	brokerSpan := kt.produce
	brokerSpan.add(kt.consume)
	broker := stp(brokerSpan)
	rep.Stages = []Stage{
		{Name: StageRead, Throughput: stp(src.read), Note: "dump.OpenRange into memory, one chunk per worker at a time (files may be in the page cache)"},
		{Name: StageParse, Throughput: stp(src.parse), Note: "rowparse readers over the in-memory chunks"},
		{Name: StageEncode, Throughput: stp(kt.encode), Note: "RowCoder and the chunk sink's routing, checksums and batch marshalling over pre-parsed rows"},
		{Name: StageBroker, Throughput: broker, Note: fmt.Sprintf("produce %.2fs + consume %.2fs of %d messages: the pipeline does both to every byte, on the same cores", kt.produce.wall.Seconds(), kt.consume.wall.Seconds(), kt.messages)},
		{Name: StageEngine, Throughput: stp(kt.engine), Note: "KV message decoding and engine writes (sorted runs in Badger's table format) in the sorter's flush size, through the pipeline's engine pool"},
		{Name: StageIngest, Throughput: stp(kt.ingest), Note: "ingest.Ingest with Bulk into the embedded store"},
	}
	rep.Whole = tp(whole.Duration)
	rep.Whole.CPUSeconds = wholeCPU.cpu.Seconds()
	rep.Whole.PeakRSSBytes = wholePeak
	var sorted, ingested time.Time
	for _, t := range whole.State.Tables {
		if t.Sorted.After(sorted) {
			sorted = t.Sorted
		}
		if t.Ingested.After(ingested) {
			ingested = t.Ingested
		}
	}
	if !sorted.IsZero() && !ingested.IsZero() {
		rep.WholeSorted = tp(sorted.Sub(whole.State.Started))
		rep.WholeIngested = tp(ingested.Sub(whole.State.Started))
	}
	rep.Handoff = tp(ho.elapsed)
	rep.Handoff.CPUSeconds = handoffCPU.cpu.Seconds()
	rep.Handoff.PeakRSSBytes = handoffPeak
	perGiB := func(t *Throughput) {
		if rep.SourceBytes > 0 {
			t.CPUSecondsPerGiB = t.CPUSeconds / (float64(rep.SourceBytes) / (1 << 30))
		}
	}
	for i := range rep.Stages {
		perGiB(&rep.Stages[i].Throughput)
	}
	perGiB(&rep.Whole)
	perGiB(&rep.Handoff)
	slowest := rep.Stages[0]
	for _, s := range rep.Stages[1:] {
		if s.Seconds > slowest.Seconds {
			slowest = s
		}
	}
	rep.SlowestStage = slowest.Name
	// Throughputs over the same source bytes: whole/slowest throughput is
	// slowest seconds / whole seconds.
	rep.WholeToSlowest = ratio(slowest.Seconds, rep.Whole.Seconds)
	for _, s := range rep.Stages {
		rep.StagesCPUSeconds += s.CPUSeconds
	}
	rep.CPUBoundSeconds = rep.StagesCPUSeconds / float64(rep.CPUs)
	rep.MaxWholeToSlowest = min(1, ratio(slowest.Seconds, rep.CPUBoundSeconds))
	rep.BrokerVsHandoff = ratio(rep.Whole.Seconds, rep.Handoff.Seconds)
	rep.PeakRSSBytes = peak
	rep.LoadAverageEnd = loadAverage()
	if prof != nil && prof.err != nil {
		cfg.Logger.Warn("cpu profile", "err", prof.err)
	}
	return rep, nil
}

// throughput of a run of d over the source; d is at least a nanosecond so
// every figure is finite.
func throughput(d time.Duration, bytes, rows int64) Throughput {
	s := max(d, time.Nanosecond).Seconds()
	return Throughput{Seconds: s, MBPerS: float64(bytes) / 1e6 / s, RowsPerS: float64(rows) / s}
}

func ratio(a, b float64) float64 {
	if b <= 0 || math.IsInf(a, 0) || math.IsNaN(a) {
		return 0
	}
	return a / b
}
