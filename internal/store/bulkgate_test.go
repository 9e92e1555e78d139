package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBulkGateLargestFirst(t *testing.T) {
	var g bulkGate
	ctx := context.Background()
	release, err := g.acquire(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan uint64, 3)
	for _, size := range []uint64{10, 300, 20} {
		go func() {
			r, err := g.acquire(ctx, size)
			if err != nil {
				t.Error(err)
				return
			}
			order <- size
			r()
		}()
		// Queue them in this order.
		for {
			g.mu.Lock()
			n := len(g.waiters)
			queued := n > 0 && g.waiters[n-1].size == size
			g.mu.Unlock()
			if queued {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	// A waiter that gives up leaves the queue.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := g.acquire(cctx, 1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
	release()
	release() // a second call does nothing
	for _, want := range []uint64{300, 20, 10} {
		if got := <-order; got != want {
			t.Fatalf("admitted %d, want %d", got, want)
		}
	}
	// Free again.
	r, err := g.acquire(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	r()
	if g.busy || len(g.waiters) != 0 {
		t.Fatalf("gate left busy %v with %d waiters", g.busy, len(g.waiters))
	}
}
