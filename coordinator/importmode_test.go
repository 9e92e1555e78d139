package coordinator

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// modeStore records SwitchMode calls.
type modeStore struct {
	store.Store
	mu    sync.Mutex
	calls []bool
}

func (m *modeStore) SwitchMode(_ context.Context, on bool) error {
	m.mu.Lock()
	m.calls = append(m.calls, on)
	m.mu.Unlock()
	return nil
}

func (m *modeStore) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.calls)
}

func TestHoldImportMode(t *testing.T) {
	st := &modeStore{}
	c := &Coordinator{cfg: Config{Store: st, Logger: slog.New(slog.DiscardHandler)}}
	stop := c.holdImportMode(context.Background(), 10*time.Millisecond, true)
	deadline := time.Now().Add(5 * time.Second)
	for st.count() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	n := st.count()
	if n < 3 {
		t.Fatalf("%d refreshes, want at least 3", n)
	}
	for _, on := range st.calls {
		if !on {
			t.Fatal("refresh switched to normal mode")
		}
	}
	// After stop returns, no refresh follows.
	time.Sleep(50 * time.Millisecond)
	if st.count() != n {
		t.Fatalf("refreshed after stop: %d calls, had %d", st.count(), n)
	}
	stop() // idempotent

	// Not resumed: no immediate switch (the step just did it).
	st2 := &modeStore{}
	c.cfg.Store = st2
	stop = c.holdImportMode(context.Background(), time.Hour, false)
	stop()
	if st2.count() != 0 {
		t.Fatalf("%d calls without a tick", st2.count())
	}
	// Negative interval: disabled.
	stop = c.holdImportMode(context.Background(), -1, true)
	stop()
	if st2.count() != 0 {
		t.Fatal("disabled refresh switched")
	}
}

func TestMismatchHint(t *testing.T) {
	src := checkpoint.Checksum{Sum: 1, KVs: 8, Bytes: 100}
	for stored, want := range map[checkpoint.Checksum]string{
		{Sum: 2, KVs: 6, Bytes: 80}:  "2 pairs fewer",
		{Sum: 2, KVs: 9, Bytes: 120}: "1 pairs more",
		{Sum: 2, KVs: 8, Bytes: 100}: "as many pairs",
	} {
		if got := mismatchHint(src, stored); !strings.Contains(got, want) {
			t.Errorf("stored %+v: %q, want %q", stored, got, want)
		}
	}
}
