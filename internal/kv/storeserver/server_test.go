package storeserver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/pingcap/log"
	"github.com/tikv/client-go/v2/txnkv"
	"go.uber.org/zap/zapcore"
)

func TestMain(m *testing.M) {
	// Keep client-go's INFO logging out of test output.
	log.SetLevel(zapcore.WarnLevel)
	os.Exit(m.Run())
}

func startServer(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := Open(Config{DataDir: dir, Listeners: []Listener{{Addr: "127.0.0.1:0"}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newClient(t *testing.T, addr string) *txnkv.Client {
	t.Helper()
	c, err := txnkv.NewClient([]string{addr})
	if err != nil {
		t.Fatalf("txnkv.NewClient(%s): %v", addr, err)
	}
	return c
}

type kv struct{ k, v string }

func genKVs(prefix string, n int) []kv {
	out := make([]kv, n)
	for i := range out {
		out[i] = kv{fmt.Sprintf("%s%06d", prefix, i), fmt.Sprintf("v%d", i*31)}
	}
	return out
}

func write(t *testing.T, c *txnkv.Client, kvs []kv) {
	t.Helper()
	txn, err := c.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range kvs {
		if err := txn.Set([]byte(p.k), []byte(p.v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Commit(context.Background()); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func scan(t *testing.T, c *txnkv.Client, start, end string) []kv {
	t.Helper()
	ts, err := c.GetTimestamp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	snap := c.GetSnapshot(ts)
	snap.SetScanBatchSize(100) // several scan RPCs per region
	it, err := snap.Iter([]byte(start), []byte(end))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []kv
	for it.Valid() {
		out = append(out, kv{string(it.Key()), string(it.Value())})
		if err := it.Next(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func equalKVs(t *testing.T, got, want []kv) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d pairs, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("pair %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestTxnClientSplitRestart drives the server with client-go's own
// transactional client over the network: write, read back, split into
// several regions, read and write across them, restart on the same data
// directory and read again.
func TestTxnClientSplitRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := startServer(t, dir)
	c := newClient(t, s.Addr())

	kvs := genKVs("k", 3000)
	write(t, c, kvs[:1000])
	write(t, c, kvs[1000:])
	equalKVs(t, scan(t, c, "k", "l"), kvs)

	// Point read through a snapshot (KvGet / BatchGet).
	ts, err := c.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.GetSnapshot(ts).Get(ctx, []byte(kvs[1234].k))
	if err != nil || string(v) != kvs[1234].v {
		t.Fatalf("get = %q, %v; want %q", v, err, kvs[1234].v)
	}

	splitKeys := [][]byte{[]byte(kvs[700].k), []byte(kvs[1500].k), []byte(kvs[2600].k)}
	if _, err := c.SplitRegions(ctx, splitKeys, true, nil); err != nil {
		t.Fatalf("split: %v", err)
	}
	if n := s.RegionCount(); n != 4 {
		t.Fatalf("regions after split = %d, want 4", n)
	}
	// The client's cached single region is now stale: reads and a
	// transaction spanning every region must go through epoch errors.
	equalKVs(t, scan(t, c, "k", "l"), kvs)
	over := genKVs("k", 3000)
	for i := range over {
		if i%100 == 0 {
			over[i].v = "new"
		}
	}
	write(t, c, over)
	equalKVs(t, scan(t, c, kvs[650].k, kvs[2650].k), over[650:2650])

	// A second client starts with a fresh region cache.
	c2 := newClient(t, s.Addr())
	equalKVs(t, scan(t, c2, "k", "l"), over)
	lastTS, err := c2.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = c2.Close()
	_ = c.Close()
	t.Logf("calls served: %v", s.Calls())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = startServer(t, dir)
	defer s.Close()
	if n := s.RegionCount(); n != 4 {
		t.Fatalf("regions after restart = %d, want 4", n)
	}
	c = newClient(t, s.Addr())
	defer c.Close()
	ts, err = c.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ts <= lastTS {
		t.Fatalf("TSO went back across restart: %d <= %d", ts, lastTS)
	}
	equalKVs(t, scan(t, c, "k", "l"), over)
	write(t, c, []kv{{"k000001", "after-restart"}})
	got := scan(t, c, "k000001", "k000002")
	if len(got) != 1 || !bytes.Equal([]byte(got[0].v), []byte("after-restart")) {
		t.Fatalf("after restart write: %v", got)
	}
}
