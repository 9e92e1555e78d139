package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLightningFlagErrors: Lightning's names that cannot be honoured, or
// that contradict import's own flags, stop before anything runs.
func TestLightningFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--server-mode"}, "--server-mode is not built"},
		{[]string{"import", "-d", "a", "--dump", "b"}, "-d a and --dump b disagree"},
		{[]string{"import", "--dump", "a", "--backend", "tidb"}, "--backend tidb: give the target server with --tidb"},
		{[]string{"import", "--dump", "a", "--backend", "tikv"}, `--backend "tikv": want local`},
		{[]string{"import", "--dump", "a", "--tidb-status", "10080"}, "--tidb-status 10080 is a port: it needs --tidb"},
		{[]string{"import", "--dump", "a", "--tidb-host", "h", "--tidb", "x:1"}, "--tidb-host/--tidb-port (h:4000) and --tidb x:1 disagree"},
		{[]string{"import", "--dump", "a", "-L", "loud"}, `--log-level "loud"`},
	} {
		out, code := runApp(t, c.args...)
		if code == 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, output %q, want %q", c.args, code, out, c.want)
		}
	}
}

// TestLightningFlagsImport runs an import the way a TiDB Lightning user
// types it: -d, --backend importer, --sorted-kv-dir, -L and --log-file.
func TestLightningFlagsImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an import")
	}
	dir := t.TempDir()
	work, engines, logf := filepath.Join(dir, "w"), filepath.Join(dir, "kv"), filepath.Join(dir, "lightning.log")
	out, code := runApp(t, "import", "-d", filepath.Join("..", "..", "..", "examples", "shop"), "--work-dir", work, "-q",
		"--backend", "importer", "--sorted-kv-dir", engines, "-L", "info", "--log-file", logf,
		"--keep-engines") // engines are removed once ingested otherwise
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, out)
	}
	if !strings.Contains(out, "complete") {
		t.Fatalf("import did not complete: %s", out)
	}
	ents, err := os.ReadDir(engines)
	if err != nil || len(ents) == 0 {
		t.Fatalf("--sorted-kv-dir %s holds no engines (%v)", engines, err)
	}
	if _, err := os.Stat(filepath.Join(work, "engines")); !os.IsNotExist(err) {
		t.Errorf("engines written under the work directory too (%v)", err)
	}
	log, err := os.ReadFile(logf)
	if err != nil || !strings.Contains(string(log), "former name of the physical import") {
		t.Fatalf("--log-file %s: %q (%v)", logf, log, err)
	}
}

// TestPrecheckUnreachable: an import whose PD does not answer stops at the
// pre-checks, at once, with the table and what to do.
func TestPrecheckUnreachable(t *testing.T) {
	start := time.Now()
	out, code := runApp(t, "import", "--dump", filepath.Join("..", "..", "..", "examples", "shop"), "--work-dir", t.TempDir(),
		"--pd", "127.0.0.1:1", "--check-timeout", "2s")
	if code == 0 || !strings.Contains(out, "pre-checks failed: --pd") || !strings.Contains(out, "PD 127.0.0.1:1 does not answer") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
}
