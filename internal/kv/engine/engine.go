// Package engine holds the sorter's local engines: one directory per table
// partition, into which KV pairs arrive in any order and from which ingest
// reads them back in key order.
//
// An engine is a set of sorted runs in Badger's SST table format
// (github.com/dgraph-io/badger/v4/table, the files Badger's own levels are
// made of), plus a small manifest. Each Write sorts its batch and writes it
// as one new run with table.Builder; reads merge the runs with Badger's
// merge iterator. This is what Badger's StreamWriter does for sorted input,
// minus everything an engine does not need: no write-ahead log, no skiplist
// memtable to insert each pair into, no compaction (an engine is written
// once, read once in key order by ingest, and removed). Those were most of
// the sorter's CPU time (see the Write benchmark and issue #6's notes).
//
// Writes are idempotent: a KV pair is a key and the value TiDB would store
// under it, so a batch re-delivered after a crash rewrites identical pairs
// and the engine's content (and Checksum) does not change. Of two pairs
// with one key, the later written wins: every run carries a version (the
// run's sequence number, Badger's key timestamp), and iteration returns
// each key's newest version.
//
// Metadata (consumed offsets, chunk markers, progress) lives in the
// manifest next to the run list, so it is updated atomically with the runs
// it describes.
package engine

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sync"

	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// ErrEmptyKey reports a pair without a key.
var ErrEmptyKey = errors.New("engine: empty key")

// ErrReadOnly reports a write to an engine opened read-only.
var ErrReadOnly = errors.New("engine: opened read-only")

// Compression names the block compression of an engine's runs.
type Compression string

// Compression choices.
const (
	CompressionNone   Compression = "none"
	CompressionSnappy Compression = "snappy"
	CompressionZSTD   Compression = "zstd"
)

// Options tune an engine.
type Options struct {
	// Compression of the runs' blocks; default none (see BenchmarkWrite:
	// KV pairs are mostly incompressible keys and row values, and
	// compression halves write throughput). Each run records its own, so
	// an engine may be reopened with another choice.
	Compression Compression
	// ReadOnly opens an existing engine for reading only.
	ReadOnly bool
}

func (o *Options) validate() error {
	switch o.Compression {
	case "":
		o.Compression = CompressionNone
	case CompressionNone, CompressionSnappy, CompressionZSTD:
	default:
		return fmt.Errorf("engine options: unknown Compression %q", o.Compression)
	}
	return nil
}

// Engine is one open engine directory. Its methods are safe for concurrent
// use; writes are serialized.
type Engine struct {
	dir  string
	opts Options
	lock *os.File // flock'd LOCK file: one process per engine

	mu       sync.Mutex
	man      manifest
	unsynced []string // run files written since the last Sync
	closed   bool
}

// Open opens (creating if needed) the engine in dir. The directory is
// locked: one process, one open engine per directory. Open recovers from a
// crash: runs written after the last Sync that did not reach the disk
// whole (an OS crash) are dropped together with the metadata written
// after that Sync, and files of runs no manifest lists are removed.
func Open(dir string, opts Options) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
			return nil, fmt.Errorf("engine %s: open read-only: %w", dir, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("engine %s: %w", dir, err)
	}
	lock, err := lockDir(dir, !opts.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("engine %s: %w", dir, err)
	}
	e := &Engine{dir: dir, opts: opts, lock: lock}
	if err := e.recover(); err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("engine %s: open: %w", dir, err)
	}
	return e, nil
}

// Dir returns the engine's directory.
func (e *Engine) Dir() string { return e.dir }

// Write stores pairs as one sorted run, then meta, atomically: a reader
// (and a reopen after a process crash) sees both or neither. The slices
// pairs yields must stay unchanged until Write returns; Write keeps no
// reference afterwards. The write survives a process crash (the files are
// in the OS page cache) but only Sync makes it survive an OS crash.
func (e *Engine) Write(pairs iter.Seq2[[]byte, []byte], meta map[string][]byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return err
	}
	b := getRunBuffer()
	defer putRunBuffer(b)
	for k, v := range pairs {
		if len(k) == 0 {
			return fmt.Errorf("engine %s: %w", e.dir, ErrEmptyKey)
		}
		b.add(k, v)
	}
	if b.len() > 0 {
		r, err := e.writeRun(b)
		if err != nil {
			return fmt.Errorf("engine %s: %w", e.dir, err)
		}
		e.man.Runs = append(e.man.Runs, r)
		e.man.NextRun = r.Seq + 1
		e.unsynced = append(e.unsynced, r.file(e.dir))
	}
	if b.len() == 0 && len(meta) == 0 {
		return nil
	}
	for k, v := range meta {
		e.man.setMeta(k, v)
	}
	return e.saveManifest(false)
}

