package cluster

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pingcap/kvproto/pkg/import_sstpb"
)

const importTimeout = 5 * time.Minute

// TestPhysicalImportSakila imports sakila into `lightstream store` with
// physical ingest and checks every table through --pd. Physical ingest
// splits each engine's range into its own regions before writing, so PD
// reports many regions (a transactional import leaves the one region).
func TestPhysicalImportSakila(t *testing.T) {
	_, pd := startStore(t)
	work := filepath.Join(t.TempDir(), "work")
	out := run(t, importTimeout, importArgs(t, work, pd, "--ingest", "physical")...)
	if !strings.Contains(out, "complete") {
		t.Fatalf("import output:\n%s", out)
	}
	if n := regionCount(t, pd); n < 16 {
		t.Errorf("%d regions after physical ingest of 16 tables, want at least one per table", n)
	}
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Normal {
		t.Errorf("store left in %s mode", m)
	}
	checkSakila(t, work, pd)
	// Replay through --pd: the engines rebuilt from the KV topic and
	// ingested again leave the store's checksum equal to the encoders'.
	if out := run(t, 2*time.Minute, "replay", "--work-dir", work, "--table", "sakila.payment", "--pd", pd); !strings.Contains(out, "checksums match") {
		t.Errorf("replay output:\n%s", out)
	}
	// Rerun: already complete, nothing written.
	if out := run(t, time.Minute, importArgs(t, work, pd)...); !strings.Contains(out, "already complete") {
		t.Errorf("rerun output:\n%s", out)
	}
}

// TestTxnImportSakila imports through client transactions (--ingest txn),
// the path for stores without SST ingest.
func TestTxnImportSakila(t *testing.T) {
	_, pd := startStore(t)
	work := filepath.Join(t.TempDir(), "work")
	run(t, importTimeout, importArgs(t, work, pd, "--ingest", "txn")...)
	if n := regionCount(t, pd); n != 1 {
		t.Errorf("%d regions after a txn import: something split ahead of the data", n)
	}
	checkSakila(t, work, pd)
}

// TestRegionErrorsRetried: the store fails ImportSST ingests and writes
// with each kind of region error in turn (a real split under the SST,
// NotLeader, RegionNotFound, ServerIsBusy); the import retries them and
// ends exact.
func TestRegionErrorsRetried(t *testing.T) {
	const injected = 24
	st, pd := startStore(t, "--inject-region-errors", "24")
	work := filepath.Join(t.TempDir(), "work")
	run(t, importTimeout, importArgs(t, work, pd, "--ingest", "physical")...)
	log := st.Stderr()
	for _, kind := range []string{"injected split of region", "injected NotLeader", "injected RegionNotFound", "injected ServerIsBusy"} {
		if n := strings.Count(log, kind); n != injected/4 {
			t.Errorf("%d × %q, want %d; store stderr:\n%s", n, kind, injected/4, tail(log, 2000))
		}
	}
	checkSakila(t, work, pd)
}

// TestTwoSorterProcesses: a broker process, an importer running the
// producer and coordinator, an encoder process and two sorter processes
// ingesting concurrently into the one store through PD. The encoder
// starts once both sorters hold partitions: sakila is imported in about a
// second, so a sorter still joining the group when the data flows would
// find the other one done (a group rebalances in a heartbeat or two).
func TestTwoSorterProcesses(t *testing.T) {
	_, pd := startStore(t)
	_, brokers := startBroker(t)
	base := t.TempDir()
	// Every process of one import is given its id; the sorters, started
	// first, wait for the importer to create the import's topics.
	const id = "two-sorters"
	var (
		engineDirs []string
		sorters    []*proc
	)
	for i := range 2 {
		dir := filepath.Join(base, "engines", string(rune('a'+i)))
		engineDirs = append(engineDirs, dir)
		sorters = append(sorters, start(t, "sorter", "--import-id", id, "--brokers", brokers, "--pd", pd, "--engine-dir", dir, "--ingest", "physical"))
	}
	work := filepath.Join(base, "work")
	imp := start(t, importArgs(t, work, pd, "--import-id", id, "--brokers", brokers, "--encoders", "0", "--sorters", "0",
		"--kv-partitions", "4", "--partition-size", "256KiB")...)
	claimed := regexp.MustCompile(`^sorter: generation \d+: [1-9]\d* partitions`)
	for _, s := range sorters {
		s.waitLine(t, claimed, importTimeout)
	}
	start(t, "encoder", "--import-id", id, "--brokers", brokers, "--dump", sakilaDump(t))
	if err := imp.wait(importTimeout); err != nil || !strings.Contains(imp.Stderr(), "complete") {
		t.Fatalf("import: %v; output:\n%s", err, tail(imp.Stderr(), 3000))
	}
	// Both sorters took partitions: each keeps engines.
	for _, dir := range engineDirs {
		ents, err := os.ReadDir(dir)
		if err != nil || len(ents) == 0 {
			t.Errorf("sorter engine dir %s: %d entries, %v: that sorter ingested nothing", dir, len(ents), err)
		}
	}
	checkSakila(t, work, pd)
}

