//go:build !race

package e2e

// raceEnabled: the race detector slows the pipeline about sevenfold, so
// the long imports are trimmed (see TestSakila).
const raceEnabled = false
