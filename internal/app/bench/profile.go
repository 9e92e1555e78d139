package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// profiler writes a CPU profile of every timed stretch of a stage to
// dir/<stage>.<n>.pprof (a stage measured in rounds gets one file per
// round: `go tool pprof` merges the files it is given). A nil profiler
// profiles nothing.
type profiler struct {
	dir string
	n   map[string]int
	// err is the first error starting or writing a profile; profiling
	// failures never stop the benchmark, Run reports them at the end.
	err error
}

func newProfiler(dir string) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile directory: %w", err)
	}
	return &profiler{dir: dir, n: map[string]int{}}, nil
}

// start begins profiling stage; the returned func ends it.
func (p *profiler) start(stage string) (stop func()) {
	if p == nil || p.err != nil {
		return func() {}
	}
	p.n[stage]++
	path := filepath.Join(p.dir, fmt.Sprintf("%s.%03d.pprof", stage, p.n[stage]))
	f, err := os.Create(path)
	if err != nil {
		p.err = fmt.Errorf("cpu profile: %w", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		p.err = fmt.Errorf("cpu profile %s: %w", path, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil && p.err == nil {
			p.err = fmt.Errorf("cpu profile %s: %w", path, err)
		}
	}
}
