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

// existingWindow is how many of the source's keys one store read covers.
const existingWindow = 1024

// errSparse stops a window's scan that walks past more of the store's
// keys than the window has: the source is sparse against the table.
var errSparse = errors.New("the store is denser than the source here")

// FindExisting walks src in key order against what st holds over the
// same keys, and calls fn for every key both hold. The store is read in
// windows of the source's keys: one Scan from the first key of a window,
// which stops once it has passed about twice as many of the store's keys
// as the window holds; the keys it did not reach are then looked up one
// by one (point gets in one read-only transaction when st runs them). So
// the read follows the source, not the table: a sparse incremental dump
// into a large table reads about as many keys as it has, not the table.
func FindExisting(ctx context.Context, st store.Store, src Source, fn ExistingFunc) error {
	var keys, vals [][]byte
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		defer func() { keys, vals = keys[:0], vals[:0] }()
		i, passed, budget := 0, 0, 2*len(keys)+64
		end := append(append([]byte(nil), keys[len(keys)-1]...), 0)
		err := st.Scan(ctx, keys[0], end, func(k, v []byte) error {
			for i < len(keys) && bytes.Compare(keys[i], k) < 0 {
				i++
			}
			if i < len(keys) && bytes.Equal(keys[i], k) {
				i++
				return fn(ctx, Existing{Key: keys[i-1], Stored: v, New: vals[i-1]})
			}
			if passed++; passed > budget {
				return errSparse
			}
			return nil
		})
		if !errors.Is(err, errSparse) {
			return err
		}
		return lookupExisting(ctx, st, keys[i:], vals[i:], fn)
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

// lookupExisting looks keys (sorted) up one by one and calls fn, in key
// order, for those st holds.
func lookupExisting(ctx context.Context, st store.Store, keys, vals [][]byte, fn ExistingFunc) error {
	if tx, ok := st.(store.Transactional); ok {
		var found []int
		var stored [][]byte
		// Read only: the commit writes nothing, so it is not retried, and
		// fn runs after it.
		err := tx.RunTxn(ctx, func(txn store.Txn) error {
			found, stored = found[:0], stored[:0]
			for j, k := range keys {
				v, err := txn.Get(ctx, k)
				if err != nil {
					return fmt.Errorf("get %x: %w", k, err)
				}
				if v != nil {
					found, stored = append(found, j), append(stored, v)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for n, j := range found {
			if err := fn(ctx, Existing{Key: keys[j], Stored: stored[n], New: vals[j]}); err != nil {
				return err
			}
		}
		return nil
	}
	for j, k := range keys {
		err := st.Scan(ctx, k, append(append([]byte(nil), k...), 0), func(_, v []byte) error {
			return fn(ctx, Existing{Key: k, Stored: v, New: vals[j]})
		})
		if err != nil {
			return err
		}
	}
	return nil
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
