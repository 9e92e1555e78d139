// Package engine holds the sorter's local engines: one Badger
// (github.com/dgraph-io/badger/v4) database per table partition, into which
// KV pairs arrive in any order and from which ingest reads them back in key
// order.
//
// Writes are idempotent: a KV pair is a key and the value TiDB would store
// under it, so a batch re-delivered after a crash overwrites identical pairs
// and the engine's content (and Checksum) does not change. Metadata (consumed
// offsets, progress) lives under MetaPrefix, which sorts after every TiDB
// key ('t', 'm', and the keyspace prefixes 'x'/'r' are all below 0xff).
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/lightstream-io/lightstream/internal/tidbcodec"
)

// MetaPrefix starts every metadata key; data keys must not start with it.
var MetaPrefix = []byte{0xff, 'l', 's', 'm'}

// ErrMetaKey reports a data key that falls into the metadata namespace.
var ErrMetaKey = errors.New("engine: data key starts with the metadata prefix")

// Compression names the block compression of an engine's tables.
type Compression string

// Compression choices.
const (
	CompressionNone   Compression = "none"
	CompressionSnappy Compression = "snappy"
	CompressionZSTD   Compression = "zstd"
)

// Options tune an engine.
type Options struct {
	// MemoryMB bounds the engine's Badger memory (memtables, block and
	// index caches) in MiB; default 64, minimum 16. The Go heap of the
	// caller's batches comes on top.
	MemoryMB int
	// Compression of SST blocks; default none (see the benchmark in
	// engine_test.go: KV pairs are mostly incompressible keys and
	// row values, and compression halves write throughput).
	Compression Compression
	// ReadOnly opens an existing engine for reading only.
	ReadOnly bool
}

func (o *Options) validate() error {
	if o.MemoryMB == 0 {
		o.MemoryMB = 64
	}
	if o.MemoryMB < 16 {
		return fmt.Errorf("engine options: MemoryMB %d below the minimum 16", o.MemoryMB)
	}
	switch o.Compression {
	case "":
		o.Compression = CompressionNone
	case CompressionNone, CompressionSnappy, CompressionZSTD:
	default:
		return fmt.Errorf("engine options: unknown Compression %q", o.Compression)
	}
	return nil
}

func (o Options) badger(dir string) badger.Options {
	mb := int64(o.MemoryMB) << 20
	bo := badger.DefaultOptions(dir).
		WithLogger(nil).
		WithMetricsEnabled(false).
		WithSyncWrites(false). // Sync at commit points instead
		WithDetectConflicts(false).
		WithNumVersionsToKeep(1).
		// Two memtables of a quarter each: one filling, one
		// flushing.
		WithMemTableSize(mb / 4).
		WithNumMemtables(2).
		WithBlockCacheSize(mb / 4).
		WithIndexCacheSize(mb / 8).
		WithBaseTableSize(8 << 20).
		WithBaseLevelSize(64 << 20).
		// No compaction: an engine is written once, read once in key
		// order by ingest, and removed. Compacting would rewrite every
		// pair several times (the write amplification was the import's
		// bottleneck); the merge iterator over the level-0 tables gives
		// the same sorted, latest-version view.
		WithNumCompactors(0).
		WithNumLevelZeroTables(4096).
		WithNumLevelZeroTablesStall(8192).
		// Values up to 1 MiB (Badger's maximum threshold, and at most
		// its max batch size: 15% of a memtable) stay in the LSM tree:
		// TiDB row and index values are small, and a value log would
		// need its own garbage collection.
		WithValueThreshold(min(1<<20, mb/4*15/100)).
		WithValueLogFileSize(64 << 20).
		WithReadOnly(o.ReadOnly)
	switch o.Compression {
	case CompressionNone:
		bo = bo.WithCompression(options.None)
	case CompressionSnappy:
		bo = bo.WithCompression(options.Snappy)
	case CompressionZSTD:
		bo = bo.WithCompression(options.ZSTD).WithZSTDCompressionLevel(1)
	}
	return bo
}

