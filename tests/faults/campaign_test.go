package faults

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// The fault campaign (README "Tests"): trials of SIGKILL at a random
// moment of one role of a multi-process import on loopback (producer,
// encoder, sorter, coordinator; broker and store killed and restarted on
// the same data directory and address) and of the all-in-one import
// (killed 1-3 times, then run again), each ending in an import whose
// exported tables must equal the dump's expected checks. In multi-process
// trials a role that fails (an encoder meeting the restarting broker) is
// started again, as deploy/k8s's restartPolicy OnFailure does; the
// figures count those restarts. A checksum mismatch, a broker or store
// that exits by itself, a hang or a panic fail the trial.
//
//	LIGHTSTREAM_CAMPAIGN_TRIALS=N  trials per role (default: the short CI
//	                               campaign, campaignShortRoles once each)
//	LIGHTSTREAM_CAMPAIGN_SEED=S    seed of the kill moments (default 1);
//	                               every trial prints its seed and moment
//	LIGHTSTREAM_CAMPAIGN_ROLES=r,s only these roles
//	LIGHTSTREAM_CAMPAIGN_WINDOW=D  kill moments are drawn in [0, D)
//	                               after the roles start (default 8s)
//
// A trial is replayed with the same seed, role and trial number:
// LIGHTSTREAM_CAMPAIGN_SEED=S LIGHTSTREAM_CAMPAIGN_ROLES=store
// go test -run 'TestCampaign/store/3' ./tests/faults/.
var campaignRoles = []string{"producer", "encoder", "sorter", "coordinator", "broker", "store", "all-in-one"}

// campaignShortRoles are what the default run kills, one trial each:
// the roles whose restart has to be survived by every other process.
var campaignShortRoles = []string{"store", "broker", "sorter", "all-in-one"}

// trialResult is the outcome of one trial.
type trialResult struct {
	role     string
	trial    int
	killAt   time.Duration
	killed   int // processes killed while running
	restarts int // roles started again after they failed (OnFailure)
	verified bool
	mismatch bool // a checksum mismatch or export figures that differ
	lost     int64
	dup      int64
	hang     bool
	panic    string
	err      error
}

func (r trialResult) String() string {
	s := fmt.Sprintf("%s trial %d: kill at %v (%d killed while running, %d restarted after a failure): ", r.role, r.trial, r.killAt.Round(time.Millisecond), r.killed, r.restarts)
	switch {
	case r.verified:
		s += "verified"
	case r.hang:
		s += "HANG"
	case r.panic != "":
		s += "PANIC " + r.panic
	case r.mismatch:
		s += fmt.Sprintf("MISMATCH (lost %d, duplicated %d rows)", r.lost, r.dup)
	default:
		s += "FAILED"
	}
	if r.err != nil {
		s += ": " + r.err.Error()
	}
	return s
}

func envInt(t *testing.T, name string, def int64) int64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// TestCampaign runs the fault campaign; by default the short deterministic
// version CI runs.
func TestCampaign(t *testing.T) {
	dump := sakilaDump(t)
	checks := loadChecks(t)
	bin := binary(t)
	seed := uint64(envInt(t, "LIGHTSTREAM_CAMPAIGN_SEED", 1))
	trials := int(envInt(t, "LIGHTSTREAM_CAMPAIGN_TRIALS", 0))
	roles := campaignRoles
	if trials == 0 {
		trials, roles = 1, campaignShortRoles
	}
	if v := os.Getenv("LIGHTSTREAM_CAMPAIGN_ROLES"); v != "" {
		roles = strings.Split(v, ",")
	}
	window := 8 * time.Second
	if v := os.Getenv("LIGHTSTREAM_CAMPAIGN_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("LIGHTSTREAM_CAMPAIGN_WINDOW=%q: %v", v, err)
		}
		window = d
	}
	t.Logf("campaign: seed %d, %d trial(s) per role of %v, kill window %v", seed, trials, roles, window)
	var results []trialResult
	for _, role := range roles {
		if !slices.Contains(campaignRoles, role) {
			t.Fatalf("unknown campaign role %q (roles: %v)", role, campaignRoles)
		}
		t.Run(role, func(t *testing.T) {
			for i := range trials {
				t.Run(strconv.Itoa(i), func(t *testing.T) {
					// Each trial's moments come from (seed, role, trial), so
					// one trial replays alone.
					rng := rand.New(rand.NewPCG(seed, uint64(slices.Index(campaignRoles, role))<<32|uint64(i)))
					var r trialResult
					if role == "all-in-one" {
						r = allInOneTrial(t, bin, dump, checks, rng, window)
					} else {
						r = multiProcessTrial(t, bin, dump, checks, role, rng, window)
					}
					r.role, r.trial = role, i
					t.Log(r)
					results = append(results, r)
					if !r.verified {
						t.Errorf("trial not verified (replay: LIGHTSTREAM_CAMPAIGN_SEED=%d LIGHTSTREAM_CAMPAIGN_TRIALS=%d LIGHTSTREAM_CAMPAIGN_ROLES=%s go test -run 'TestCampaign/%s/%d' ./tests/faults/)",
							seed, trials, role, role, i)
					}
				})
			}
		})
	}
	t.Log(campaignFigures(results))
}

