package cli

import (
	"strings"
	"testing"
)

// TestLightningConfigTiDBBackend: backend = "tidb" chooses the logical
// backend; [conflict] strategy (or the older on-duplicate) and the
// statement bounds map onto the flags (the strategy onto
// --conflict-strategy, which both backends read).
func TestLightningConfigTiDBBackend(t *testing.T) {
	c := importContext(t)
	_, err := applyLightningConfig(c, writeConfig(t, `
[tikv-importer]
backend = 'tidb'
logical-import-batch-size = '1KiB'
logical-import-batch-rows = 7
[conflict]
strategy = 'replace'
`), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"backend": "tidb", "conflict-strategy": "replace", "logical-import-batch-size": "1024", "logical-import-batch-rows": "7"} {
		if got := c.String(name); got != want {
			t.Errorf("--%s %q, want %q", name, got, want)
		}
	}
	c = importContext(t)
	if _, err := applyLightningConfig(c, writeConfig(t, "[tikv-importer]\nbackend = 'tidb'\non-duplicate = 'ignore'\n"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if got := c.String("conflict-strategy"); got != "ignore" {
		t.Errorf("tikv-importer.on-duplicate: --conflict-strategy %q", got)
	}
	c = importContext(t)
	_, err = applyLightningConfig(c, writeConfig(t, "[conflict]\nstrategy = 'merge'\n"), func(string) {})
	if err == nil || !strings.Contains(err.Error(), "merge") {
		t.Errorf("an unknown strategy: %v", err)
	}
}
