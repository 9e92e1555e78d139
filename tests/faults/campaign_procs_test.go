package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// campProc is one lightstream process of a campaign trial: its output
// (stdout and stderr) goes to a log file of the trial, kept for a failure
// report and scanned for panics.
type campProc struct {
	role string
	args []string
	log  string
	cmd  *exec.Cmd
	done chan error // receives Wait's result once, then is closed
	err  error
}

// startCampProc starts bin with args, appending its output to logPath.
func startCampProc(bin, role, logPath string, args ...string) (*campProc, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "=== %s %s\n", role, strings.Join(args, " "))
	p := &campProc{role: role, args: args, log: logPath, cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	go func() {
		err := p.cmd.Wait()
		f.Close()
		p.done <- err
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended (and records how).
func (p *campProc) exited() bool {
	select {
	case err, ok := <-p.done:
		if ok {
			p.err = err
		}
		return true
	default:
		return false
	}
}

// wait waits up to timeout for the process to end.
func (p *campProc) wait(timeout time.Duration) (error, bool) {
	select {
	case err, ok := <-p.done:
		if ok {
			p.err = err
		}
		return p.err, true
	case <-time.After(timeout):
		return nil, false
	}
}

// kill sends SIGKILL and waits for the process to be gone; it reports
// whether the process was still running.
func (p *campProc) kill() bool {
	if p.exited() {
		return false
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(time.Minute)
	return true
}

// stop ends a long-lived role: SIGTERM, then SIGKILL after a grace period.
func (p *campProc) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if _, ok := p.wait(10 * time.Second); !ok {
		p.kill()
	}
}

// loopbackAddr returns a loopback address nothing listens on, so that a
// restarted broker or store comes back where its clients point.
func loopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// waitListening waits until addr accepts TCP connections or p exits.
func waitListening(p *campProc, addr string, timeout time.Duration) error {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited (%v) before listening on %s", p.role, p.err, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not listening on %s after %v", p.role, addr, timeout)
}

// panicked reports the first panic or fatal runtime error in a log file.
func panicked(logPath string) string {
	raw, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	for _, marker := range []string{"panic: ", "fatal error: ", "DATA RACE"} {
		if i := bytes.Index(raw, []byte(marker)); i >= 0 {
			end := min(len(raw), i+400)
			return strings.ToValidUTF8(string(raw[i:end]), "?")
		}
	}
	return ""
}

// runLogged runs bin to its end, output appended to logPath; it returns
// the run's stdout (with its stderr after it when the run failed).
func runLogged(bin, logPath string, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.Bytes()
	if f, ferr := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); ferr == nil {
		// An export's stdout is the table: only its size is logged.
		if args[0] == "export" {
			fmt.Fprintf(f, "=== %s: %d bytes\n%s", strings.Join(args, " "), len(out), stderr.Bytes())
		} else {
			fmt.Fprintf(f, "=== %s\n%s%s", strings.Join(args, " "), out, stderr.Bytes())
		}
		f.Close()
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s: %w", args[0], errHang)
	}
	if err != nil {
		return append(out, stderr.Bytes()...), err
	}
	return out, nil
}

// errHang marks a trial step that did not finish in its time.
var errHang = errors.New("did not finish in time (hang)")

// trialDir is a fresh directory for one trial, removed when it passed.
func trialDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
