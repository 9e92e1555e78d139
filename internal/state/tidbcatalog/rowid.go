package tidbcatalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// LastRowID implements coordinator.RowIDAllocator: the largest row ID
// TiDB's allocators of db.table may have given, from SHOW TABLE ...
// NEXT_ROW_ID (the _tidb_rowid and AUTO_INCREMENT allocators, which share
// one base unless AUTO_ID_CACHE=1 separates them; AUTO_RANDOM's is not a
// row ID). An incremental import gives its rows IDs above it, as
// Lightning's AllocTableRowIDs takes its range from the allocator: a row
// TiDB inserted, even one since deleted, never shares an ID with a new
// one. 0 when the table has neither allocator.
func (c *TiDB) LastRowID(ctx context.Context, db, table string) (int64, error) {
	s, err := c.sql.Session(ctx)
	if err != nil {
		return 0, fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	q := "SHOW TABLE " + tableName(db, table) + " NEXT_ROW_ID"
	rs, err := s.Query(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	var last int64
	for i := range rs.Rows {
		typ, _ := rs.Cell(i, "ID_TYPE")
		switch strings.ToUpper(typ) {
		case "_TIDB_ROWID", "AUTO_INCREMENT":
		default:
			continue
		}
		v, ok := rs.Cell(i, "NEXT_GLOBAL_ROW_ID")
		if !ok {
			return 0, fmt.Errorf("%s: no NEXT_GLOBAL_ROW_ID column", q)
		}
		next, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: NEXT_GLOBAL_ROW_ID %q: %w", q, v, err)
		}
		last = max(last, next-1)
	}
	return last, nil
}
