package cli

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

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
)

// runCLIContext runs the app until it returns or ctx ends.
func runCLIContext(ctx context.Context, args ...string) (string, error) {
	app := NewApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	app.ExitErrHandler = func(*cli.Context, error) {}
	err := app.RunContext(ctx, append([]string{"lightstream"}, args...))
	return out.String(), err
}

func unsetImportID(t *testing.T) {
	t.Helper()
	t.Setenv(importid.EnvVar, "")
	os.Unsetenv(importid.EnvVar)
}

// TestRolesRequireImportID: every role started on its own fails at once
// without --import-id (or LIGHTSTREAM_IMPORT_ID), saying how to give it;
// the environment variable stands for the flag.
func TestRolesRequireImportID(t *testing.T) {
	unsetImportID(t)
	dump := t.TempDir()
	roles := [][]string{
		{"producer", "--brokers", "127.0.0.1:1", "--dump", dump},
		{"encoder", "--brokers", "127.0.0.1:1", "--dump", dump},
		{"sorter", "--brokers", "127.0.0.1:1", "--store-dir", t.TempDir()},
		{"coordinator", "--brokers", "127.0.0.1:1", "--store-dir", t.TempDir(), "--work-dir", t.TempDir()},
		{"topics", "delete", "--brokers", "127.0.0.1:1"},
	}
	for _, args := range roles {
		_, err := runCLIContext(context.Background(), args...)
		if !errors.Is(err, importid.ErrMissing) || !strings.Contains(err.Error(), "--import-id") || !strings.Contains(err.Error(), importid.EnvVar) {
			t.Errorf("%s without --import-id: %v", args[0], err)
		}
	}
	_, err := runCLIContext(context.Background(), "encoder", "--brokers", "127.0.0.1:1", "--dump", dump, "--import-id", "no/slash")
	if !errors.Is(err, importid.ErrInvalid) {
		t.Errorf("encoder with an invalid id: %v", err)
	}
}

// TestMemberOfMissingImport: an encoder or sorter given an id no producer
// created fails once its --wait-for-import is over, naming the import and
// the broker, instead of waiting for ever; the id read from the
// environment is used the same way.
func TestMemberOfMissingImport(t *testing.T) {
	unsetImportID(t)
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := b.Addrs()[0]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	check := func(role string, err error) {
		t.Helper()
		if !errors.Is(err, importid.ErrNoImport) || !strings.Contains(err.Error(), "typo_id") || !strings.Contains(err.Error(), addr) {
			t.Errorf("%s of a missing import: %v", role, err)
		}
	}
	_, err = runCLIContext(ctx, "encoder", "--brokers", addr, "--dump", t.TempDir(), "--import-id", "typo_id", "--wait-for-import", "300ms")
	check("encoder", err)
	_, err = runCLIContext(ctx, "sorter", "--brokers", addr, "--store-dir", t.TempDir(), "--engine-dir", t.TempDir(), "--import-id", "typo_id", "--wait-for-import", "300ms")
	check("sorter", err)
	t.Setenv(importid.EnvVar, "typo_id")
	_, err = runCLIContext(ctx, "coordinator", "--brokers", addr, "--store-dir", t.TempDir(), "--work-dir", t.TempDir(), "--wait-for-import", "300ms")
	check("coordinator", err)
}

// TestBusyPortsFail: a role whose own listener's port another process
// holds fails at once, naming the address: the metrics of import and the
// coordinator, and the broker's --listen.
func TestBusyPortsFail(t *testing.T) {
	unsetImportID(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	addr := held.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	work := filepath.Join(t.TempDir(), "work")
	_, err = runCLIContext(ctx, "import", "--dump", t.TempDir(), "--work-dir", work, "--quiet", "--metrics-addr", addr)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr "+addr) {
		t.Errorf("import with a busy metrics port: %v", err)
	}
	if _, err := os.Stat(work); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("import with a busy metrics port did work first: %s exists (%v)", work, err)
	}
	_, err = runCLIContext(ctx, "coordinator", "--import-id", "x", "--brokers", "127.0.0.1:1", "--store-dir", t.TempDir(),
		"--work-dir", t.TempDir(), "--metrics-addr", addr)
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr "+addr) {
		t.Errorf("coordinator with a busy metrics port: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := runCLIContext(ctx, "broker", "--listen", addr)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("broker on a busy port: %v", err)
		}
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("a broker on a busy port is running")
	}
}

// TestTopicsCommands: `topics list` shows the imports on a broker,
// `topics delete` removes one import's topics and leaves the other's.
func TestTopicsCommands(t *testing.T) {
	unsetImportID(t)
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addr := b.Addrs()[0]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dump := t.TempDir()
	for name, body := range map[string]string{
		"shop-schema-create.sql": "CREATE DATABASE `shop`;\n",
		"shop.t-schema.sql":      "CREATE TABLE `t` (`id` INT PRIMARY KEY);\n",
		"shop.t.000000000.sql":   "INSERT INTO `t` VALUES (1),(2);\n",
		"shop.empty-schema.sql":  "CREATE TABLE `empty` (`id` INT PRIMARY KEY);\n",
	} {
		if err := os.WriteFile(filepath.Join(dump, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"first", "second"} {
		out, err := runCLIContext(ctx, "producer", "--brokers", addr, "--dump", dump, "--import-id", id)
		if err != nil || !strings.Contains(out, "as import "+id) {
			t.Fatalf("producer %s: %q, %v", id, out, err)
		}
	}
	out, err := runCLIContext(ctx, "topics", "list", "--brokers", addr)
	if err != nil || out != "first\t7 topics\nsecond\t7 topics\n" {
		t.Fatalf("topics list: %q, %v", out, err)
	}
	out, err = runCLIContext(ctx, "topics", "delete", "--brokers", addr, "--import-id", "first")
	if err != nil || strings.Count(out, "deleted topic ls--first--") != 7 {
		t.Fatalf("topics delete: %q, %v", out, err)
	}
	out, err = runCLIContext(ctx, "topics", "list", "--brokers", addr)
	if err != nil || out != "second\t7 topics\n" {
		t.Errorf("topics list after delete: %q, %v", out, err)
	}
	if _, err := runCLIContext(ctx, "topics", "delete", "--brokers", addr, "--import-id", "first"); !errors.Is(err, importid.ErrNoImport) {
		t.Errorf("deleting a deleted import: %v", err)
	}
}
