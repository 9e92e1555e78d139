package cluster

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// lsBinary is the lightstream command built for this package's tests.
var lsBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lightstream-cluster-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lsBinary = filepath.Join(dir, "lightstream")
	build := exec.Command("go", "build", "-o", lsBinary, "github.com/lightstream-io/lightstream/cmd/lightstream")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lightstream:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a lightstream process started by a test; its stderr is kept.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string // stderr lines, for waiting on a start message
	done   chan error
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

// Stderr returns what the process wrote to stderr so far.
func (p *proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// start runs `lightstream args...` in the background. The process gets
// SIGTERM (then SIGKILL) when the test ends.
func start(t testing.TB, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(lsBinary, args...), lines: make(chan string, 64), done: make(chan error, 1)}
	pr, pw := io.Pipe()
	p.cmd.Stderr = pw
	p.cmd.Stdout = p
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start lightstream %s: %v", args[0], err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p, line)
			select {
			case p.lines <- line:
			default:
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	go func() {
		err := p.cmd.Wait()
		pw.Close()
		p.done <- err
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("lightstream %s stderr:\n%s", args[0], tail(p.Stderr(), 3000))
		}
	})
	return p
}

// wait waits for the process to exit.
func (p *proc) wait(timeout time.Duration) error {
	select {
	case err := <-p.done:
		p.done <- err // later waits (the cleanup) see it too
		return err
	case <-time.After(timeout):
		return fmt.Errorf("still running after %v", timeout)
	}
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

// waitLine returns the first stderr line matching re.
func (p *proc) waitLine(t testing.TB, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line := <-p.lines:
			if m := re.FindStringSubmatch(line); m != nil {
				return m
			}
		case err := <-p.done:
			p.done <- err
			t.Fatalf("process exited (%v) before printing %s; stderr:\n%s", err, re, p.Stderr())
		case <-deadline:
			t.Fatalf("no line matching %s after %v; stderr:\n%s", re, timeout, p.Stderr())
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

var (
	storeLine  = regexp.MustCompile(`store serving PD \+ TiKV on \[([0-9.]+:[0-9]+)`)
	brokerLine = regexp.MustCompile(`broker listening on \[([0-9.]+:[0-9]+)`)
)

// startStore runs `lightstream store` on a free loopback port and returns
// the process and its PD address.
func startStore(t testing.TB, extra ...string) (*proc, string) {
	t.Helper()
	args := append([]string{"store", "--data-dir", filepath.Join(t.TempDir(), "store"), "--addr", "127.0.0.1:0"}, extra...)
	p := start(t, args...)
	m := p.waitLine(t, storeLine, 30*time.Second)
	return p, m[1]
}

// startBroker runs `lightstream broker` on a free loopback port.
func startBroker(t *testing.T) (*proc, string) {
	t.Helper()
	p := start(t, "broker", "--data-dir", filepath.Join(t.TempDir(), "broker"), "--listen", "127.0.0.1:0")
	m := p.waitLine(t, brokerLine, 30*time.Second)
	return p, m[1]
}

// run runs `lightstream args...` to completion and returns its stdout.
func run(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := runErr(timeout, args...)
	if err != nil {
		t.Fatalf("lightstream %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func runErr(timeout time.Duration, args ...string) (string, error) {
	return runErrIn("", timeout, args...)
}

// runErrIn is runErr in the working directory dir ("": the test's).
func runErrIn(dir string, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, lsBinary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w; stderr:\n%s", err, tail(stderr.String(), 3000))
	}
	return stdout.String(), nil
}

// storeMode asks the store's ImportSST service which mode it is in.
func storeMode(t *testing.T, addr string) import_sstpb.SwitchMode {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := import_sstpb.NewImportSSTClient(conn).GetMode(ctx, &import_sstpb.GetModeRequest{})
	if err != nil {
		t.Fatalf("GetMode: %v", err)
	}
	return resp.GetMode()
}

// regionCount asks PD how many regions the store has.
func regionCount(t *testing.T, pd string) int {
	t.Helper()
	c, err := store.OpenCluster([]string{pd}, store.ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := c.RegionCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkSakila exports every table of the expected checks through --pd and
// compares the figures.
func checkSakila(t *testing.T, workDir, pd string) {
	t.Helper()
	checks := loadChecks(t)
	if len(checks) < 16 {
		t.Fatalf("only %d expected checks", len(checks))
	}
	for name, want := range checks {
		out := filepath.Join(t.TempDir(), name+".csv")
		run(t, 2*time.Minute, "export", "--work-dir", workDir, "--table", name, "--pd", pd, "--out", out)
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := figuresOfExport(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := got.Matches(want); err != nil {
			t.Error(err)
		}
	}
}

// importArgs are the arguments of an import of sakila into pd.
func importArgs(t *testing.T, workDir, pd string, extra ...string) []string {
	return append([]string{"import", "--dump", sakilaDump(t), "--work-dir", workDir, "--pd", pd, "--quiet"}, extra...)
}