// campaignFigures is the campaign's table: per role, trials, verified,
// lost and duplicated rows, mismatches, hangs, panics.
func campaignFigures(results []trialResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-12s %6s %8s %5s %5s %9s %5s %6s %8s\n", "role", "trials", "verified", "lost", "dup", "mismatch", "hang", "panic", "restarts")
	for _, role := range campaignRoles {
		var n, ok, mism, hang, pan, restarts int
		var lost, dup int64
		for _, r := range results {
			if r.role != role {
				continue
			}
			n++
			if r.verified {
				ok++
			}
			if r.mismatch {
				mism++
			}
			if r.hang {
				hang++
			}
			if r.panic != "" {
				pan++
			}
			lost += r.lost
			dup += r.dup
			restarts += r.restarts
		}
		if n > 0 {
			fmt.Fprintf(&b, "%-12s %6d %8d %5d %5d %9d %5d %6d %8d\n", role, n, ok, lost, dup, mism, hang, pan, restarts)
		}
	}
	return b.String()
}

// multiProcessTrial runs store, broker, producer, coordinator, encoder and
// sorter as separate processes, kills role at a random moment (restarting
// it: the broker and the store on the same data directory and address,
// the other roles as a new member), waits for the coordinator and checks
// every table exported through the store.
func multiProcessTrial(t *testing.T, bin, dump string, checks map[string]tableCheck, role string, rng *rand.Rand, window time.Duration) (res trialResult) {
	return multiProcessRun(t, bin, dump, checks, role, rng, window, nil)
}

// multiProcessRun is multiProcessTrial; with until set, role is killed
// once until(work directory) holds instead of at a random moment.
func multiProcessRun(t *testing.T, bin, dump string, checks map[string]tableCheck, role string, rng *rand.Rand, window time.Duration, until func(work string) bool) (res trialResult) {
	dir := trialDir(t, "trial")
	logPath := filepath.Join(dir, "processes.log")
	defer func() {
		if p := panicked(logPath); p != "" {
			res.panic, res.verified = p, false
		}
		if !res.verified {
			raw, _ := os.ReadFile(logPath)
			t.Logf("process output (last 6 KiB):\n%s", tail(raw, 6<<10))
		}
	}()
	storeAddr, err := loopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	brokerAddr, err := loopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("campaign-%d", rng.Uint32())
	args := map[string][]string{
		"store":       {"store", "--data-dir", filepath.Join(dir, "store"), "--addr", storeAddr},
		"broker":      {"broker", "--data-dir", filepath.Join(dir, "broker"), "--listen", brokerAddr},
		"producer":    {"producer", "--import-id", id, "--brokers", brokerAddr, "--dump", dump, "--chunk-size", "128KiB", "--partition-size", "512KiB", "--kv-partitions", "4"},
		"coordinator": {"coordinator", "--import-id", id, "--brokers", brokerAddr, "--pd", storeAddr, "--work-dir", filepath.Join(dir, "work")},
		"encoder":     {"encoder", "--import-id", id, "--brokers", brokerAddr, "--dump", dump},
		"sorter":      {"sorter", "--import-id", id, "--brokers", brokerAddr, "--pd", storeAddr, "--engine-dir", filepath.Join(dir, "engines"), "--ingest", "physical"},
	}
	addrs := map[string]string{"store": storeAddr, "broker": brokerAddr}
	procs := map[string]*campProc{}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	launch := func(name string) error {
		p, err := startCampProc(bin, name, logPath, args[name]...)
		if err != nil {
			return err
		}
		procs[name] = p
		if a := addrs[name]; a != "" {
			return waitListening(p, a, 30*time.Second)
		}
		return nil
	}
	for _, name := range []string{"store", "broker", "coordinator", "sorter", "encoder", "producer"} {
		if err := launch(name); err != nil {
			res.err = err
			return res
		}
	}
	// The producer publishes and exits within seconds: its moments are
	// drawn from the first quarter of the window.
	w := window
	if role == "producer" {
		w /= 4
	}
	res.killAt = time.Duration(rng.Int64N(int64(w)))
	if until != nil {
		started := time.Now()
		for !until(filepath.Join(dir, "work")) && !procs["coordinator"].exited() && time.Since(started) < 2*time.Minute {
			time.Sleep(5 * time.Millisecond)
		}
		res.killAt = time.Since(started)
	} else {
		select {
		case <-time.After(res.killAt):
		case <-procs["coordinator"].done:
		}
	}
	if procs[role].kill() {
		res.killed++
		if role == "store" || role == "broker" {
			time.Sleep(time.Duration(rng.Int64N(int64(time.Second))))
		}
		if err := launch(role); err != nil {
			res.err = fmt.Errorf("restart %s: %w", role, err)
			return res
		}
	}
	// Wait for the coordinator. A role that fails is started again, as
	// the Kubernetes manifests' restartPolicy OnFailure does (deploy/k8s);
	// a checksum mismatch is never retried, and a broker or store that
	// exits by itself fails the trial.
	for deadline := time.Now().Add(4 * time.Minute); ; {
		if err, ok := procs["coordinator"].wait(200 * time.Millisecond); ok && err == nil {
			break
		}
		for _, name := range []string{"store", "broker"} {
			if p := procs[name]; p.exited() {
				res.err = fmt.Errorf("%s exited (%v) before the import completed", name, p.err)
				return res
			}
		}
		for _, name := range []string{"coordinator", "producer", "encoder", "sorter"} {
			p := procs[name]
			if !p.exited() || p.err == nil {
				continue
			}
			if raw, _ := os.ReadFile(logPath); name == "coordinator" && bytes.Contains(raw, []byte("checksum mismatch")) {
				res.mismatch, res.err = true, fmt.Errorf("coordinator: %v", p.err)
				return res
			}
			if res.restarts++; res.restarts > 10 {
				res.err = fmt.Errorf("%s failed again (%v) after 10 restarts", name, p.err)
				return res
			}
			if err := launch(name); err != nil {
				res.err = fmt.Errorf("restart %s after its failure: %w", name, err)
				return res
			}
		}
		if time.Now().After(deadline) {
			res.hang, res.err = true, fmt.Errorf("coordinator: %w", errHang)
			return res
		}
	}
	res.verified, res.mismatch, res.lost, res.dup, res.err = compareExports(bin, logPath, checks, "--work-dir", filepath.Join(dir, "work"), "--pd", storeAddr)
	return res
}

