package cli

import (
	"runtime/debug"
)

// GC settings the binary runs with unless GOGC or GOMEMLIMIT say
// otherwise.
//
// The collector runs at Go's default pace, once the heap has grown by the
// live heap (GOGC=100). An earlier build, which allocated far more per
// pair, ran faster at 200 (a 1 GiB sysbench import 68.0 -> 58.4 s), but
// today an import's heap is mostly short-lived batches around a live heap
// of about 0.5 GB, and the extra heap at 200 cost first-touch page faults
// (6% of an import's CPU under perf) for no fewer CPU-seconds. Alternated
// (`/usr/bin/time lightstream import`, GOGC=100 against 200): the 1 GiB
// TPC-H-shaped dump 16.6-17.6 s, 28.2-29.2 CPU-s, peak RSS 0.87-1.02 GB
// against 15.9-18.4 s, 26.7-30.8 CPU-s, 1.27-1.40 GB; in TPC-H's proportions
// 20.4 and 17.5 s (0.89-0.92 GB) against 26.2 and 20.0 s (1.17-1.30 GB);
// the 4 GiB one 74.2 s, 119 CPU-s, 1.37 GB against 74.4 s, 124 CPU-s,
// 1.62 GB.
const (
	defaultGCPercent = 100
	// defaultMemoryLimit is also import's --memory-limit default: a soft
	// limit well above the working set, where the collector works harder
	// rather than let the heap grow. History: the embedded store's 600 MiB
	// block cache once filled with checksum scans (mockmvcc.levelDB reads
	// around it now), and under a 512 MiB limit the collector ran
	// continuously (a 1 GiB import took 96 s instead of 58); under 3 GiB a
	// 4 GiB TPC-H-shaped import peaked at 2.09 GB RSS at GOGC=200, under
	// 1.5 GiB at 1.71 GB for the same CPU.
	defaultMemoryLimit = 1536 << 20

	// logicalGCPercent is the pace of a logical import (--backend tidb)
	// and of writer members. Their live heap is small (about 100 MB: the
	// batches in flight between the encoders, the broker and the
	// writers), while every byte of the dump is allocated several times
	// on its way (rendered SQL, the message, the broker's produce and
	// fetch buffers, the statement); at 100 the collector ran every ~100
	// MB, 14% of the import's CPU under perf. Alternated on a 256 MiB
	// sysbench-like dump into a private MariaDB (/usr/bin/time): 2.73-3.53
	// CPU-s, 7.9-9.7 s, peak RSS 557-572 MB at 400 against 3.42-4.00
	// CPU-s, 8.5-10.3 s, 237-257 MB at 100. The memory limit still caps
	// the heap.
	logicalGCPercent = 400
)

// tuneLogicalGC sets the logical backend's pace (logicalGCPercent) unless
// GOGC says otherwise; it returns what it set (-1: nothing).
func tuneLogicalGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return -1
	}
	debug.SetGCPercent(logicalGCPercent)
	return logicalGCPercent
}

// tuneGC applies the defaults above where the environment (read through
// getenv) sets nothing; it returns what it set, for tests.
func tuneGC(getenv func(string) string) (gcPercent int, memoryLimit int64) {
	gcPercent, memoryLimit = -1, -1
	if getenv("GOGC") == "" {
		gcPercent = defaultGCPercent
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		memoryLimit = defaultMemoryLimit
		debug.SetMemoryLimit(memoryLimit)
	}
	return gcPercent, memoryLimit
}
