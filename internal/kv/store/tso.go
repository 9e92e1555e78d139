package store

import (
	"context"
	"sync"

	"github.com/tikv/client-go/v2/oracle"
	pd "github.com/tikv/pd/client"

	"github.com/lightstream-io/lightstream/internal/kv/tsomark"
)

// tsoWindowMs is how far ahead of the last handed-out physical time the
// persisted high-water mark is set. PD does the same (save-ts-interval, 3s,
// pd/server/tso/tso.go): one fsync per window instead of per timestamp, and
// after a restart every new timestamp is above the saved mark.
const tsoWindowMs = 3000

// tsoFloor wraps the mock PD client so that timestamps never go backwards
// across restarts. The mock PD's TSO is the wall clock in milliseconds plus
// an in-process logical counter (mocktikv/pd.go): a restart after the clock
// stepped back would hand out timestamps below already committed data,
// making it invisible to new snapshots.
type tsoFloor struct {
	pd.Client
	path string

	mu     sync.Mutex
	last   uint64 // last timestamp handed out
	window int64  // persisted physical upper bound, ms
}

// newTSOFloor loads the high-water mark from path (absent: zero) and wraps c.
func newTSOFloor(c pd.Client, path string) (*tsoFloor, error) {
	t := &tsoFloor{Client: c, path: path}
	w, err := tsomark.Load(path)
	if err != nil {
		return nil, err
	}
	if w > 0 {
		t.window = w
		t.last = oracle.ComposeTS(w, 0)
	}
	return t, nil
}

// next raises the timestamp (p, l) above every timestamp handed out before,
// in this process or an earlier one.
func (t *tsoFloor) next(p, l int64) (int64, int64, error) {
	ts := oracle.ComposeTS(p, l)
	t.mu.Lock()
	defer t.mu.Unlock()
	if ts <= t.last {
		ts = t.last + 1
	}
	phys := oracle.ExtractPhysical(ts)
	if phys >= t.window {
		if err := t.persist(phys + tsoWindowMs); err != nil {
			return 0, 0, err
		}
	}
	t.last = ts
	return phys, int64(ts & (1<<18 - 1)), nil
}

// persist durably stores the window so a crash cannot lose it.
func (t *tsoFloor) persist(window int64) error {
	if err := tsomark.Save(t.path, window); err != nil {
		return err
	}
	t.window = window
	return nil
}

// GetTS implements pd.Client.
func (t *tsoFloor) GetTS(ctx context.Context) (int64, int64, error) {
	p, l, err := t.Client.GetTS(ctx)
	if err != nil {
		return 0, 0, err
	}
	return t.next(p, l)
}

// GetLocalTS implements pd.Client; the embedded store has one global scope.
func (t *tsoFloor) GetLocalTS(ctx context.Context, _ string) (int64, int64, error) {
	return t.GetTS(ctx)
}

// GetTSAsync implements pd.Client.
func (t *tsoFloor) GetTSAsync(ctx context.Context) pd.TSFuture {
	return tsFuture{t: t, f: t.Client.GetTSAsync(ctx)}
}

// GetLocalTSAsync implements pd.Client.
func (t *tsoFloor) GetLocalTSAsync(ctx context.Context, _ string) pd.TSFuture {
	return t.GetTSAsync(ctx)
}

type tsFuture struct {
	t *tsoFloor
	f pd.TSFuture
}

func (f tsFuture) Wait() (int64, int64, error) {
	p, l, err := f.f.Wait()
	if err != nil {
		return 0, 0, err
	}
	return f.t.next(p, l)
}