// WriteBatch is Write over parallel key and value slices.
func (e *Engine) WriteBatch(keys, values [][]byte, meta map[string][]byte) error {
	if len(keys) != len(values) {
		return fmt.Errorf("engine %s: %d keys but %d values", e.dir, len(keys), len(values))
	}
	return e.Write(func(yield func(k, v []byte) bool) {
		for i := range keys {
			if !yield(keys[i], values[i]) {
				return
			}
		}
	}, meta)
}

// Sync makes everything written so far durable on disk: the runs written
// since the last Sync, then the manifest that lists them.
func (e *Engine) Sync() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.writable(); err != nil {
		return err
	}
	return e.syncLocked()
}

func (e *Engine) syncLocked() error {
	for _, name := range e.unsynced {
		if err := syncFile(name); err != nil {
			return fmt.Errorf("engine %s: sync: %w", e.dir, err)
		}
	}
	e.unsynced = e.unsynced[:0]
	e.man.markSynced()
	if err := e.saveManifest(true); err != nil {
		return fmt.Errorf("engine %s: sync: %w", e.dir, err)
	}
	return nil
}

func (e *Engine) writable() error {
	if e.closed {
		return fmt.Errorf("engine %s: closed", e.dir)
	}
	if e.opts.ReadOnly {
		return fmt.Errorf("engine %s: %w", e.dir, ErrReadOnly)
	}
	return nil
}

// Close syncs and closes the engine.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	var err error
	if !e.opts.ReadOnly {
		err = e.syncLocked()
	}
	e.closed = true
	if cerr := e.lock.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("engine %s: close: %w", e.dir, cerr)
	}
	return err
}

// Remove deletes a closed engine's directory.
func Remove(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("engine %s: remove: %w", dir, err)
	}
	return nil
}

// Iterate calls fn for every pair in ascending key order. k and v are valid
// only during the call.
func (e *Engine) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	return e.IterateRange(ctx, nil, nil, fn)
}

// IterateRange is Iterate over keys in [start, end); a nil start begins at
// the first key, a nil end goes to the last. It reads the runs written
// before the call; writes during the iteration are not seen.
func (e *Engine) IterateRange(ctx context.Context, start, end []byte, fn func(k, v []byte) error) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return fmt.Errorf("engine %s: closed", e.dir)
	}
	runs := append([]run(nil), e.man.Runs...)
	e.mu.Unlock()
	if err := mergeRuns(ctx, e.dir, runs, start, end, fn); err != nil {
		return fmt.Errorf("engine %s: %w", e.dir, err)
	}
	return nil
}

// Stats returns the number of pairs and their total key+value bytes.
func (e *Engine) Stats() (pairs, size int64, err error) {
	err = e.Iterate(context.Background(), func(k, v []byte) error {
		pairs++
		size += int64(len(k) + len(v))
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("stats: %w", err)
	}
	return pairs, size, nil
}

// Runs returns how many sorted runs the engine holds.
func (e *Engine) Runs() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.man.Runs)
}

// Checksum returns the KV checksum of the pairs (crc64-ECMA XOR, pair
// count and bytes: SPEC.md §9), to compare with TiKV's ADMIN CHECKSUM.
func (e *Engine) Checksum(ctx context.Context) (tidbcodec.Checksum, error) {
	var c tidbcodec.Checksum
	err := e.Iterate(ctx, func(k, v []byte) error {
		c.Update(k, v)
		return nil
	})
	if err != nil {
		return tidbcodec.Checksum{}, fmt.Errorf("checksum: %w", err)
	}
	return c, nil
}
