package cli

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	oldPct := debug.SetGCPercent(37) // not the default: tuneGC must set it
	oldLim := debug.SetMemoryLimit(-1)
	defer func() { debug.SetGCPercent(oldPct); debug.SetMemoryLimit(oldLim) }()

	env := map[string]string{}
	pct, lim := tuneGC(func(k string) string { return env[k] })
	if pct != defaultGCPercent || lim != defaultMemoryLimit {
		t.Fatalf("empty environment: set %d, %d", pct, lim)
	}
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Fatalf("GC percent in effect %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Fatalf("memory limit in effect %d", got)
	}
	// The user's settings win.
	env["GOGC"], env["GOMEMLIMIT"] = "50", "1GiB"
	debug.SetGCPercent(50)
	if pct, lim := tuneGC(func(k string) string { return env[k] }); pct != -1 || lim != -1 {
		t.Fatalf("with GOGC and GOMEMLIMIT set: set %d, %d", pct, lim)
	}
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("GOGC overridden: %d", got)
	}
}

func TestTuneLogicalGC(t *testing.T) {
	old := debug.SetGCPercent(37)
	defer debug.SetGCPercent(old)
	if pct := tuneLogicalGC(func(string) string { return "" }); pct != logicalGCPercent {
		t.Fatalf("empty environment: set %d", pct)
	}
	if got := debug.SetGCPercent(37); got != logicalGCPercent {
		t.Fatalf("GC percent in effect %d", got)
	}
	if pct := tuneLogicalGC(func(k string) string { return map[string]string{"GOGC": "50"}[k] }); pct != -1 {
		t.Fatalf("with GOGC set: set %d", pct)
	}
	if got := debug.SetGCPercent(100); got != 37 {
		t.Fatalf("GOGC overridden: %d", got)
	}
}
