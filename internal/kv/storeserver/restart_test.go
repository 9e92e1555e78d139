package storeserver

import (
	"context"
	"net"
	"testing"
)

// freeAddr returns a loopback address nothing listens on, so a server can
// be restarted where its clients already point.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func startServerAt(t *testing.T, dir, addr string) *Server {
	t.Helper()
	s, err := Open(Config{DataDir: dir, Listeners: []Listener{{Addr: addr}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRestartKeepsRegionEpochs restarts the server under a client that
// still caches a region layout older than the one at the restart. TiKV
// never hands out a region epoch twice, so a stale cached region is always
// refused with EpochNotMatch. If the restart rebuilt the regions with
// fresh epochs, the stale region [start, k2) would match the epoch of the
// rebuilt [start, k1): the scan of that region would stop at k1 and the
// client would continue at k2, silently skipping [k1, k2) (the checksum
// mismatch of a store restarted mid-import, issue 23).
func TestRestartKeepsRegionEpochs(t *testing.T) {
	ctx := context.Background()
	dir, addr := t.TempDir(), freeAddr(t)
	s := startServerAt(t, dir, addr)
	defer func() { _ = s.Close() }()

	writer := newClient(t, addr)
	defer writer.Close()
	kvs := genKVs("k", 3000)
	write(t, writer, kvs)
	k1, k2 := []byte(kvs[1000].k), []byte(kvs[2000].k)
	if _, err := writer.SplitRegions(ctx, [][]byte{k2}, true, nil); err != nil {
		t.Fatalf("split at k2: %v", err)
	}
	reader := newClient(t, addr)
	defer reader.Close()
	equalKVs(t, scan(t, reader, "k", "l"), kvs) // caches [start, k2) and [k2, end)
	if _, err := writer.SplitRegions(ctx, [][]byte{k1}, true, nil); err != nil {
		t.Fatalf("split at k1: %v", err)
	}
	before := regionEpochs(s)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = startServerAt(t, dir, addr)
	after := regionEpochs(s)
	if !aboveEpochs(after, before) {
		t.Errorf("region epochs after restart %v, before %v: want the same regions, each at a higher version", after, before)
	}
	equalKVs(t, scan(t, reader, "k", "l"), kvs)

	// A second restart raises them again: the first restart's epochs were
	// saved, not only the ones before it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = startServerAt(t, dir, addr)
	if again := regionEpochs(s); !aboveEpochs(again, after) {
		t.Errorf("region epochs after a second restart %v, after the first %v", again, after)
	}
	equalKVs(t, scan(t, reader, "k", "l"), kvs)
}

// regionEpochs maps region ID to "confver.version".
func regionEpochs(s *Server) map[uint64][2]uint64 {
	out := make(map[uint64][2]uint64)
	for _, r := range s.cluster.GetAllRegions() {
		e := r.Meta.GetRegionEpoch()
		out[r.Meta.GetId()] = [2]uint64{e.GetConfVer(), e.GetVersion()}
	}
	return out
}

// aboveEpochs reports whether after holds the regions of before, each at a
// version above the one it had.
func aboveEpochs(after, before map[uint64][2]uint64) bool {
	if len(after) != len(before) {
		return false
	}
	for id, e := range before {
		a, ok := after[id]
		if !ok || a[0] < e[0] || a[1] <= e[1] {
			return false
		}
	}
	return true
}
