package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/lightstream once for the package's tests, or returns
// $LIGHTSTREAM_BIN when set (a binary built elsewhere).
func binary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LIGHTSTREAM_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lightstream-faults-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "lightstream")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/lightstream-io/lightstream/cmd/lightstream").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// readCheckpoint reads the checkpoint file a running import writes; a
// missing or half-written file reads as nothing yet.
func readCheckpoint(work string) (checkpoint.State, bool) {
	var st checkpoint.State
	raw, err := os.ReadFile(filepath.Join(work, "checkpoint.json"))
	if err != nil || json.Unmarshal(raw, &st) != nil {
		return st, false
	}
	return st, true
}

// killPoint says when to send SIGKILL to a running import.
type killPoint struct {
	name string
	at   func(work string) bool
}

var killPoints = []killPoint{
	{"publishing", func(w string) bool {
		// The checkpoint exists as soon as the import starts; chunks are
		// not all published yet.
		st, ok := readCheckpoint(w)
		return ok && st.Steps["publish-chunks"].Status != checkpoint.Done
	}},
	{"encoding", func(w string) bool {
		// Encoders have produced 64 KiB of KV data (the broker's
		// segment files of the KV topics) and the largest table is not
		// done.
		if kvBytes(w) < 64<<10 {
			return false
		}
		st, ok := readCheckpoint(w)
		rental := st.Tables[checkpoint.Key("sakila", "rental")]
		return ok && (rental == nil || rental.Status != checkpoint.Done)
	}},
	{"ingesting", func(w string) bool {
		// Some table with rows is ingested and verified, not all.
		st, ok := readCheckpoint(w)
		return ok && doneTables(st) > 0 && st.Status != checkpoint.Complete
	}},
}

// kvBytes is the size of the KV topics' segment files in the embedded
// broker's data directory.
func kvBytes(work string) int64 {
	var n int64
	dirs, _ := filepath.Glob(filepath.Join(work, "broker", "partitions", "*--kv--*"))
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.dat"))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil {
				n += fi.Size()
			}
		}
	}
	return n
}

func doneTables(st checkpoint.State) int {
	n := 0
	for _, tb := range st.Tables {
		if tb.Status == checkpoint.Done && tb.Rows > 0 {
			n++
		}
	}
	return n
}

// TestProcessKilled runs the all-in-one `lightstream import` on sakila and
// kills it with SIGKILL while it publishes, while it encodes and while it
// ingests, each time rerunning the same command on the same work
// directory; the last run must complete, a further run must say "already
// complete", and every table exported from the store must give the
// figures of sakila-expected-checks.json. A replay of a table must then
// still match.
func TestProcessKilled(t *testing.T) {
	dump := sakilaDump(t)
	checks := loadChecks(t)
	bin := binary(t)
	work := filepath.Join(t.TempDir(), "work")
	args := []string{"import", "--quiet", "--dump", dump, "--work-dir", work, "--chunk-size", "128KiB",
		"--partition-size", "512KiB", "--kv-partitions", "4"}
	logs := filepath.Join(t.TempDir(), "import.log")
	logf, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	defer func() {
		if t.Failed() {
			raw, _ := os.ReadFile(logs)
			t.Logf("import output (last 4 KiB):\n%s", tail(raw, 4<<10))
		}
	}()

	for _, kp := range killPoints {
		start := time.Now()
		fmt.Fprintf(logf, "=== run until %s\n", kp.name)
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		reached := false
	poll:
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
			select {
			case err := <-exited:
				t.Fatalf("kill point %s: the import ended before it was reached (%v)", kp.name, err)
			case <-time.After(10 * time.Millisecond):
			}
			if kp.at(work) {
				reached = true
				break poll
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		if !reached {
			t.Fatalf("kill point %s: not reached in 2 minutes", kp.name)
		}
		st, _ := readCheckpoint(work)
		t.Logf("killed while %s after %v: status %q, %d KiB of KV data, %d tables with rows done",
			kp.name, time.Since(start).Round(time.Millisecond), st.Status, kvBytes(work)>>10, doneTables(st))
	}

	start := time.Now()
	out, err := runBin(t, bin, 3*time.Minute, args...)
	if err != nil {
		t.Fatalf("final import: %v\n%s", err, tail(out, 4<<10))
	}
	t.Logf("final run completed in %v", time.Since(start).Round(time.Millisecond))
	out, err = runBin(t, bin, time.Minute, args...)
	if err != nil || !bytes.Contains(out, []byte("already complete")) {
		t.Errorf("rerun of a complete import: err %v, output:\n%s", err, tail(out, 2<<10))
	}
	st, _ := readCheckpoint(work)
	if st.Status != checkpoint.Complete {
		t.Fatalf("checkpoint status %q after the final run", st.Status)
	}
	verifyExports(t, bin, work, checks, st)

	// Replay through the command, after deleting the table's engines.
	if err := os.RemoveAll(filepath.Join(work, "engines", kvTopicOf(st, "sakila", "payment"))); err != nil {
		t.Fatal(err)
	}
	out, err = runBin(t, bin, 2*time.Minute, "replay", "--work-dir", work, "--table", "sakila.payment")
	if err != nil || !bytes.Contains(out, []byte("checksums match")) {
		t.Fatalf("replay: %v\n%s", err, tail(out, 2<<10))
	}
	verifyExports(t, bin, work, map[string]tableCheck{"sakila.payment": checks["sakila.payment"]}, st)
}

// kvTopicOf names a table's KV topic in an import's work directory.
func kvTopicOf(st checkpoint.State, db, table string) string {
	return kvTopicName(st.ImportID, db, table)
}

// verifyExports exports every checked table with `lightstream export` and
// compares its figures, and the checkpoint's row counts and checksums.
func verifyExports(t *testing.T, bin, work string, checks map[string]tableCheck, st checkpoint.State) {
	t.Helper()
	for _, name := range sortedKeys(checks) {
		want := checks[name]
		rec := st.Tables[checkpoint.Key(want.DB, want.Table)]
		if rec == nil {
			t.Errorf("%s: not in the checkpoint", name)
			continue
		}
		if rec.Status != checkpoint.Done || rec.Source != rec.Store || int64(rec.Rows) != want.Count {
			t.Errorf("%s: status %q, rows %d (want %d), source %+v, store %+v", name, rec.Status, rec.Rows, want.Count, rec.Source, rec.Store)
		}
		out, err := runBin(t, bin, time.Minute, "export", "--work-dir", work, "--table", name)
		if err != nil {
			t.Errorf("export %s: %v\n%s", name, err, tail(out, 1<<10))
			continue
		}
		f, err := figuresOfExport(bytes.NewReader(out))
		if err != nil {
			t.Errorf("export %s: %v", name, err)
			continue
		}
		if err := f.Matches(want); err != nil {
			t.Error(err)
		}
	}
}

// runBin runs the binary to its end and returns its stdout (stderr is
// appended when it fails).
func runBin(t *testing.T, bin string, timeout time.Duration, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		stdout.Write(stderr.Bytes())
	}
	return stdout.Bytes(), err
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.ToValidUTF8(string(b), "?")
}
