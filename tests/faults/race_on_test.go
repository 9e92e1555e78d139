//go:build race

package faults

// raceEnabled: the race detector slows encoding about sevenfold, so waits
// stretch and the longest scenarios run only on request.
const raceEnabled = true
