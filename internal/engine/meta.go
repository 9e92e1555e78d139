package engine

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

func metaKey(key string) []byte {
	return append(append(make([]byte, 0, len(MetaPrefix)+len(key)), MetaPrefix...), key...)
}

func (e *Engine) setMeta(meta map[string][]byte) error {
	err := e.db.Update(func(txn *badger.Txn) error {
		for k, v := range meta {
			if err := txn.Set(metaKey(k), append([]byte(nil), v...)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine %s: set meta: %w", e.dir, err)
	}
	return nil
}

// SetMeta stores one metadata value (atomically with nothing else; use
// Write to order metadata after data).
func (e *Engine) SetMeta(key string, val []byte) error {
	return e.setMeta(map[string][]byte{key: val})
}

// GetMeta returns a copy of the metadata value under key; ok is false when
// there is none.
func (e *Engine) GetMeta(key string) (val []byte, ok bool, err error) {
	err = e.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(metaKey(key))
		if err != nil {
			return err
		}
		val, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("engine %s: get meta %q: %w", e.dir, key, err)
	}
	return val, true, nil
}

// DeleteMeta removes a metadata key; a missing key is not an error.
func (e *Engine) DeleteMeta(key string) error {
	err := e.db.Update(func(txn *badger.Txn) error { return txn.Delete(metaKey(key)) })
	if err != nil {
		return fmt.Errorf("engine %s: delete meta %q: %w", e.dir, key, err)
	}
	return nil
}

// IterMeta calls fn for every metadata key starting with prefix, in key
// order; val is valid only during the call.
func (e *Engine) IterMeta(prefix string, fn func(key string, val []byte) error) error {
	p := metaKey(prefix)
	err := e.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
		defer it.Close()
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			item := it.Item()
			k := string(item.Key()[len(MetaPrefix):])
			if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine %s: iterate meta %q: %w", e.dir, prefix, err)
	}
	return nil
}
