package tidbcatalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog/catalogtest"
)

// TestRecordConflicts: the rows go to lightning_task_info.conflict_records,
// after the task's earlier rows are deleted, quoted and in batches.
func TestRecordConflicts(t *testing.T) {
	rec := catalogtest.NewRecorded()
	c, err := tidbcatalog.New(tidbcatalog.Config{Addr: "127.0.0.1:4000"}, rec)
	if err != nil {
		t.Fatal(err)
	}
	var rows []tidbcatalog.ConflictRow
	for i := range 150 {
		rows = append(rows, tidbcatalog.ConflictRow{Table: "`d`.`t`", Index: "uk", KeyData: `("it's")`, RawKey: []byte{0x74, byte(i)},
			Path: "d.t.000000001.sql", Offset: int64(i), RowData: `(1,'it''s')`, Error: "replaced by the row at d.t.000000001.sql:9"})
	}
	if err := c.RecordConflicts(context.Background(), 7, rows); err != nil {
		t.Fatal(err)
	}
	st := rec.Statements()
	if len(st) != 5 || !strings.HasPrefix(st[0], "CREATE DATABASE IF NOT EXISTS `lightning_task_info`") ||
		!strings.Contains(st[1], "`lightning_task_info`.`conflict_records`") ||
		st[2] != "DELETE FROM `lightning_task_info`.`conflict_records` WHERE task_id = 7" {
		t.Fatalf("statements: %q", st)
	}
	if n := strings.Count(st[3], "(7, "); n != 100 || strings.Count(st[4], "(7, ") != 50 {
		t.Fatalf("batches of %d and %d rows", n, strings.Count(st[4], "(7, "))
	}
	if !strings.Contains(st[3], `'("it''s")'`) || !strings.Contains(st[3], "x'7400'") || !strings.Contains(st[3], `'(1,''it''''s'')'`) {
		t.Fatalf("quoting: %s", st[3][:300])
	}
}
