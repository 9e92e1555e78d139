package engine

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// SetMeta stores one metadata value, atomically with nothing else (use
// Write to record metadata with the pairs it describes). Like Write, it
// survives a process crash; Sync makes it durable.
func (e *Engine) SetMeta(key string, val []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return err
	}
	e.man.setMeta(key, val)
	if err := e.saveManifest(false); err != nil {
		return fmt.Errorf("engine %s: set meta %q: %w", e.dir, key, err)
	}
	return nil
}

// GetMeta returns a copy of the metadata value under key; ok is false when
// there is none.
func (e *Engine) GetMeta(key string) (val []byte, ok bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.man.Meta[key]
	if !ok {
		return nil, false, nil
	}
	return append([]byte(nil), v...), true, nil
}

// DeleteMeta removes a metadata key; a missing key is not an error.
func (e *Engine) DeleteMeta(key string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return err
	}
	if _, ok := e.man.Meta[key]; !ok {
		return nil
	}
	delete(e.man.Meta, key)
	if err := e.saveManifest(false); err != nil {
		return fmt.Errorf("engine %s: delete meta %q: %w", e.dir, key, err)
	}
	return nil
}

// IterMeta calls fn for every metadata key starting with prefix, in key
// order; val is valid only during the call.
func (e *Engine) IterMeta(prefix string, fn func(key string, val []byte) error) error {
	e.mu.Lock()
	var keys []string
	vals := map[string][]byte{}
	for k, v := range e.man.Meta {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
			vals[k] = v
		}
	}
	e.mu.Unlock()
	slices.Sort(keys)
	for _, k := range keys {
		if err := fn(k, vals[k]); err != nil {
			return fmt.Errorf("engine %s: iterate meta %q: %w", e.dir, prefix, err)
		}
	}
	return nil
}

// DiskBytes is the size of the engine's run files.
func (e *Engine) DiskBytes() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n int64
	for _, r := range e.man.Runs {
		n += r.Size
	}
	return n
}

// DropRuns removes every run from the engine and sets meta, atomically
// and durably (a reopen sees the runs or meta, never both or neither),
// then deletes the runs' files: the engine keeps its metadata and takes
// new writes. A sorter drops what it ingested early to free disk space.
// It returns the bytes of run files freed.
func (e *Engine) DropRuns(meta map[string][]byte) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return 0, err
	}
	runs := e.man.Runs
	e.man.Runs = nil
	for k, v := range meta {
		e.man.setMeta(k, v)
	}
	// Nothing written since the last Sync needs syncing any more: the
	// runs go, and the manifest saved now is durable.
	e.unsynced = e.unsynced[:0]
	e.man.markSynced()
	if err := e.saveManifest(true); err != nil {
		return 0, fmt.Errorf("engine %s: drop runs: %w", e.dir, err)
	}
	var freed int64
	for _, r := range runs {
		freed += r.Size
		// A file left behind by a crash here is removed by the next
		// Open (no manifest lists it).
		if err := os.Remove(r.file(e.dir)); err != nil && !os.IsNotExist(err) {
			return freed, fmt.Errorf("engine %s: drop runs: %w", e.dir, err)
		}
	}
	return freed, nil
}
