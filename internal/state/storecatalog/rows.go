package storecatalog

import (
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// CountRows counts the rows the store holds for the physical tables ids:
// the keys of their record ranges (t{id}_r ... ), one per row, read at a
// fresh snapshot. It reads every record key, so it takes as long as a
// scan of the table's records.
func CountRows(ctx context.Context, st store.Store, ids []int64) (int64, error) {
	var n int64
	for _, id := range ids {
		start := tidbcodec.AppendRecordPrefix(nil, id)
		end := append(tidbcodec.AppendTablePrefix(nil, id), '_', 's')
		if err := st.Scan(ctx, start, end, func(_, _ []byte) error { n++; return nil }); err != nil {
			return n, fmt.Errorf("count rows of table ID %d: %w", id, err)
		}
	}
	return n, nil
}
