package ingest

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/store"
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
