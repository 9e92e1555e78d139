package e2e

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/sorter"
)

// genDump writes a generated dump of the tables, size bytes in all.
func genDump(t *testing.T, size, fileSize int64, tables ...string) string {
	t.Helper()
	dump := t.TempDir()
	if _, err := dumpgen.Run(context.Background(), dumpgen.Config{Dir: dump, Size: size, Seed: 5, Tables: tables, FileSize: fileSize}); err != nil {
		t.Fatal(err)
	}
	return dump
}

// engineFiles lists the files under the engine directory.
func engineFiles(t *testing.T, work string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(pipeline.EngineDir(work), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func allVerified(t *testing.T, res *pipeline.Result) {
	t.Helper()
	if len(res.State.Tables) == 0 {
		t.Fatal("no tables")
	}
	for k, tb := range res.State.Tables {
		if tb.Status != checkpoint.Done || tb.Store != tb.Source || tb.Source.KVs == 0 {
			t.Errorf("%s: status %s, source %+v, store %+v", k, tb.Status, tb.Source, tb.Store)
		}
	}
}

// TestEnginesRemovedAfterIngest: a finished import leaves no engine file
// behind and says how much it wrote and freed; with KeepEngines every
// partition's engine stays; a table whose engines are gone is replayed
// from its KV topic to the same checksum.
func TestEnginesRemovedAfterIngest(t *testing.T) {
	dump := genDump(t, 3<<20, 0, "sbtest", "orderline")
	cfg := pipeline.Config{Dump: dump, ChunkSize: 256 << 10, KVPartitions: 3, PartitionBytes: 256 << 10}

	cfg.WorkDir = t.TempDir()
	res := mustImport(t, cfg)
	allVerified(t, res)
	if files := engineFiles(t, cfg.WorkDir); len(files) > 0 {
		t.Errorf("engine files left after the import: %q", files)
	}
	d := res.Disk
	if d == nil || d.EnginesWritten == 0 || d.EnginesFreed != d.EnginesWritten || d.EngineBytes != 0 || d.DumpBytes != res.Progress.SourceBytes {
		t.Errorf("disk use %+v", d)
	}
	if d != nil && (d.StoreBytes == 0 || d.BrokerBytes < d.KVTopicBytes || d.KVTopicBytes == 0 || d.WorkDirBytes < d.BrokerBytes+d.StoreBytes) {
		t.Errorf("disk use by area %+v", d)
	}

	// Replay of a table whose engines were removed: same checksum.
	for _, tb := range []string{"sbtest", "orderline"} {
		rr, err := pipeline.Replay(context.Background(), pipeline.Config{WorkDir: cfg.WorkDir}, "gen", tb)
		if err != nil {
			t.Fatalf("replay %s: %v", tb, err)
		}
		if !rr.Match || rr.Partitions != 3 || rr.Source.KVs == 0 {
			t.Errorf("replay %s: %+v", tb, rr)
		}
	}
	if files := engineFiles(t, cfg.WorkDir); len(files) > 0 {
		t.Errorf("engine files left after the replays: %q", files)
	}

	keep := cfg
	keep.WorkDir, keep.KeepEngines = t.TempDir(), true
	res = mustImport(t, keep)
	allVerified(t, res)
	for _, tb := range []string{"sbtest", "orderline"} {
		for p := 0; p < 3; p++ {
			dir := sorter.EngineDir(pipeline.EngineDir(keep.WorkDir), schemas.KVTopic(res.State.ImportID, "gen", tb), p)
			eng, err := engine.Open(dir, engine.Options{ReadOnly: true})
			if err != nil {
				t.Errorf("--keep-engines: %v", err)
				continue
			}
			if pairs, _, err := eng.Stats(); err != nil || pairs == 0 {
				t.Errorf("--keep-engines: engine %s holds %d pairs (%v)", dir, pairs, err)
			}
			eng.Close()
		}
	}
	if res.Disk.EnginesFreed != 0 || res.Disk.EngineBytes < res.Disk.EnginesWritten {
		t.Errorf("--keep-engines: disk use %+v", res.Disk)
	}
}

// TestDiskQuota imports two tables at once within an engine quota
// smaller than their engines together: the sorters ingest engines early
// to make room, every table is verified, and the engine directory,
// measured while the import runs, never holds more than the quota and
// one batch (a batch is an eighth of the quota, plus its run's index).
func TestDiskQuota(t *testing.T) {
	dump := genDump(t, 12<<20, 0, "sbtest", "orderline")
	const quota = 3 << 20
	cfg := pipeline.Config{Dump: dump, WorkDir: t.TempDir(), ChunkSize: 256 << 10, KVPartitions: 4, PartitionBytes: 256 << 10, DiskQuota: quota}

	var (
		mu   sync.Mutex
		most int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var n int64
			_ = filepath.WalkDir(pipeline.EngineDir(cfg.WorkDir), func(_ string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if info, err := d.Info(); err == nil {
						n += info.Size()
					}
				}
				return nil
			})
			mu.Lock()
			most = max(most, n)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	res := mustImport(t, cfg)
	close(stop)
	wg.Wait()
	allVerified(t, res)
	if res.Disk.EarlyIngests == 0 {
		t.Errorf("no engine was ingested early: the quota was never reached (%+v)", res.Disk)
	}
	if res.Disk.EnginesWritten <= quota {
		t.Errorf("the engines wrote %d bytes in all, within the quota %d: nothing tested", res.Disk.EnginesWritten, quota)
	}
	if limit := int64(quota + quota/8 + quota/8); most > limit {
		t.Errorf("the engine directory held %d bytes, more than the quota %d and one batch (%d)", most, quota, limit)
	}
	t.Logf("engine directory at most %d bytes (quota %d), %d early ingests, %d bytes written", most, quota, res.Disk.EarlyIngests, res.Disk.EnginesWritten)
	if files := engineFiles(t, cfg.WorkDir); len(files) > 0 {
		t.Errorf("engine files left after the import: %q", files)
	}
}

// TestDiskQuotaTooSmall: a quota that cannot hold one KV partition fails
// before anything is written, naming the quota and the partition.
func TestDiskQuotaTooSmall(t *testing.T) {
	dump := genDump(t, 2<<20, 0, "orderline")
	work := filepath.Join(t.TempDir(), "work")
	_, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work, ChunkSize: 256 << 10, KVPartitions: 2, PartitionBytes: 256 << 10, DiskQuota: 100 << 10})
	if !errors.Is(err, sorter.ErrQuotaTooSmall) {
		t.Fatalf("import with a 100 KiB quota: %v", err)
	}
	// the partition: about half the table's 2 MiB
	if !regexp.MustCompile(`--disk-quota 100\.0 KiB cannot hold one KV partition of gen\.orderline, about (10[0-9]{2}\.[0-9] KiB|1\.0 MiB) of KV pairs \(2\.0 MiB of source over 2 partitions\)`).MatchString(err.Error()) {
		t.Errorf("error %q does not name the quota and the partition's size", err)
	}
	for _, dir := range []string{pipeline.BrokerDir(work), pipeline.EngineDir(work), pipeline.StoreDir(work)} {
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after the refused import (%v)", dir, err)
		}
	}
}

