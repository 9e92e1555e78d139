package storeserver

import (
	"fmt"
	"sync"
	"time"

	"github.com/tikv/client-go/v2/oracle"

	"github.com/lightstream-io/lightstream/internal/kv/tsomark"
)

// tsoWindowMs is how far ahead of the last handed-out physical time the
// persisted high-water mark is set: PD's save-ts-interval (3s,
// pd/server/tso/tso.go), one fsync per window instead of per timestamp.
const tsoWindowMs = 3000

// maxLogical is the number of logical timestamps per millisecond (18 bits,
// oracle.ComposeTS).
const maxLogical = 1 << 18

// tsoFileName is the high-water mark file under the data directory. It is
// the file and format the embedded store uses (internal/kv/store/tso.go: 8
// bytes, big-endian physical milliseconds), so one data directory can be
// opened by either.
const tsoFileName = "tso"

// tsoAllocator hands out strictly increasing timestamps that never go back
// across restarts: physical is the wall clock in ms (or the previous value
// if the clock stepped back), logical counts within a millisecond, and the
// persisted window bounds every timestamp handed out before.
type tsoAllocator struct {
	path string

	mu     sync.Mutex
	last   uint64 // last timestamp handed out
	window int64  // persisted physical upper bound, ms
}

func openTSO(path string) (*tsoAllocator, error) {
	t := &tsoAllocator{path: path}
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

// next reserves count consecutive timestamps and returns the last one, as
// PD's Tso response does (the client derives the others by subtracting).
func (t *tsoAllocator) next(count uint32) (uint64, error) {
	if count == 0 || count >= maxLogical {
		return 0, fmt.Errorf("tso: invalid count %d", count)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := oracle.ComposeTS(time.Now().UnixMilli(), 0)
	first := t.last + 1
	if now > first {
		first = now
	}
	// A batch must not straddle a millisecond: the client subtracts within
	// the logical part (pd/client tso_dispatcher.go).
	if first&(maxLogical-1)+uint64(count) > maxLogical {
		first = oracle.ComposeTS(oracle.ExtractPhysical(first)+1, 0)
	}
	last := first + uint64(count) - 1
	if phys := oracle.ExtractPhysical(last); phys >= t.window {
		if err := t.persist(phys + tsoWindowMs); err != nil {
			return 0, err
		}
	}
	t.last = last
	return last, nil
}

// persist durably stores the window (write, fsync, rename) so a crash
// cannot lose it.
func (t *tsoAllocator) persist(window int64) error {
	if err := tsomark.Save(t.path, window); err != nil {
		return err
	}
	t.window = window
	return nil
}

// writeFileSync replaces path with data atomically and durably.
func writeFileSync(path string, data []byte) error { return tsomark.WriteFileSync(path, data) }
