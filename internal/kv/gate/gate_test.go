package gate

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestOrder(t *testing.T) {
	g := New(func(a, b int) bool { return a > b }) // largest first
	ctx := context.Background()
	release, err := g.Acquire(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 4)
	var wg sync.WaitGroup
	for i, key := range []int{10, 300, 20, 20} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := g.Acquire(ctx, key)
			if err != nil {
				t.Error(err)
				return
			}
			order <- key*10 + i
			r()
		}()
		for g.Waiting() != i+1 { // queue them in this order
			time.Sleep(time.Millisecond)
		}
	}
	// A waiter that gives up leaves the queue.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := g.Acquire(cctx, 1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
	release()
	release() // a second call does nothing
	wg.Wait()
	for _, want := range []int{3001, 202, 203, 100} { // ties: earliest first
		if got := <-order; got != want {
			t.Fatalf("admitted %d, want %d", got, want)
		}
	}
	// Free again.
	r, err := g.Acquire(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	r()
	if g.busy || g.Waiting() != 0 {
		t.Fatalf("gate left busy %v with %d waiters", g.busy, g.Waiting())
	}
	cancel()
	if _, err := g.Acquire(cctx, 0); err == nil {
		t.Fatal("acquired with a cancelled context")
	}
}

// TestCancelWhileHanded checks that a waiter whose context ends as the
// gate is handed to it passes the gate on.
func TestCancelWhileHanded(t *testing.T) {
	g := New(func(a, b int) bool { return a < b })
	for range 200 {
		release, _ := g.Acquire(context.Background(), 0)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if r, err := g.Acquire(ctx, 1); err == nil {
				r()
			}
		}()
		for g.Waiting() == 0 {
			time.Sleep(10 * time.Microsecond)
		}
		go cancel()
		release()
		<-done
		r, err := g.Acquire(context.Background(), 2)
		if err != nil {
			t.Fatal(err)
		}
		r()
	}
}
