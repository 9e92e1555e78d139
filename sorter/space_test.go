package sorter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestEngineSpaceReserve: a write that fits is let in at once and held
// until done; one that does not makes the largest engine being written
// spill — its own through spillSelf, another's by waking that claim —
// and waits for the space.
func TestEngineSpaceReserve(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := NewEngineSpace(100)
	woken := make(chan struct{}, 1)
	defer s.own("a", func() { woken <- struct{}{} })()
	defer s.own("b", func() {})()
	s.update("a", 60)
	s.update("b", 20)

	// 20 more fit (80 + 20 = 100); held, the next 1 does not fit beside it.
	done, err := s.reserve(ctx, "b", 20, func() error { t.Fatal("spill without need"); return nil })
	if err != nil {
		t.Fatal(err)
	}
	done()

	// b needs 30: a is the largest, so a is asked (woken) to spill, and b
	// waits until a has freed its bytes.
	got := make(chan error, 1)
	go func() {
		done, err := s.reserve(ctx, "b", 30, func() error { t.Error("b spilled, a is the largest"); return nil })
		if err == nil {
			done()
		}
		got <- err
	}()
	select {
	case <-woken:
	case <-ctx.Done():
		t.Fatal("the largest engine's claim was not woken")
	}
	if !s.spillAsked("a") || s.spillAsked("b") {
		t.Fatalf("spill asked: a %v, b %v", s.spillAsked("a"), s.spillAsked("b"))
	}
	select {
	case err := <-got:
		t.Fatalf("b let in before a freed its space: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	s.update("a", 0) // a spilled
	if err := <-got; err != nil {
		t.Fatal(err)
	}

	// a the largest: its own write that does not fit spills its own
	// engine.
	s.update("a", 70)
	spilled := false
	done, err = s.reserve(ctx, "a", 20, func() error { spilled = true; s.update("a", 0); return nil })
	if err != nil || !spilled {
		t.Fatalf("a over quota: spilled %v, %v", spilled, err)
	}
	done()
	st := s.Stats()
	if st.Written != 60+20+70 || st.Freed != 60+70 || st.Used != 20 || st.Peak != 90 {
		t.Errorf("stats %+v", st)
	}
}

// TestCheckQuota: a quota below a table's largest partition (its source
// bytes over its partitions) is refused, naming quota, table and
// estimate; none at all is never refused.
func TestCheckQuota(t *testing.T) {
	mfs := []*lsv1.TableManifest{
		{Db: "d", Table: "small", SourceBytes: 10 << 20, KvPartitions: 8},
		{Db: "d", Table: "big", SourceBytes: 64 << 20, KvPartitions: 4},
	}
	if err := CheckQuota(mfs, 0); err != nil {
		t.Fatal(err)
	}
	if err := CheckQuota(mfs, 16<<20); err != nil {
		t.Fatalf("16 MiB holds 16 MiB partitions: %v", err)
	}
	err := CheckQuota(mfs, 16<<20-1)
	if !errors.Is(err, ErrQuotaTooSmall) || !strings.Contains(err.Error(), "--disk-quota 16.0 MiB cannot hold one KV partition of d.big, about 16.0 MiB of KV pairs (64.0 MiB of source over 4 partitions)") {
		t.Fatalf("quota 1 byte short: %v", err)
	}
}
