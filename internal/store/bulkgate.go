package store

import (
	"context"
	"sync"
)

// bulkGate admits one holder at a time; waiters are admitted largest
// first. The last source to become ready is often the largest (a table's
// index partition needs every chunk of the table), and making it wait
// behind small ones puts their ingests on the import's critical path.
type bulkGate struct {
	mu      sync.Mutex
	busy    bool
	waiters []*bulkWaiter
}

type bulkWaiter struct {
	size  uint64
	ready chan struct{} // closed when the gate is handed to this waiter
}

// acquire waits until the gate is free and no larger waiter is left, or
// until ctx ends. release passes the gate on; calling it again does
// nothing.
func (g *bulkGate) acquire(ctx context.Context, size uint64) (release func(), err error) {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return g.releaseOnce(), nil
	}
	w := &bulkWaiter{size: size, ready: make(chan struct{})}
	g.waiters = append(g.waiters, w)
	g.mu.Unlock()
	select {
	case <-w.ready:
		return g.releaseOnce(), nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	for i, o := range g.waiters {
		if o == w {
			g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
			g.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	g.mu.Unlock()
	// Handed the gate while giving up: pass it on.
	g.release()
	return nil, ctx.Err()
}

func (g *bulkGate) releaseOnce() func() {
	var once sync.Once
	return func() { once.Do(g.release) }
}

// release hands the gate to the largest waiter, or frees it.
func (g *bulkGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiters) == 0 {
		g.busy = false
		return
	}
	next := 0
	for i, w := range g.waiters {
		if w.size > g.waiters[next].size {
			next = i
		}
	}
	w := g.waiters[next]
	g.waiters = append(g.waiters[:next], g.waiters[next+1:]...)
	close(w.ready)
}
