package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/storeserver"
)

func startStoreServer(t *testing.T, dir string, ls ...storeserver.Listener) *storeserver.Server {
	t.Helper()
	if len(ls) == 0 {
		ls = []storeserver.Listener{{Addr: "127.0.0.1:0"}}
	}
	s, err := storeserver.Open(storeserver.Config{DataDir: dir, Listeners: ls})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClusterAgainstStoreServer runs the Store contract through PD and
// TiKV over the network against `lightstream store`'s server: writes,
// scans, checksum, splits, import mode, compaction, and a server restart
// on the same data directory.
func TestClusterAgainstStoreServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := startStoreServer(t, dir)
	c, err := OpenCluster([]string{srv.Addr()}, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pairs := genPairs("t_", 3000)
	if err := c.SplitRegions(ctx, [][]byte{pairs[1000].Key, pairs[2000].Key, pairs[2000].Key}); err != nil {
		t.Fatal(err)
	}
	if n, err := c.RegionCount(ctx); err != nil || n != 3 {
		t.Fatalf("regions after split = %d, %v; want 3", n, err)
	}
	// Existing boundaries are skipped.
	if err := c.SplitRegions(ctx, [][]byte{pairs[1000].Key}); err != nil {
		t.Fatal(err)
	}
	if srv.RegionCount() != 3 {
		t.Fatalf("server regions = %d, want 3", srv.RegionCount())
	}
	// One transaction over all three regions, one inside a region.
	if err := c.WriteBatch(ctx, pairs[:2500]); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBatch(ctx, pairs[2500:]); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBatch(ctx, []Pair{{Key: []byte("u"), Value: nil}}); !errors.Is(err, ErrEmptyValue) {
		t.Fatalf("empty value: %v", err)
	}
	equalPairs(t, scanAll(t, c, []byte("t_"), []byte("t`")), pairs)
	equalPairs(t, scanAll(t, c, pairs[900].Key, pairs[2100].Key), pairs[900:2100])

	var want Checksum
	for _, p := range pairs {
		want.Update(p.Key, p.Value)
	}
	got, err := c.Checksum(ctx, []KeyRange{{Start: []byte("t_"), End: pairs[1500].Key}, {Start: pairs[1500].Key, End: []byte("t`")}})
	if err != nil || got != want {
		t.Fatalf("checksum = %+v, %v; want %+v", got, err, want)
	}

	if err := c.SwitchMode(ctx, true); err != nil {
		t.Fatal(err)
	}
	if !srv.ImportMode() {
		t.Fatal("server not in import mode after SwitchMode(true)")
	}
	if err := c.SwitchMode(ctx, false); err != nil || srv.ImportMode() {
		t.Fatalf("SwitchMode(false): %v, import mode %v", err, srv.ImportMode())
	}
	if err := c.Compact(ctx, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBatch(ctx, pairs[:1]); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart the server on the same directory: data and regions survive.
	srv = startStoreServer(t, dir)
	defer srv.Close()
	c, err = OpenCluster([]string{"http://" + srv.Addr()}, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n, err := c.RegionCount(ctx); err != nil || n != 3 {
		t.Fatalf("regions after restart = %d, %v; want 3", n, err)
	}
	got, err = c.Checksum(ctx, []KeyRange{{Start: []byte("t_"), End: []byte("t`")}})
	if err != nil || got != want {
		t.Fatalf("checksum after restart = %+v, %v; want %+v", got, err, want)
	}
}

// TestClusterRewriteAddr serves a listener that advertises an address the
// client cannot resolve (as a container alias seen from the host) and
// reaches it through ClusterOptions.RewriteAddr.
func TestClusterRewriteAddr(t *testing.T) {
	ctx := context.Background()
	const alias = "store.lightstream.invalid:20160"
	srv := startStoreServer(t, t.TempDir(), storeserver.Listener{Addr: "127.0.0.1:0", Advertise: alias})
	defer srv.Close()
	real := srv.Addr()
	var rewritten atomic.Int64
	c, err := OpenCluster([]string{alias}, ClusterOptions{RewriteAddr: func(a string) string {
		if a == alias {
			rewritten.Add(1)
			return real
		}
		return a
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pairs := genPairs("r", 100)
	if err := c.WriteBatch(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	equalPairs(t, scanAll(t, c, nil, nil), pairs)
	if err := c.SwitchMode(ctx, true); err != nil {
		t.Fatal(err)
	}
	if rewritten.Load() == 0 {
		t.Fatal("rewrite hook never called")
	}
}

// TestClusterExternal runs against an external PD (a real cluster or a
// `lightstream store` process) named by LIGHTSTREAM_TEST_PD; skipped
// otherwise. It writes under a key prefix unique to the run.
func TestClusterExternal(t *testing.T) {
	addr := os.Getenv("LIGHTSTREAM_TEST_PD")
	if addr == "" {
		t.Skip("LIGHTSTREAM_TEST_PD not set")
	}
	ctx := context.Background()
	c, err := OpenCluster(strings.Split(addr, ","), ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prefix := fmt.Sprintf("lightstream_test_%d_", time.Now().UnixNano())
	pairs := genPairs(prefix, 2000)
	if err := c.SplitRegions(ctx, [][]byte{pairs[500].Key, pairs[1500].Key}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBatch(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	end := []byte(prefix + "~")
	equalPairs(t, scanAll(t, c, []byte(prefix), end), pairs)
	var want Checksum
	for _, p := range pairs {
		want.Update(p.Key, p.Value)
	}
	got, err := c.Checksum(ctx, []KeyRange{{Start: []byte(prefix), End: end}})
	if err != nil || got != want {
		t.Fatalf("checksum = %+v, %v; want %+v", got, err, want)
	}
	n, err := c.RegionCount(ctx)
	t.Logf("cluster %d: %d regions (%v)", c.ClusterID(), n, err)
}

// TestClusterBulkWrite imports through ImportSST Write + MultiIngest over
// several regions and checks the result through transactional reads, its
// ordering with transactions (newest wins) and a region layout that
// changes between calls.
func TestClusterBulkWrite(t *testing.T) {
	ctx := context.Background()
	srv := startStoreServer(t, t.TempDir())
	defer srv.Close()
	c, err := OpenCluster([]string{srv.Addr()}, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pairs := genPairs("b", 5000)
	if err := c.SplitRegions(ctx, [][]byte{pairs[1000].Key, pairs[3000].Key}); err != nil {
		t.Fatal(err)
	}
	if err := c.BulkWrite(ctx, pairs[:4000]); err != nil {
		t.Fatal(err)
	}
	// The layout changes between bulk writes: the next one relocates.
	if err := c.SplitRegions(ctx, [][]byte{pairs[4500].Key}); err != nil {
		t.Fatal(err)
	}
	if err := c.BulkWrite(ctx, pairs[4000:]); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteBatch(ctx, []Pair{{Key: pairs[1].Key, Value: []byte("txn")}}); err != nil {
		t.Fatal(err)
	}
	if err := c.BulkWrite(ctx, []Pair{{Key: pairs[2].Key, Value: []byte("bulk")}}); err != nil {
		t.Fatal(err)
	}
	if err := c.BulkWrite(ctx, []Pair{{Key: []byte("e")}}); !errors.Is(err, ErrEmptyValue) {
		t.Fatalf("empty value: %v", err)
	}
	want := append([]Pair{}, pairs...)
	want[1].Value, want[2].Value = []byte("txn"), []byte("bulk")
	equalPairs(t, scanAll(t, c, []byte("b"), []byte("c")), want)
	var sum Checksum
	for _, p := range want {
		sum.Update(p.Key, p.Value)
	}
	got, err := c.Checksum(ctx, []KeyRange{{Start: []byte("b"), End: []byte("c")}})
	if err != nil || got != sum {
		t.Fatalf("checksum = %+v, %v; want %+v", got, err, sum)
	}
	if calls := srv.Calls(); calls["import_sstpb.ImportSST/MultiIngest"] < 4 || calls["import_sstpb.ImportSST/Write"] < 4 {
		t.Fatalf("ImportSST not used: %v", calls)
	}
}

// TestClusterIngestStaleRegion ingests with region metadata taken before a
// split: the store refuses with a region error, which BulkWrite retries.
func TestClusterIngestStaleRegion(t *testing.T) {
	ctx := context.Background()
	srv := startStoreServer(t, t.TempDir())
	defer srv.Close()
	c, err := OpenCluster([]string{srv.Addr()}, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pairs := genPairs("s", 100)
	r, err := c.kv.GetPDClient().GetRegion(ctx, pairs[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SplitRegions(ctx, [][]byte{pairs[50].Key}); err != nil {
		t.Fatal(err)
	}
	ts, err := c.currentTS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ingestRegion(ctx, r.Meta, r.Leader, pairs[:10], ts); !errors.Is(err, errRegionChanged) {
		t.Fatalf("stale region ingest: %v, want errRegionChanged", err)
	}
	if got := scanAll(t, c, []byte("s"), []byte("t")); len(got) != 0 {
		t.Fatalf("refused ingest wrote %d pairs", len(got))
	}
	if err := c.BulkWrite(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	equalPairs(t, scanAll(t, c, []byte("s"), []byte("t")), pairs)
}