// TestKVRetentionNone: with --kv-retention none no KV topic of a verified
// table remains, and replay says why it cannot run.
func TestKVRetentionNone(t *testing.T) {
	dump := genDump(t, 1<<20, 0, "sbtest", "orderline")
	cfg := pipeline.Config{Dump: dump, WorkDir: t.TempDir(), ChunkSize: 256 << 10, KVPartitions: 2, PartitionBytes: 256 << 10, KVRetention: pipeline.KVRetention{None: true}}
	res := mustImport(t, cfg)
	allVerified(t, res)
	kv := schemas.Topic(res.State.ImportID, "kv") + "--"
	entries, err := os.ReadDir(filepath.Join(pipeline.BrokerDir(cfg.WorkDir), "partitions"))
	if err != nil {
		t.Fatal(err)
	}
	others := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), kv) {
			t.Errorf("KV topic partition %s left", e.Name())
		} else {
			others++
		}
	}
	if others == 0 {
		t.Error("no topic left at all: the other topics (events, checkpoint's source) must stay")
	}
	if res.Disk.KVTopicBytes != 0 || res.Disk.KVRetention != "none" {
		t.Errorf("disk use %+v", res.Disk)
	}
	_, err = pipeline.Replay(context.Background(), pipeline.Config{WorkDir: cfg.WorkDir}, "gen", "sbtest")
	if err == nil || !strings.Contains(err.Error(), "--kv-retention none") {
		t.Errorf("replay without a KV topic: %v", err)
	}
}

// TestPartitionBalance: a table of more chunks than KV partitions, cut
// from files whose sizes do not divide evenly into chunks, is spread over
// its partitions by bytes: the largest partition holds at most 1.15x the
// mean (whole chunks per partition gave up to 2x). orderline has no
// secondary index: every pair is a record pair. sbtest has a non-unique
// index larger than a partition's share: the producer's partition plan
// cuts it into pieces and gives their partitions smaller record shares
// (without the plan its partition held 2.15x the mean).
func TestPartitionBalance(t *testing.T) {
	for _, table := range []string{"orderline", "sbtest"} {
		t.Run(table, func(t *testing.T) {
			// 6 files of ~600 KiB in chunks of up to 256 KiB: 3 chunks
			// each, the last smaller; 18 chunks over 4 partitions.
			dump := genDump(t, 3600<<10, 600<<10, table)
			cfg := pipeline.Config{Dump: dump, WorkDir: t.TempDir(), ChunkSize: 256 << 10, KVPartitions: 4, PartitionBytes: 256 << 10, KeepEngines: true}
			res := mustImport(t, cfg)
			allVerified(t, res)
			var sizes []int64
			var total int64
			for p := 0; p < 4; p++ {
				dir := sorter.EngineDir(pipeline.EngineDir(cfg.WorkDir), schemas.KVTopic(res.State.ImportID, "gen", table), p)
				eng, err := engine.Open(dir, engine.Options{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				_, b, err := eng.Stats()
				eng.Close()
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, b)
				total += b
			}
			mean := float64(total) / 4
			for p, b := range sizes {
				if float64(b) > 1.15*mean {
					t.Errorf("partition %d holds %d bytes, %.2fx the mean %.0f (all: %v)", p, b, float64(b)/mean, mean, sizes)
				}
			}
			t.Logf("partition bytes %v, mean %.0f", sizes, mean)
		})
	}
}
