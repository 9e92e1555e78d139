package bench

import (
	"syscall"
	"time"
)

// span is a timed stretch of the benchmark: its wall time and the CPU
// time (user + system) the whole process spent during it.
type span struct {
	wall, cpu time.Duration
}

func (s *span) add(o span) { s.wall += o.wall; s.cpu += o.cpu }

// stopwatch measures a span from startWatch to elapsed.
type stopwatch struct {
	wall time.Time
	cpu  time.Duration
}

func startWatch() stopwatch { return stopwatch{wall: time.Now(), cpu: processCPU()} }

func (w stopwatch) elapsed() span {
	return span{wall: time.Since(w.wall), cpu: processCPU() - w.cpu}
}

// processCPU is the CPU time the process has used so far, all threads,
// user and system (getrusage RUSAGE_SELF); 0 where it cannot be read.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