// TestImportModeAfterKill: an importer killed with SIGKILL leaves the
// store in import mode (nothing ran its way out); `lightstream
// switch-mode normal` restores it, and the next run switches to import
// mode again while it works and back to normal when it finishes, with the
// data exact.
func TestImportModeAfterKill(t *testing.T) {
	_, pd := startStore(t)
	work := filepath.Join(t.TempDir(), "work")
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Normal {
		t.Fatalf("fresh store in %s mode", m)
	}
	imp := start(t, importArgs(t, work, pd)...)
	deadline := time.Now().Add(2 * time.Minute)
	for storeMode(t, pd) != import_sstpb.SwitchMode_Import {
		if time.Now().After(deadline) || imp.exited() {
			t.Fatalf("the importer never switched the store to import mode")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Killed as soon as it is in import mode: sakila takes about a second
	// here, so waiting any longer may let it finish.
	if err := imp.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = imp.wait(30 * time.Second)
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Import {
		t.Fatalf("after SIGKILL the store is in %s mode; the test did not kill mid-import", m)
	}
	out := run(t, time.Minute, "switch-mode", "--pd", pd, "normal")
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Normal {
		t.Fatalf("switch-mode normal (%q) left the store in %s mode", out, m)
	}
	// The resumed run switches to import mode again (its import-mode step
	// is recorded done from the killed run) and back at the end.
	resumed := start(t, importArgs(t, work, pd)...)
	sawImport := false
	for !resumed.exited() {
		if storeMode(t, pd) == import_sstpb.SwitchMode_Import {
			sawImport = true
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := resumed.wait(importTimeout); err != nil {
		t.Fatalf("resumed import: %v", err)
	}
	if !sawImport {
		t.Error("the resumed import never switched the store to import mode")
	}
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Normal {
		t.Fatalf("after the resumed import the store is in %s mode", m)
	}
	// switch-mode import works too (tidb-lightning-ctl --switch-mode).
	run(t, time.Minute, "switch-mode", "--pd", pd, "import")
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Import {
		t.Fatalf("switch-mode import left the store in %s mode", m)
	}
	run(t, time.Minute, "switch-mode", "--pd", pd, "normal")
	checkSakila(t, work, pd)
}

// TestInterruptRestoresNormalMode: SIGINT (Ctrl-C) cancels the import;
// its way out switches the store back to normal mode.
func TestInterruptRestoresNormalMode(t *testing.T) {
	_, pd := startStore(t)
	work := filepath.Join(t.TempDir(), "work")
	imp := start(t, importArgs(t, work, pd)...)
	deadline := time.Now().Add(2 * time.Minute)
	for storeMode(t, pd) != import_sstpb.SwitchMode_Import {
		if time.Now().After(deadline) || imp.exited() {
			t.Fatalf("the importer never switched the store to import mode")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := imp.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := imp.wait(time.Minute)
	if err == nil {
		// It may have finished just before the signal.
		t.Log("import finished before the interrupt")
	} else if !regexp.MustCompile(`interrupted|exit status`).MatchString(err.Error()) {
		t.Fatalf("import: %v", err)
	}
	if m := storeMode(t, pd); m != import_sstpb.SwitchMode_Normal {
		t.Fatalf("after Ctrl-C the store is in %s mode", m)
	}
}
