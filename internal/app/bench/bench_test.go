package bench

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

// TestRunReport runs the whole benchmark on small generated dumps and
// checks the JSON contract: every key present with its JSON type, every
// number positive and finite, and the counts equal to what the generator
// wrote (an oracle independent of the readers).
func TestRunReport(t *testing.T) {
	cases := []struct {
		name string
		gen  dumpgen.Config
		// Small chunks and rounds, so that chunks are cut inside SQL
		// statements and rounds end inside chunks.
		chunk, round int64
		csvHeader    bool
	}{
		{name: "sql-all-tables", gen: dumpgen.Config{Size: 3 << 20, Tables: dumpgen.TableNames(), FileSize: 1 << 20}, chunk: 384 << 10, round: 256 << 10},
		{name: "csv", gen: dumpgen.Config{Size: 1 << 20, Format: dumpgen.FormatCSV}, chunk: 256 << 10, round: 64 << 10, csvHeader: true},
		{name: "sql-zstd", gen: dumpgen.Config{Size: 1 << 20, Compress: dumpgen.CompressZstd, FileSize: 256 << 10}, chunk: 256 << 10, round: 64 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name != cases[0].name {
				t.Skip("short")
			}
			dir := t.TempDir()
			tc.gen.Dir = filepath.Join(dir, "dump")
			g, err := dumpgen.Run(context.Background(), tc.gen)
			if err != nil {
				t.Fatal(err)
			}
			csv := rowparse.DefaultCSVOptions()
			csv.Header = tc.csvHeader // the generator writes dumpling's header line
			rep, err := Run(context.Background(), Config{
				Dump: tc.gen.Dir, WorkDir: filepath.Join(dir, "work"), ChunkSize: tc.chunk, RoundBytes: tc.round, CSV: csv,
			})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Chunks <= len(g.Tables) {
				t.Errorf("%d chunks for %d tables: want the chunk size to cut files", rep.Chunks, len(g.Tables))
			}
			if w := rep.Whole.Seconds; rep.WholeSorted.Seconds <= 0 || rep.WholeSorted.Seconds > rep.WholeIngested.Seconds || rep.WholeIngested.Seconds > w {
				t.Errorf("whole import phases: sorted at %.3fs, ingested at %.3fs, whole %.3fs", rep.WholeSorted.Seconds, rep.WholeIngested.Seconds, w)
			}
			for _, s := range rep.Stages {
				if (s.Name == StageEncode || s.Name == StageIngest) && s.CPUSeconds <= 0 {
					t.Errorf("stage %s: %v CPU-s", s.Name, s.CPUSeconds)
				}
			}
			if rep.Whole.CPUSeconds <= 0 || rep.Handoff.CPUSeconds <= 0 {
				t.Errorf("whole import %v CPU-s, hand-off %v CPU-s", rep.Whole.CPUSeconds, rep.Handoff.CPUSeconds)
			}
			if b := rep.StagesCPUSeconds / float64(rep.CPUs); rep.StagesCPUSeconds <= 0 || rep.CPUBoundSeconds != b {
				t.Errorf("stages %v CPU-s on %d CPUs: bound %v, want %v", rep.StagesCPUSeconds, rep.CPUs, rep.CPUBoundSeconds, b)
			}
			if m := rep.MaxWholeToSlowest; m <= 0 || m > 1 {
				t.Errorf("max_whole_to_slowest %v, want in (0, 1]", m)
			}
			jsonPath := filepath.Join(dir, "bench.json")
			if err := rep.WriteJSON(jsonPath); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			checkContract(t, raw, float64(g.Rows), float64(g.Bytes))
			// The scratch directories are removed.
			for _, d := range []string{"bench-stages", "bench-whole", "bench-handoff"} {
				if _, err := os.Stat(filepath.Join(dir, "work", d)); !os.IsNotExist(err) {
					t.Errorf("%s left behind (%v)", d, err)
				}
			}
		})
	}
}

func checkContract(t *testing.T, raw []byte, rows, sourceBytes float64) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	num := func(obj map[string]any, where, key string) float64 {
		t.Helper()
		v, ok := obj[key].(float64)
		if !ok {
			t.Errorf("%s%s: %T %v, want a JSON number", where, key, obj[key], obj[key])
			return 0
		}
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("%s%s = %v, want positive and finite", where, key, v)
		}
		return v
	}
	for _, k := range []string{"whole_to_slowest", "peak_rss_bytes", "broker_vs_handoff"} {
		num(m, "", k)
	}
	if got := num(m, "", "rows"); got != rows {
		t.Errorf("rows = %v, the generator wrote %v", got, rows)
	}
	if got := num(m, "", "source_bytes"); got != sourceBytes {
		t.Errorf("source_bytes = %v, the generator wrote %v", got, sourceBytes)
	}
	whole, ok := m["whole"].(map[string]any)
	if !ok {
		t.Fatalf("whole: %T, want an object", m["whole"])
	}
	for _, k := range []string{"seconds", "mb_per_s", "rows_per_s"} {
		num(whole, "whole.", k)
	}
	// MB/s is source megabytes over seconds.
	if s, mbps := whole["seconds"].(float64), whole["mb_per_s"].(float64); math.Abs(s*mbps*1e6-sourceBytes) > sourceBytes*1e-9 {
		t.Errorf("whole: %v s x %v MB/s is not the source's %v bytes", s, mbps, sourceBytes)
	}
	stages, ok := m["stages"].([]any)
	if !ok {
		t.Fatalf("stages: %T, want an array", m["stages"])
	}
	var names []string
	for i, s := range stages {
		st, ok := s.(map[string]any)
		if !ok {
			t.Fatalf("stages[%d]: %T, want an object", i, s)
		}
		name, ok := st["name"].(string)
		if !ok {
			t.Fatalf("stages[%d].name: %T, want a string", i, st["name"])
		}
		names = append(names, name)
		for _, k := range []string{"seconds", "mb_per_s", "rows_per_s"} {
			num(st, "stages."+name+".", k)
		}
	}
	slowest, ok := m["slowest_stage"].(string)
	if !ok {
		t.Fatalf("slowest_stage: %T, want a string", m["slowest_stage"])
	}
	sort.Strings(names)
	want := []string{StageBroker, StageEncode, StageEngine, StageIngest, StageParse, StageRead}
	if len(names) != len(want) {
		t.Fatalf("stages %v, want %v", names, want)
	}
	found := false
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("stages %v, want %v", names, want)
			break
		}
		found = found || names[i] == slowest
	}
	if !found {
		t.Errorf("slowest_stage %q names no stage", slowest)
	}
}

func TestStopwatchCountsCPU(t *testing.T) {
	w := startWatch()
	x := uint64(1)
	for time.Since(w.wall) < 50*time.Millisecond {
		for range 1000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	s := w.elapsed()
	if s.wall < 50*time.Millisecond || s.cpu < 10*time.Millisecond {
		t.Fatalf("busy 50ms: wall %v, cpu %v (x %d)", s.wall, s.cpu, x)
	}
}
