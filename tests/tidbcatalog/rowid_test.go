package tidbcatalog

import (
	"context"
	"testing"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog/catalogtest"
)

var _ coordinator.RowIDAllocator = (*tidbcatalog.TiDB)(nil)

// TestLastRowID: the largest row ID of the _tidb_rowid and AUTO_INCREMENT
// allocators (NEXT_GLOBAL_ROW_ID less one), AUTO_RANDOM's left out.
func TestLastRowID(t *testing.T) {
	c, rec := recordedCatalog(t, tidbcatalog.Config{})
	cols := []string{"DB_NAME", "TABLE_NAME", "COLUMN_NAME", "NEXT_GLOBAL_ROW_ID", "ID_TYPE"}
	rec.Answer("SHOW TABLE `d`.`t` NEXT_ROW_ID", catalogtest.Rows(cols,
		[]string{"d", "t", "_tidb_rowid", "30001", "_TIDB_ROWID"},
		[]string{"d", "t", "id", "30001", "AUTO_INCREMENT"},
		[]string{"d", "t", "r", "90000", "AUTO_RANDOM"}))
	got, err := c.LastRowID(context.Background(), "d", "t")
	if err != nil || got != 30000 {
		t.Fatalf("LastRowID = %d, %v; want 30000", got, err)
	}
}
