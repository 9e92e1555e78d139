package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
)

// Existing is a key that a source writes and the store already holds: in
// an incremental import (--incremental), a row of the table from before
// the import that conflicts with a new one. The store's row is the
// earlier one.
type Existing struct {
	Key []byte
	// Stored is the store's value, New the source's.
	Stored, New []byte
}

// ExistingFunc resolves one Existing, as the import's conflict strategy
// says: nil lets the source's pair be written over the store's; an error
// stops the ingest before anything of the source is written. Ingest
// calls it in key order; it must not retain the slices.
type ExistingFunc func(ctx context.Context, e Existing) error

// ErrKeyExists: a key the import writes is already in the store.
var ErrKeyExists = errors.New("key already in the store")

// KeyExistsError names the key (and what it belongs to).
type KeyExistsError struct {
	Key     []byte
	Decoded string
}

func (e *KeyExistsError) Error() string {
	return fmt.Sprintf("%v: %x (%s) is held by a row the table had before the import and written by a row of the dump; "+
		"the conflict strategy \"error\" stops here, before anything of this engine is written: take the row out of the dump "+
		"and import it again (after `lightstream checkpoint remove --table all`), or choose a strategy that resolves conflicts",
		ErrKeyExists, e.Key, e.Decoded)
}

func (e *KeyExistsError) Unwrap() error { return ErrKeyExists }

// RefuseExisting is the default ExistingFunc, the strategy "error": the
// first key already in the store stops the import, named.
func RefuseExisting(_ context.Context, e Existing) error {
	d, _ := storecatalog.DecodeDataKey(e.Key)
	what := d.String()
	// An integer handle (t{id}_r + 8 bytes, sign bit flipped: tablecodec)
	// is the row's _tidb_rowid or integer primary key.
	if len(e.Key) == 19 && string(e.Key[9:11]) == "_r" {
		what += fmt.Sprintf(", handle %d", int64(binary.BigEndian.Uint64(e.Key[11:])^(1<<63)))
	}
	return &KeyExistsError{Key: append([]byte(nil), e.Key...), Decoded: what}
}

// MetaStore is implemented by sources that keep metadata (a sorted
// engine): Ingest records there that the source's keys were checked
// against the store, so that an ingest resumed after a crash — which finds
// the source's own pairs from the first attempt in the store — does not
// take them for conflicts.
type MetaStore interface {
	GetMeta(key string) ([]byte, bool, error)
	SetMeta(key string, val []byte) error
	Sync() error
}

// metaExistingChecked is the MetaStore key of a source whose keys were
// checked against the store before its first pair was written.
const metaExistingChecked = "existing-checked"

// existingWindow is how many of the source's keys one store scan covers.
const existingWindow = 1024

// FindExisting walks src in key order against what st holds over the
// same keys, and calls fn for every key both hold. The store is read in
// windows of the source's keys (one Scan over [first, last] of each), so
// the read follows the source, not the table.
func FindExisting(ctx context.Context, st store.Store, src Source, fn ExistingFunc) error {
	var keys, vals [][]byte
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		i := 0
		end := append(append([]byte(nil), keys[len(keys)-1]...), 0)
		err := st.Scan(ctx, keys[0], end, func(k, v []byte) error {
			for i < len(keys) && bytes.Compare(keys[i], k) < 0 {
				i++
			}
			if i < len(keys) && bytes.Equal(keys[i], k) {
				return fn(ctx, Existing{Key: keys[i], Stored: v, New: vals[i]})
			}
			return nil
		})
		keys, vals = keys[:0], vals[:0]
		return err
	}
	err := src.Iterate(ctx, func(k, v []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		vals = append(vals, append([]byte(nil), v...))
		if len(keys) >= existingWindow {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// checkExisting runs FindExisting with opts.Existing before src's first
// pair is written, once per source that keeps metadata.
func checkExisting(ctx context.Context, st store.Store, src Source, fn ExistingFunc) error {
	meta, _ := src.(MetaStore)
	if meta != nil {
		if _, done, err := meta.GetMeta(metaExistingChecked); err != nil {
			return err
		} else if done {
			return nil
		}
	}
	if err := FindExisting(ctx, st, src, fn); err != nil {
		return fmt.Errorf("ingest: keys already in the store: %w", err)
	}
	if meta == nil {
		return nil
	}
	if err := meta.SetMeta(metaExistingChecked, []byte("1")); err != nil {
		return err
	}
	return meta.Sync()
}
