package storeserver

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestLongRunningClient keeps a client-go client on the server for longer
// than its background loops' periods (etcd safe-point reads and member
// sync, PD health checks, store safe TS, GC safe point checks: failures
// there surface after about 100 s) and checks reads still work. Set
// LIGHTSTREAM_LONG_TEST=1 to run it (about 140 s).
func TestLongRunningClient(t *testing.T) {
	if os.Getenv("LIGHTSTREAM_LONG_TEST") == "" {
		t.Skip("LIGHTSTREAM_LONG_TEST not set")
	}
	s := startServer(t, t.TempDir())
	defer s.Close()
	c := newClient(t, s.Addr())
	defer c.Close()
	kvs := genKVs("k", 100)
	write(t, c, kvs)
	deadline := time.Now().Add(140 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Second)
		equalKVs(t, scan(t, c, "k", "l"), kvs)
		if _, err := c.GetTimestamp(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	calls := s.Calls()
	for _, m := range []string{"etcdserverpb.KV/Range", "etcdserverpb.Cluster/MemberList", "grpc.health.v1.Health/Check"} {
		if calls[m] == 0 {
			t.Errorf("client never called %s", m)
		}
	}
	t.Logf("calls served: %v", calls)
}
