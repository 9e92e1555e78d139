package cli

import "testing"

// TestLightningIncrementalKeys: Lightning's tikv-importer.parallel-import
// (incremental-import before v6), which skips its empty-table pre-check,
// turns --incremental on; either true wins over the other false, and the
// command line wins over the file.
func TestLightningIncrementalKeys(t *testing.T) {
	for _, c := range []struct {
		toml string
		args []string
		want bool
	}{
		{"parallel-import = true", nil, true},
		{"incremental-import = true", nil, true},
		{"incremental-import = true\nparallel-import = false", nil, true},
		{"parallel-import = true\nincremental-import = false", nil, true},
		{"parallel-import = false", nil, false},
		{"parallel-import = true", []string{"--incremental=false"}, false},
	} {
		path := writeConfig(t, "[tikv-importer]\n"+c.toml+"\n")
		ctx := importContext(t, c.args...)
		if _, err := applyLightningConfig(ctx, path, func(string) {}); err != nil {
			t.Fatalf("%q: %v", c.toml, err)
		}
		if got := ctx.Bool("incremental"); got != c.want {
			t.Errorf("%q %v: --incremental = %v, want %v", c.toml, c.args, got, c.want)
		}
	}
}
