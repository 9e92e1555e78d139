package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
)

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "stage\tseconds\tMB/s\trows/s\tCPU s\tCPU s/GiB\t\n")
	row := func(name string, t Throughput) {
		cpu, perGiB := "", ""
		if t.CPUSeconds > 0 {
			cpu = fmt.Sprintf("%.2f", t.CPUSeconds)
		}
		if t.CPUSecondsPerGiB > 0 {
			perGiB = fmt.Sprintf("%.2f", t.CPUSecondsPerGiB)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.1f\t%.0f\t%s\t%s\t\n", name, t.Seconds, t.MBPerS, t.RowsPerS, cpu, perGiB)
	}
	for _, s := range r.Stages {
		row(s.Name, s.Throughput)
	}
	row("whole import", r.Whole)
	if r.WholeSorted.Seconds > 0 {
		row("  to sorted engines", r.WholeSorted)
		row("  to ingested", r.WholeIngested)
	}
	row("hand-off import", r.Handoff)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "source %.1f MB (%d rows, %d chunks) -> %d KV pairs, %.1f MB; %d encoders + %d sorters on %d CPUs\n",
		float64(r.SourceBytes)/1e6, r.Rows, r.Chunks, r.KVPairs, float64(r.KVBytes)/1e6, r.Workers, r.Workers, r.CPUs)
	fmt.Fprintf(w, "broker stage = produce %.2fs + consume %.2fs\n", r.ProduceSeconds, r.ConsumeSeconds)
	fmt.Fprintf(w, "slowest stage: %s; whole_to_slowest (whole throughput / slowest stage throughput) = %.2f\n", r.SlowestStage, r.WholeToSlowest)
	if r.CPUBoundSeconds > 0 {
		fmt.Fprintf(w, "the stages alone used %.1f CPU-s: on %d CPUs no import doing their work takes less than %.2fs, so whole_to_slowest <= %.2f here (the whole import used %.1f CPU-s)\n",
			r.StagesCPUSeconds, r.CPUs, r.CPUBoundSeconds, r.MaxWholeToSlowest, r.Whole.CPUSeconds)
	}
	fmt.Fprintf(w, "broker_vs_handoff (whole seconds / hand-off seconds) = %.2f\n", r.BrokerVsHandoff)
	fmt.Fprintf(w, "peak RSS %.0f MiB (whole import %.0f MiB, hand-off import %.0f MiB)\n",
		mib(r.PeakRSSBytes), mib(r.Whole.PeakRSSBytes), mib(r.Handoff.PeakRSSBytes))
	_, err := fmt.Fprintf(w, "load average at start %.2f %.2f %.2f, at end %.2f %.2f %.2f\n",
		r.LoadAverageStart[0], r.LoadAverageStart[1], r.LoadAverageStart[2], r.LoadAverageEnd[0], r.LoadAverageEnd[1], r.LoadAverageEnd[2])
	return err
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write bench report: %w", err)
	}
	return nil
}

// resetPeakRSS returns memory to the OS and resets the kernel's peak RSS
// (VmHWM) through /proc/self/clear_refs (Linux 4.0+, "5" resets the
// peak), so that the next peakRSS reading is the next phase's own. It
// reports whether the reset worked.
func resetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is VmHWM from /proc/self/status, or getrusage's maxrss where
// there is no /proc.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		return int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	return 0
}

// loadAverage reads /proc/loadavg (zeros where there is none).
func loadAverage() [3]float64 {
	var la [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return la
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		la[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return la
}
