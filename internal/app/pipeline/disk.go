package pipeline

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// KVRetention is what becomes of a table's KV topic once the table is
// verified: kept (the default: `lightstream replay` rebuilds a table's
// engines from it), kept for a period, or deleted.
type KVRetention struct {
	// None deletes the topic; otherwise Period > 0 keeps it that long
	// after the import completes, and 0 keeps it.
	None   bool
	Period time.Duration
}

// ParseKVRetention reads --kv-retention: "keep", "none", or a period
// ("72h", "30m", "7d").
func ParseKVRetention(s string) (KVRetention, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "keep":
		return KVRetention{}, nil
	case "none":
		return KVRetention{None: true}, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n float64
		if n, err = strconv.ParseFloat(days, 64); err == nil {
			d = time.Duration(n * float64(24*time.Hour))
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return KVRetention{}, fmt.Errorf("--kv-retention %q: want keep, none, or a period such as 72h or 7d", s)
	}
	return KVRetention{Period: d}, nil
}

func (r KVRetention) String() string {
	switch {
	case r.None:
		return "none"
	case r.Period > 0:
		return r.Period.String()
	}
	return "keep"
}

// DiskUse is what the work directory holds at the end of an import, by
// area, next to the dump's size.
type DiskUse struct {
	DumpBytes int64 `json:"dump_bytes"`
	// WorkDirBytes is the whole work directory: broker, engines, store,
	// checkpoint and rejects (and the engine directory, when
	// --sorted-kv-dir puts it elsewhere).
	WorkDirBytes int64 `json:"work_dir_bytes"`
	BrokerBytes  int64 `json:"broker_bytes"`
	// KVTopicBytes is the part of BrokerBytes that the tables' KV topics
	// take: what replay needs, kept as --kv-retention says.
	KVTopicBytes int64  `json:"kv_topic_bytes"`
	KVRetention  string `json:"kv_retention"`
	EngineBytes  int64  `json:"engine_bytes"`
	StoreBytes   int64  `json:"store_bytes"`
	// EnginesWritten and EnginesFreed are the run files the sorters wrote
	// during this run and removed again; EnginesPeak the most the engine
	// directory held at once; DiskQuota the quota (0: none).
	EnginesWritten int64 `json:"engines_written_bytes"`
	EnginesFreed   int64 `json:"engines_freed_bytes"`
	EnginesPeak    int64 `json:"engines_peak_bytes"`
	DiskQuota      int64 `json:"disk_quota_bytes,omitempty"`
	// EarlyIngests counts the engines ingested before their partition was
	// complete, to stay within DiskQuota.
	EarlyIngests int64 `json:"early_ingests,omitempty"`
	// Partitions is how evenly each table's KV pairs spread over its KV
	// topic's partitions (embedded broker only, measured before
	// --kv-retention none deletes the topics).
	Partitions []PartitionSpread `json:"kv_partitions,omitempty"`
}

// PartitionSpread is the bytes of a table's KV topic partitions: the
// largest and the mean. A sorter takes a partition, so the largest decides
// when the table's last engine is ingested.
type PartitionSpread struct {
	DB         string  `json:"db"`
	Table      string  `json:"table"`
	Partitions int     `json:"partitions"`
	Largest    int64   `json:"largest_bytes"`
	Mean       float64 `json:"mean_bytes"`
	Ratio      float64 `json:"largest_to_mean"`
}

// partitionSpread measures the KV topic partitions of the verified tables
// in the embedded broker's directory (partition n of topic T lives in
// partitions/T-n).
func partitionSpread(cfg Config, state checkpoint.State) []PartitionSpread {
	dir := filepath.Join(BrokerDir(cfg.WorkDir), "partitions")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []PartitionSpread
	for _, t := range state.Tables {
		if t.Status != checkpoint.Done {
			continue
		}
		prefix := schemas.KVTopic(state.ImportID, t.DB, t.Name) + "-"
		var sizes []int64
		for _, e := range entries {
			n, ok := strings.CutPrefix(e.Name(), prefix)
			if !ok || !e.IsDir() {
				continue
			}
			if _, err := strconv.Atoi(n); err != nil {
				continue
			}
			sizes = append(sizes, dirBytes(filepath.Join(dir, e.Name()), nil))
		}
		var sum, largest int64
		for _, b := range sizes {
			sum += b
			largest = max(largest, b)
		}
		if len(sizes) < 2 || sum == 0 {
			continue
		}
		mean := float64(sum) / float64(len(sizes))
		out = append(out, PartitionSpread{DB: t.DB, Table: t.Name, Partitions: len(sizes), Largest: largest,
			Mean: mean, Ratio: float64(largest) / mean})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DB != out[j].DB {
			return out[i].DB < out[j].DB
		}
		return out[i].Table < out[j].Table
	})
	return out
}

