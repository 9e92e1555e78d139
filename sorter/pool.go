package sorter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/engine"
)

// EnginePool bounds the engines a process keeps open (each holds a
// directory lock and its manifest; a sorter may own many more partitions
// than that) and arbitrates the directory locks between claims: engines
// are opened when a claim has pairs to write or an engine to ingest, and
// the least recently used idle engine is closed to make room.
type EnginePool struct {
	max int

	mu    sync.Mutex
	open  map[string]*pooledEngine
	freed chan struct{} // signalled when an engine is released
	clock int64
}

type pooledEngine struct {
	eng  *engine.Engine
	refs int
	used int64
}

// NewEnginePool keeps at most max engines open (default 4).
func NewEnginePool(max int) *EnginePool {
	if max <= 0 {
		max = 4
	}
	return &EnginePool{max: max, open: map[string]*pooledEngine{}, freed: make(chan struct{}, 1)}
}

// Acquire returns the engine of dir, opening it if needed; call release
// when done with it.
func (p *EnginePool) Acquire(ctx context.Context, dir string) (eng *engine.Engine, release func(), err error) {
	for attempt := 0; ; attempt++ {
		p.mu.Lock()
		if pe := p.open[dir]; pe != nil {
			pe.refs++
			p.clock++
			pe.used = p.clock
			p.mu.Unlock()
			return pe.eng, p.releaser(dir), nil
		}
		if len(p.open) >= p.max {
			if !p.evictLocked() {
				p.mu.Unlock()
				select {
				case <-ctx.Done():
					return nil, nil, ctx.Err()
				case <-p.freed:
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
		}
		// Open while holding the lock: opens are rare, and this keeps two
		// claims from opening one directory twice.
		e, err := engine.Open(dir, engine.Options{})
		if err == nil {
			p.clock++
			p.open[dir] = &pooledEngine{eng: e, refs: 1, used: p.clock}
			p.mu.Unlock()
			return e, p.releaser(dir), nil
		}
		p.mu.Unlock()
		// Another process (a stale owner after a rebalance) may still hold
		// the directory's lock.
		if attempt >= 60 {
			return nil, nil, fmt.Errorf("open engine %s: %w", dir, err)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (p *EnginePool) releaser(dir string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			if pe := p.open[dir]; pe != nil {
				pe.refs--
			}
			p.mu.Unlock()
			select {
			case p.freed <- struct{}{}:
			default:
			}
		})
	}
}

// evictLocked closes the least recently used idle engine.
func (p *EnginePool) evictLocked() bool {
	var victim string
	var oldest int64 = -1
	for dir, pe := range p.open {
		if pe.refs == 0 && (oldest < 0 || pe.used < oldest) {
			victim, oldest = dir, pe.used
		}
	}
	if oldest < 0 {
		return false
	}
	_ = p.open[victim].eng.Close()
	delete(p.open, victim)
	return true
}

// Close closes every engine (call once no claim runs).
func (p *EnginePool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first error
	for dir, pe := range p.open {
		if err := pe.eng.Close(); err != nil && first == nil {
			first = fmt.Errorf("close engine %s: %w", dir, err)
		}
		delete(p.open, dir)
	}
	return first
}

// Drop closes dir's engine if it is open and idle (before removing it).
func (p *EnginePool) Drop(dir string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pe := p.open[dir]
	if pe == nil {
		return nil
	}
	if pe.refs > 0 {
		return fmt.Errorf("engine %s is in use", dir)
	}
	delete(p.open, dir)
	return pe.eng.Close()
}
