package ingest

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// presplit splits the store's regions every `every` bytes of src before any
// write, as Lightning's local backend does (lightning/backend/local
// localhelper.go SplitAndScatterRegionByRanges): batches then land in
// distinct regions instead of all splitting one. It needs the source's size
// (Sizer) to know splitting is worthwhile; without it, no split happens.
// It returns how many split keys were requested.
func presplit(ctx context.Context, st store.Store, src Source, every int64) (int, error) {
	if every <= 0 {
		return 0, nil
	}
	var keys [][]byte
	if sk, ok := src.(SplitKeyer); ok {
		var err error
		if keys, err = sk.SplitKeys(ctx, every); err != nil {
			return 0, fmt.Errorf("choose split keys: %w", err)
		}
	} else {
		sz, ok := src.(Sizer)
		if !ok {
			return 0, nil
		}
		if _, total := sz.Stats(); total <= uint64(every) {
			return 0, nil
		}
		var err error
		if keys, err = scanSplitKeys(ctx, src, every); err != nil {
			return 0, err
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	if err := st.SplitRegions(ctx, keys); err != nil {
		return 0, fmt.Errorf("pre-split %d regions: %w", len(keys), err)
	}
	return len(keys), nil
}

// scanSplitKeys reads src once and picks the first key after every `every`
// bytes. A key never equals the source's first key (that split would be
// useless).
func scanSplitKeys(ctx context.Context, src Source, every int64) ([][]byte, error) {
	var keys [][]byte
	var acc int64
	first := true
	err := src.Iterate(ctx, func(k, v []byte) error {
		if acc >= every && !first {
			if len(keys) == 0 || !bytes.Equal(keys[len(keys)-1], k) {
				keys = append(keys, bytes.Clone(k))
			}
			acc = 0
		}
		first = false
		acc += int64(len(k) + len(v))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("choose split keys: %w", err)
	}
	return keys, nil
}

// planRegions is physical ingest's region planning (Lightning's local
// backend, pkg/lightning/backend/local/local.go generateAndSplitRegions:
// the engine's key range cut every region-split-size bytes, split and
// scattered before any write). It reads src once and splits the store's
// regions at src's first key, at the first key after every `every` bytes
// and just after its last key, so that the engine's pairs own their
// regions and concurrent engines do not share one. It returns the split
// keys, sorted: the batch boundaries.
func planRegions(ctx context.Context, st store.Store, src Source, every int64) ([][]byte, error) {
	var keys [][]byte
	var acc int64
	var last []byte
	err := src.Iterate(ctx, func(k, v []byte) error {
		if keys == nil || acc >= every {
			keys = append(keys, bytes.Clone(k))
			acc = 0
		}
		acc += int64(len(k) + len(v))
		last = append(last[:0], k...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plan regions: read source: %w", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// The smallest key after last: last followed by a zero byte.
	keys = append(keys, append(last, 0))
	if err := st.SplitRegions(ctx, keys); err != nil {
		return nil, fmt.Errorf("plan regions: split at %d keys from %x: %w", len(keys), keys[0], err)
	}
	return keys, nil
}
