// Package gate admits one holder at a time to a resource and, when
// several wait, the first by priority rather than by arrival.
package gate

import (
	"context"
	"sync"
)

// Gate admits one holder at a time; of the waiters, the one whose key is
// least by the gate's order goes next (ties: the earliest). The zero
// value is not usable: see New.
type Gate[K any] struct {
	less    func(a, b K) bool
	mu      sync.Mutex
	busy    bool
	waiters []*waiter[K]
}

type waiter[K any] struct {
	key   K
	ready chan struct{} // closed when the gate is handed to this waiter
}

// New returns a free gate that orders waiters by less.
func New[K any](less func(a, b K) bool) *Gate[K] {
	return &Gate[K]{less: less}
}

// Acquire waits until the gate is handed to key's holder, or ctx ends.
// release passes the gate on; calling it again does nothing.
func (g *Gate[K]) Acquire(ctx context.Context, key K) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return g.releaseOnce(), nil
	}
	w := &waiter[K]{key: key, ready: make(chan struct{})}
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

// Waiting returns how many holders wait.
func (g *Gate[K]) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiters)
}

func (g *Gate[K]) releaseOnce() func() {
	var once sync.Once
	return func() { once.Do(g.release) }
}

// release hands the gate to the first waiter by order, or frees it.
func (g *Gate[K]) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiters) == 0 {
		g.busy = false
		return
	}
	next := 0
	for i, w := range g.waiters {
		if g.less(w.key, g.waiters[next].key) {
			next = i
		}
	}
	w := g.waiters[next]
	g.waiters = append(g.waiters[:next], g.waiters[next+1:]...)
	close(w.ready)
}