// Engine is one open engine directory. Its methods are safe for concurrent
// use.
type Engine struct {
	db  *badger.DB
	dir string
}

// Open opens (creating if needed) the engine in dir. Badger locks the
// directory: one process, one open engine per directory.
func Open(dir string, opts Options) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("engine %s: %w", dir, err)
		}
	}
	db, err := badger.Open(opts.badger(dir))
	if err != nil {
		return nil, fmt.Errorf("engine %s: open: %w", dir, err)
	}
	return &Engine{db: db, dir: dir}, nil
}

// Dir returns the engine's directory.
func (e *Engine) Dir() string { return e.dir }

// Write stores pairs, then meta. Every pair is durable-in-order before any
// meta key: after a crash the metadata (say, the consumed Kafka offset)
// never runs ahead of the data. The slices pairs yields must stay unchanged
// until Write returns; Write keeps no reference afterwards. Without Sync the
// write survives a process crash (Badger's WAL is an mmap'd file) but not
// necessarily an OS crash.
func (e *Engine) Write(pairs iter.Seq2[[]byte, []byte], meta map[string][]byte) error {
	wb := e.db.NewWriteBatch()
	defer wb.Cancel()
	var err error
	for k, v := range pairs {
		if bytes.HasPrefix(k, MetaPrefix) {
			err = fmt.Errorf("engine %s: key %x: %w", e.dir, k, ErrMetaKey)
			break
		}
		if err = wb.Set(k, v); err != nil {
			err = fmt.Errorf("engine %s: set key %x: %w", e.dir, k, err)
			break
		}
	}
	if err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("engine %s: write: %w", e.dir, err)
	}
	if len(meta) == 0 {
		return nil
	}
	return e.setMeta(meta)
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

// Sync makes everything written so far durable on disk.
func (e *Engine) Sync() error {
	if err := e.db.Sync(); err != nil {
		return fmt.Errorf("engine %s: sync: %w", e.dir, err)
	}
	return nil
}

// Close syncs and closes the engine.
func (e *Engine) Close() error {
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("engine %s: close: %w", e.dir, err)
	}
	return nil
}

// Remove deletes a closed engine's directory.
func Remove(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("engine %s: remove: %w", dir, err)
	}
	return nil
}

// Iterate calls fn for every data pair in ascending key order. k and v are
// valid only during the call.
func (e *Engine) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	return e.IterateRange(ctx, nil, nil, fn)
}

// IterateRange is Iterate over keys in [start, end); a nil start begins at
// the first key, a nil end stops before the metadata.
func (e *Engine) IterateRange(ctx context.Context, start, end []byte, fn func(k, v []byte) error) error {
	if end == nil || bytes.Compare(end, MetaPrefix) > 0 {
		end = MetaPrefix
	}
	return e.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		n := 0
		for it.Seek(start); it.Valid(); it.Next() {
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			item := it.Item()
			k := item.Key()
			if bytes.Compare(k, end) >= 0 {
				return nil
			}
			if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
}

// Stats returns the number of data pairs and their total key+value bytes.
func (e *Engine) Stats() (pairs, size int64, err error) {
	err = e.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if bytes.HasPrefix(item.Key(), MetaPrefix) {
				break
			}
			pairs++
			size += int64(len(item.Key())) + item.ValueSize()
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("engine %s: stats: %w", e.dir, err)
	}
	return pairs, size, nil
}

// Checksum returns the KV checksum of the data pairs (crc64-ECMA XOR, pair
// count and bytes: SPEC.md §9), to compare with TiKV's ADMIN CHECKSUM.
func (e *Engine) Checksum(ctx context.Context) (tidbcodec.Checksum, error) {
	var c tidbcodec.Checksum
	err := e.Iterate(ctx, func(k, v []byte) error {
		c.Update(k, v)
		return nil
	})
	if err != nil {
		return tidbcodec.Checksum{}, fmt.Errorf("engine %s: checksum: %w", e.dir, err)
	}
	return c, nil
}
