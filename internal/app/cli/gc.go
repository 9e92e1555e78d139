package cli

import (
	"runtime/debug"
)

// GC settings the binary runs with unless GOGC or GOMEMLIMIT say
// otherwise. An import's heap is mostly short-lived batches around a
// steady working set (the store's block cache, bounded queues): collecting
// at twice the live heap instead of once made `lightstream bench` on a 1 GiB
// sysbench dump faster (dump to sorted engines 40.9 -> 52.3 MB/s, whole
// import 68.0 -> 58.4 s, peak RSS 1.42 -> 1.97 GB), and the soft limit keeps
// the extra memory bounded whatever the dump's size.
const (
	defaultGCPercent = 200
	// defaultMemoryLimit is also import's --memory-limit default. It must
	// stay well above the working set (it did when the store's block cache
	// filled, below; it is no longer the case): the embedded store's block cache
	// alone is 600 MiB of Go heap, and under a 512 MiB limit the collector
	// ran continuously (a 1 GiB import took 96 s instead of 58). Since the
	// sorters read the store's checksum while the encoders still run, the
	// cache fills during the encoding: a 4 GiB import's live heap peaks at
	// 1.44 GB, and under a 2 GiB limit it took 193 s and 331 CPU-seconds
	// (peak RSS 2.38 GB), under 3 GiB 179 s and 305 CPU-seconds (3.43 GB;
	// the 1 GiB import peaks at 3.26 GB: the limit, not the dump, sets it).
	// Since checksum scans no longer fill the store's block cache
	// (mockmvcc.levelDB), the live heap is far below the limit (0.47-0.52
	// GB in heap profiles of a 4 GiB TPC-H-shaped import, most of it KV
	// batches the sorters hold), but at GOGC=200 the heap still grew to
	// three times that: peak RSS 2.09 GB at 4 GiB under a 3 GiB limit.
	// Under 1.5 GiB it peaked at 1.71 GB for the same CPU (162 against
	// 166 CPU-seconds), and a 1 GiB import at 1.29-1.52 GB either way.
	defaultMemoryLimit = 1536 << 20
)

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
