package tidbcatalog

import (
	"context"
	"fmt"
	"strings"
)

// ConflictsSchema and ConflictsTable hold the conflicting rows of an
// import with --tidb, as Lightning's lightning_task_info.conflict_records
// does (lightning.task-info-schema-name).
const (
	ConflictsSchema = "lightning_task_info"
	ConflictsTable  = "conflict_records"
)

// ConflictRow is one row that held a duplicate key.
type ConflictRow struct {
	// Table is `db`.`table`; Index the key's index ("PRIMARY" for the
	// record key); KeyData the key's values, as text.
	Table, Index, KeyData string
	// RawKey is the key's bytes.
	RawKey []byte
	// Path and Offset: where the row lies in the dump; RowData: the row
	// as the dump gives it.
	Path    string
	Offset  int64
	RowData string
	// Error says what happened to the row (kept, replaced, ignored,
	// stopped the import).
	Error string
}

const conflictsDDL = "CREATE TABLE IF NOT EXISTS %s (" +
	"id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, " +
	"task_id BIGINT NOT NULL, " +
	"create_time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), " +
	"table_name VARCHAR(261) NOT NULL, " +
	"index_name VARCHAR(128) NOT NULL, " +
	"key_data TEXT NOT NULL, " +
	"row_data TEXT NOT NULL, " +
	"raw_key MEDIUMBLOB NOT NULL, " +
	"path VARCHAR(2048) NOT NULL, " +
	"`offset` BIGINT NOT NULL, " +
	"error TEXT NOT NULL, " +
	"KEY (task_id, table_name))"

// RecordConflicts replaces the rows of task taskID in
// lightning_task_info.conflict_records with rows (a resumed import writes
// them again).
func (c *TiDB) RecordConflicts(ctx context.Context, taskID int64, rows []ConflictRow) error {
	s, err := c.sql.Session(ctx)
	if err != nil {
		return fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	table := tableName(ConflictsSchema, ConflictsTable)
	stmts := []string{
		"CREATE DATABASE IF NOT EXISTS " + quoteName(ConflictsSchema),
		fmt.Sprintf(conflictsDDL, table),
		fmt.Sprintf("DELETE FROM %s WHERE task_id = %d", table, taskID),
	}
	const batch = 100
	for i := 0; i < len(rows); i += batch {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (task_id, table_name, index_name, key_data, row_data, raw_key, path, `offset`, error) VALUES ", table)
		for j, r := range rows[i:min(i+batch, len(rows))] {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %s, %s, %s, %s, x'%x', %s, %d, %s)", taskID, quoteString(r.Table), quoteString(r.Index),
				quoteString(r.KeyData), quoteString(r.RowData), r.RawKey, quoteString(r.Path), r.Offset, quoteString(r.Error))
		}
		stmts = append(stmts, b.String())
	}
	for _, q := range stmts {
		if err := s.Exec(ctx, q); err != nil {
			return fmt.Errorf("record conflicts: %s: %w", q[:min(len(q), 80)], err)
		}
	}
	return nil
}