// dirBytes is the disk space (allocated blocks, as du counts) of the
// files under dir whose path below dir passes keep (nil: all).
func dirBytes(dir string, keep func(rel string) bool) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if keep != nil {
			rel, _ := filepath.Rel(dir, path)
			if !keep(filepath.ToSlash(rel)) {
				return nil
			}
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		} else {
			n += info.Size()
		}
		return nil
	})
	return n
}

// measureDisk measures the work directory by area.
func measureDisk(cfg Config, state checkpoint.State, source int64, space *sorter.EngineSpace) *DiskUse {
	u := &DiskUse{
		DumpBytes: source, WorkDirBytes: dirBytes(cfg.WorkDir, nil),
		BrokerBytes: dirBytes(BrokerDir(cfg.WorkDir), nil), EngineBytes: dirBytes(cfg.EngineDir, nil),
		StoreBytes: dirBytes(StoreDir(cfg.WorkDir), nil), KVRetention: cfg.KVRetention.String(), DiskQuota: cfg.DiskQuota,
	}
	if rel, err := filepath.Rel(cfg.WorkDir, cfg.EngineDir); err != nil || strings.HasPrefix(rel, "..") {
		u.WorkDirBytes += u.EngineBytes // --sorted-kv-dir elsewhere
	}
	// The embedded broker keeps partition <topic>-<n> in its own
	// directory.
	prefix := schemas.Topic(state.ImportID, "kv") + "--"
	u.KVTopicBytes = dirBytes(filepath.Join(BrokerDir(cfg.WorkDir), "partitions"), func(rel string) bool {
		return strings.HasPrefix(rel, prefix)
	})
	if space != nil {
		st := space.Stats()
		u.EnginesWritten, u.EnginesFreed, u.EnginesPeak, u.EarlyIngests = st.Written, st.Freed, st.Peak, st.Spills
	}
	return u
}

// freeVerifiedTopic is, with --kv-retention none, what the coordinator does
// once a table is verified: delete the records of the table's KV topic, so
// that the broker drops its segments while the import goes on with other
// tables. The topic itself goes at the end (finishDisk): the sorters are
// one consumer group subscribed to every KV topic of the import, and a
// topic deleted under it would break the group's next rebalance. A
// failure costs only disk until the end, so it is logged.
func freeVerifiedTopic(cfg Config, kcfg kafkaio.Config) func(context.Context, *lsv1.TableManifest) {
	if !cfg.KVRetention.None {
		return nil
	}
	return func(ctx context.Context, mf *lsv1.TableManifest) {
		// Bounded: a slow broker must not hold up verifying other tables.
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := kafkaio.DeleteRecords(ctx, kcfg, mf.KvTopic); err != nil {
			cfg.Logger.Warn("--kv-retention none: delete the records of a verified table's KV topic", "table", mf.Db+"."+mf.Table, "topic", mf.KvTopic, "err", err)
		}
	}
}

// finishDisk runs once every table is verified: the engine directory's
// done records go (no sorter resumes a complete import; the engines
// themselves were removed after each ingest unless kept), and the KV
// topics are kept, expired or deleted as --kv-retention says.
func finishDisk(ctx context.Context, cfg Config, kcfg kafkaio.Config, state checkpoint.State) error {
	var topics []string
	for _, t := range state.Tables {
		if t.Status == checkpoint.Done {
			topics = append(topics, schemas.KVTopic(state.ImportID, t.DB, t.Name))
		}
	}
	if !cfg.KeepEngines {
		for _, t := range topics {
			if err := os.RemoveAll(filepath.Join(cfg.EngineDir, t)); err != nil {
				return fmt.Errorf("remove engines: %w", err)
			}
		}
	}
	switch {
	case cfg.KVRetention.None:
		if err := kafkaio.DeleteTopics(ctx, kcfg, topics...); err != nil {
			return fmt.Errorf("--kv-retention none: %w", err)
		}
	case cfg.KVRetention.Period > 0:
		// Retention counts from when a record was written: the records
		// of this import are as old as the import.
		age := time.Since(state.Started)
		if state.Started.IsZero() {
			age = 0
		}
		ms := (cfg.KVRetention.Period + age).Milliseconds()
		if err := kafkaio.SetRetention(ctx, kcfg, ms, topics...); err != nil {
			return fmt.Errorf("--kv-retention %s: %w", cfg.KVRetention, err)
		}
	}
	return nil
}