// allInOneTrial kills `lightstream import` 1-3 times at random moments,
// running it again each time, then runs it to the end and checks every
// exported table.
func allInOneTrial(t *testing.T, bin, dump string, checks map[string]tableCheck, rng *rand.Rand, window time.Duration) (res trialResult) {
	dir := trialDir(t, "trial")
	logPath := filepath.Join(dir, "processes.log")
	work := filepath.Join(dir, "work")
	defer func() {
		if p := panicked(logPath); p != "" {
			res.panic, res.verified = p, false
		}
		if !res.verified {
			raw, _ := os.ReadFile(logPath)
			t.Logf("process output (last 6 KiB):\n%s", tail(raw, 6<<10))
		}
	}()
	args := []string{"import", "--quiet", "--dump", dump, "--work-dir", work, "--chunk-size", "128KiB", "--partition-size", "512KiB", "--kv-partitions", "4"}
	kills := 1 + rng.IntN(3)
	for k := range kills {
		at := time.Duration(rng.Int64N(int64(window)))
		if k == 0 {
			res.killAt = at
		}
		p, err := startCampProc(bin, "import", logPath, args...)
		if err != nil {
			res.err = err
			return res
		}
		select {
		case <-time.After(at):
		case <-p.done:
		}
		if p.kill() {
			res.killed++
		}
	}
	out, err := runLogged(bin, logPath, 4*time.Minute, args...)
	if err != nil {
		res.hang = strings.Contains(err.Error(), errHang.Error())
		res.mismatch = bytes.Contains(out, []byte("checksum mismatch"))
		res.err = fmt.Errorf("final import: %w", err)
		return res
	}
	if st, _ := readCheckpoint(work); st.Status != checkpoint.Complete {
		res.err = fmt.Errorf("checkpoint status %q after the final run", st.Status)
		return res
	}
	res.verified, res.mismatch, res.lost, res.dup, res.err = compareExports(bin, logPath, checks, "--work-dir", work)
	return res
}

// compareExports exports every checked table and compares its figures.
func compareExports(bin, logPath string, checks map[string]tableCheck, where ...string) (verified, mismatch bool, lost, dup int64, err error) {
	var bad []string
	for _, name := range sortedKeys(checks) {
		want := checks[name]
		out, err := runLogged(bin, logPath, 2*time.Minute, append([]string{"export", "--table", name}, where...)...)
		if err != nil {
			return false, false, 0, 0, fmt.Errorf("export %s: %w", name, err)
		}
		f, err := figuresOfExport(bytes.NewReader(out))
		if err != nil {
			return false, false, 0, 0, fmt.Errorf("export %s: %w", name, err)
		}
		if err := f.Matches(want); err != nil {
			bad = append(bad, err.Error())
			if d := f.Count - want.Count; d < 0 {
				lost -= d
			} else {
				dup += d
			}
		}
	}
	if len(bad) > 0 {
		return false, true, lost, dup, fmt.Errorf("exports differ: %s", strings.Join(bad, "; "))
	}
	return true, false, 0, 0, nil
}
