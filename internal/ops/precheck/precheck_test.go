package precheck

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSource(t *testing.T) {
	dir := t.TempDir()
	if r := Source(dir).Run(context.Background()); r.Status != Fail || !strings.Contains(r.Detail, "holds no files") {
		t.Errorf("empty dump: %+v", r)
	}
	if r := Source(filepath.Join(dir, "missing")).Run(context.Background()); r.Status != Fail || !strings.Contains(r.Detail, "cannot read the dump") {
		t.Errorf("missing dump: %+v", r)
	}
	if err := os.WriteFile(filepath.Join(dir, "db.t.sql"), []byte("INSERT INTO t VALUES (1);"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A data file behind a link counts with its target's size.
	if err := os.WriteFile(filepath.Join(dir, "target"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "target"), filepath.Join(dir, "db.u.sql")); err != nil {
		t.Fatal(err)
	}
	if files, n, err := SourceSize(dir); err != nil || files != 3 || n != 2025 {
		t.Errorf("SourceSize = %d files, %d bytes, %v; want 3, 2025", files, n, err)
	}
	if r := Source(dir).Run(context.Background()); r.Status != Pass {
		t.Errorf("dump: %+v", r)
	}
}

func TestFreeSpace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	if r := FreeSpace("space", dir, 1).Run(context.Background()); r.Status != Pass {
		t.Errorf("1 byte in a directory to be created: %+v", r)
	}
	if r := FreeSpace("space", dir, 1<<62).Run(context.Background()); r.Status != Fail || !strings.Contains(r.Detail, "free space there") {
		t.Errorf("4 EiB: %+v", r)
	}
}

func TestReachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := ln.Addr().String()
	ln2, _ := net.Listen("tcp", "127.0.0.1:0")
	down := ln2.Addr().String()
	ln2.Close()
	defer ln.Close()
	if r := Reachable("--pd", []string{up}, time.Second, "PD").Run(context.Background()); r.Status != Pass {
		t.Errorf("listening: %+v", r)
	}
	start := time.Now()
	r := Reachable("--pd", []string{up, down}, time.Second, "PD").Run(context.Background())
	if r.Status != Fail || !strings.Contains(r.Detail, down) || !strings.Contains(r.Detail, "check --pd") {
		t.Errorf("closed port: %+v", r)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a refused connection took %s", d)
	}
}

func TestRunFails(t *testing.T) {
	pass := Check{Name: "a", Run: func(context.Context) Result { return Result{Status: Pass, Detail: "fine"} }}
	fail := Check{Name: "b", Run: func(context.Context) Result { return Result{Status: Fail, Detail: "do this"} }}
	res, err := Run(context.Background(), []Check{pass, fail})
	if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), ": b (") || len(res) != 2 {
		t.Fatalf("Run: %v %+v", err, res)
	}
	var out bytes.Buffer
	Print(&out, res)
	if !strings.Contains(out.String(), "b          fail    do this") && !strings.Contains(out.String(), "fail") {
		t.Errorf("table: %q", out.String())
	}
	if _, err := Run(context.Background(), []Check{pass}); err != nil {
		t.Errorf("all pass: %v", err)
	}
}
