package cli

import (
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
)

// TestLightningConflictKeys: [conflict] and the deprecated tikv-importer
// keys set the conflict flags as Lightning's Conflict.adjust reads them.
func TestLightningConflictKeys(t *testing.T) {
	for text, want := range map[string]conflict.Config{
		"[conflict]\nstrategy = 'replace'\nthreshold = 5\n":               {Strategy: conflict.Replace, Threshold: 5, MaxRecordRows: 5},
		"[conflict]\nstrategy = 'ignore'\nmax-record-rows = 7\n":          {Strategy: conflict.Ignore, Threshold: conflict.DefaultThreshold, MaxRecordRows: 7},
		"[conflict]\nstrategy = 'error'\n":                                {Strategy: conflict.Error, Threshold: 0, MaxRecordRows: conflict.DefaultThreshold},
		"[tikv-importer]\non-duplicate = 'ignore'\n":                      {Strategy: conflict.Ignore, Threshold: conflict.DefaultThreshold, MaxRecordRows: conflict.DefaultThreshold},
		"[tikv-importer]\nduplicate-resolution = 'remove'\n":              {Strategy: conflict.Replace, Threshold: conflict.DefaultThreshold, MaxRecordRows: conflict.DefaultThreshold},
		"[conflict]\nstrategy = ''\n[tikv-importer]\nbackend = 'local'\n": {Strategy: conflict.None, Threshold: 0, MaxRecordRows: conflict.DefaultThreshold},
	} {
		c := importContext(t)
		if _, err := applyLightningConfig(c, writeConfig(t, text), func(string) {}); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		got, err := conflictOptions(c)
		if err != nil || got != want {
			t.Errorf("%q: %+v (%v), want %+v", text, got, err, want)
		}
	}
	// The command line wins.
	c := importContext(t, "--conflict-strategy", "error")
	if _, err := applyLightningConfig(c, writeConfig(t, "[conflict]\nstrategy = 'replace'\n"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if got, err := conflictOptions(c); err != nil || got.Strategy != conflict.Error {
		t.Errorf("--conflict-strategy error over a config's replace: %+v, %v", got, err)
	}
	// threshold with error is Lightning's configuration error.
	c = importContext(t)
	if _, err := applyLightningConfig(c, writeConfig(t, "[conflict]\nstrategy = 'error'\nthreshold = 3\n"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := conflictOptions(c); err == nil {
		t.Error("conflict.threshold with strategy error was accepted")
	}
}
