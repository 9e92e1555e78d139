package tidbcatalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlliteral"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// The logical backend's records in the target, in one database as
// Lightning keeps its own in lightning_task_info.
const (
	// TaskInfoDB is the database of the records.
	TaskInfoDB = "lightstream_task_info"
	// BatchesTable records every executed SQL batch (import, chunk, seq),
	// written in the same transaction as the batch's rows: a batch found
	// there is not executed again.
	BatchesTable = "logical_batches"
	// ChunksTable records the end-of-chunk markers a writer has passed,
	// per partition of a table's topic.
	ChunksTable = "logical_chunks"
	// LogicalConflictsTable (in TaskInfoDB; the local backend records its
	// conflicts in ConflictsSchema.ConflictsTable, as Lightning does) records the rows that did not go in as sent: kind
	// "conflict" (a duplicate key under on-duplicate error or ignore: the
	// row is not in the table), "replaced" (on-duplicate replace: the row
	// replaced another), "rejected" (another server error).
	LogicalConflictsTable = "conflict_records"
)

// TaskInfoDDL creates the records' database and tables (IF NOT EXISTS).
func TaskInfoDDL() []string {
	db := quoteName(TaskInfoDB)
	return []string{
		"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE IF NOT EXISTS " + db + "." + quoteName(BatchesTable) + ` (
  import_id VARCHAR(64) NOT NULL, chunk_id VARCHAR(600) NOT NULL, seq INT UNSIGNED NOT NULL,
  db_name VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL,
  row_count INT UNSIGNED NOT NULL, affected BIGINT NOT NULL,
  written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (import_id, chunk_id, seq)) DEFAULT CHARSET = utf8mb4`,
		"CREATE TABLE IF NOT EXISTS " + db + "." + quoteName(ChunksTable) + ` (
  import_id VARCHAR(64) NOT NULL, chunk_id VARCHAR(600) NOT NULL, part INT UNSIGNED NOT NULL,
  topic VARCHAR(255) NOT NULL,
  PRIMARY KEY (import_id, chunk_id, part)) DEFAULT CHARSET = utf8mb4`,
		"CREATE TABLE IF NOT EXISTS " + db + "." + quoteName(LogicalConflictsTable) + ` (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  import_id VARCHAR(64) NOT NULL, db_name VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL,
  chunk_id VARCHAR(600) NOT NULL, seq INT UNSIGNED NOT NULL, row_index INT UNSIGNED NOT NULL,
  file VARCHAR(1024) NOT NULL, file_offset BIGINT NOT NULL,
  strategy VARCHAR(16) NOT NULL, kind VARCHAR(16) NOT NULL, error TEXT NOT NULL,
  row_data LONGTEXT NOT NULL, row_checksum INT UNSIGNED NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY (import_id, db_name, table_name)) DEFAULT CHARSET = utf8mb4`,
	}
}

// Logical is the catalog of the logical backend (--backend tidb): tables
// are created through SQL as TiDB's catalog does, on TiDB or any
// MySQL-protocol server, and their models come from the dump's DDL (no
// status API, no table IDs: the server assigns its own). After a table is
// written, its query checksum is read back (sqlliteral.Checksum).
type Logical struct {
	*TiDB
	importID string

	mu     sync.Mutex
	models map[string]*tablemodel.Table
}

// OpenLogical connects to the target server.
func OpenLogical(ctx context.Context, cfg Config) (*Logical, error) {
	t, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Logical{TiDB: t, models: map[string]*tablemodel.Table{}}, nil
}

// SetImportID names the import whose records Checksum reads.
func (l *Logical) SetImportID(id string) { l.importID = id }

// Name implements coordinator.Catalog.
func (*Logical) Name() string { return "tidb backend" }

// PauseSchedulers: the logical backend writes through SQL, as any client
// does; PD's schedulers keep running.
func (*Logical) PauseSchedulers(context.Context) (func(context.Context) error, error) {
	return func(context.Context) error { return nil }, nil
}

// CreateTable implements coordinator.Catalog: the database and table are
// created IF NOT EXISTS through SQL; the model is the dump's DDL read with
// TiDB's rules, with tableID for an id.
func (l *Logical) CreateTable(ctx context.Context, m *lsv1.TableManifest, tableID int64) (*tablemodel.Table, []string, error) {
	if strings.TrimSpace(m.SchemaSql) == "" {
		return nil, nil, fmt.Errorf("table %s.%s: %w (%s.%s-schema.sql)", m.Db, m.Table, ErrNoSchema, m.Db, m.Table)
	}
	s, err := l.session(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	// The database's defaults, read in the session's SQL mode as
	// databaseDDL reads the same text: a schema file it cannot read makes
	// the database with the server's defaults (databaseDDL warns), so the
	// model takes those too.
	dbd := tablemodel.DBDefaults{Name: m.Db}
	if strings.TrimSpace(m.DbSchemaSql) != "" {
		if dbStmts, err := l.parse(m.DbSchemaSql); err == nil {
			dbd = tablemodel.DatabaseDefaultsOf(m.Db, dbStmts)
		}
	}
	if err := l.ensureDatabase(ctx, s, m.Db, m.DbSchemaSql); err != nil {
		return nil, nil, err
	}
	stmts, warns, err := l.tableDDLAs(m.Db, m.Table, m.SchemaSql)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s.%s: %w", m.Db, m.Table, err)
	}
	for _, q := range stmts {
		if err := s.Exec(ctx, q); err != nil && !tableExists(err) {
			return nil, nil, fmt.Errorf("create table %s.%s: %s: %w", m.Db, m.Table, clip(q), err)
		}
	}
	t, twarns, err := tablemodel.ParseCreateTable(m.SchemaSql, dbd, tableID)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s.%s: %w", m.Db, m.Table, err)
	}
	t.DB, t.Name = m.Db, m.Table
	absent, err := l.absentColumns(ctx, s, t)
	if err != nil {
		return nil, nil, err
	}
	for _, col := range absent {
		col.Unsupported = sqlliteral.AbsentInTarget
		warns = append(warns, fmt.Sprintf("column %s is not in the target's table: its values are dropped", col.Name))
	}
	l.mu.Lock()
	l.models[checkpoint.Key(m.Db, m.Table)] = t
	l.mu.Unlock()
	return t, append(warns, twarns...), nil
}

// model is the table's model: the one CreateTable made, or on a resumed
// import the server's own DDL read back.
func (l *Logical) model(ctx context.Context, db, table string) (*tablemodel.Table, error) {
	l.mu.Lock()
	t := l.models[checkpoint.Key(db, table)]
	l.mu.Unlock()
	if t != nil {
		return t, nil
	}
	s, err := l.sql.Session(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	q := "SHOW CREATE TABLE " + tableName(db, table)
	rs, err := s.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	ddl, ok := rs.Cell(0, "Create Table")
	if !ok {
		return nil, fmt.Errorf("%s: no Create Table column", q)
	}
	t, _, err = tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: db}, 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	return t, nil
}

// Checksum implements coordinator.PostImporter for the logical backend:
// the query checksum of the table's rows (COUNT, BIT_XOR and SUM of
// CRC32 over each row's text; sqlliteral.Checksum), plus that of the rows
// the writers recorded as not written (conflicts under error or ignore,
// rejected rows), which the source's checksum counts. A table where rows
// were replaced (on-duplicate replace) is not checked: the replaced rows'
// content is gone. Sum is the XOR, KVs the row count, Bytes the sum.
func (l *Logical) Checksum(ctx context.Context, db, table string) (checkpoint.Checksum, error) {
	t, err := l.model(ctx, db, table)
	if err != nil {
		return checkpoint.Checksum{}, err
	}
	s, err := l.sql.Session(ctx)
	if err != nil {
		return checkpoint.Checksum{}, err
	}
	defer s.Close()
	if err := s.Exec(ctx, "SET SESSION time_zone = '+00:00'"); err != nil {
		return checkpoint.Checksum{}, err
	}
	rec := quoteName(TaskInfoDB) + "." + quoteName(LogicalConflictsTable)
	where := " WHERE import_id = " + quoteString(l.importID) + " AND db_name = " + quoteString(db) + " AND table_name = " + quoteString(table)
	if rs, err := s.Query(ctx, "SELECT COUNT(*) FROM "+rec+where+" AND kind = 'replaced'"); err == nil && len(rs.Rows) == 1 && rs.Rows[0][0] != nil && *rs.Rows[0][0] != "0" {
		return checkpoint.Checksum{}, fmt.Errorf("%w: %s rows replaced others (on-duplicate replace): the replaced rows' content is gone (see %s.%s)",
			store.ErrNotSupported, *rs.Rows[0][0], TaskInfoDB, LogicalConflictsTable)
	}
	got, err := l.tableChecksum(ctx, s, t, db, table)
	if err != nil {
		return got, err
	}
	dropped, err := queryChecksum(ctx, s, "SELECT COUNT(*), COALESCE(BIT_XOR(row_checksum), 0), COALESCE(SUM(row_checksum), 0) FROM "+rec+where)
	if err != nil {
		// No records table: no row was recorded.
		dropped = checkpoint.Checksum{}
	}
	return checkpoint.Checksum{Sum: got.Sum ^ dropped.Sum, KVs: got.KVs + dropped.KVs, Bytes: got.Bytes + dropped.Bytes}, nil
}

// queryChecksum reads one row of COUNT, BIT_XOR, SUM.
func queryChecksum(ctx context.Context, s Session, q string) (checkpoint.Checksum, error) {
	rs, err := s.Query(ctx, q)
	if err != nil {
		return checkpoint.Checksum{}, fmt.Errorf("%s: %w", clip(q), err)
	}
	if len(rs.Rows) != 1 || len(rs.Rows[0]) != 3 {
		return checkpoint.Checksum{}, fmt.Errorf("%s: want one row of 3 values", clip(q))
	}
	var v [3]uint64
	for i, cell := range rs.Rows[0] {
		if cell == nil {
			continue
		}
		n, err := strconv.ParseUint(*cell, 10, 64)
		if err != nil {
			return checkpoint.Checksum{}, fmt.Errorf("%s: %q: %w", clip(q), *cell, err)
		}
		v[i] = n
	}
	return checkpoint.Checksum{KVs: v[0], Sum: v[1], Bytes: v[2]}, nil
}

// Rebase implements coordinator.PostImporter: nothing to do, the server
// moved its AUTO_INCREMENT counters as the rows with explicit values went
// in (MySQL, MariaDB and TiDB all do).
func (*Logical) Rebase(context.Context, *tablemodel.Table) error { return nil }

// absentColumns are t's columns the target's table lacks.
func (l *Logical) absentColumns(ctx context.Context, s Session, t *tablemodel.Table) ([]*tablemodel.Column, error) {
	q := "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " + quoteString(t.DB) + " AND TABLE_NAME = " + quoteString(t.Name)
	rs, err := s.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	have := map[string]bool{}
	for _, r := range rs.Rows {
		if len(r) > 0 && r[0] != nil {
			have[strings.ToLower(*r[0])] = true
		}
	}
	if len(have) == 0 {
		return nil, nil // a server that does not tell: assume all
	}
	var out []*tablemodel.Column
	for _, col := range t.Columns {
		if !have[strings.ToLower(col.Name)] {
			out = append(out, col)
		}
	}
	return out, nil
}

// Analyze implements coordinator.PostImporter: skipped. The rows went in
// as ordinary writes, whose statistics the server keeps itself (TiDB's
// auto-analyze, InnoDB's persistent statistics), as after Lightning's
// logical import; MariaDB's ANALYZE TABLE would read every row again.
func (*Logical) Analyze(context.Context, string, string) error {
	return fmt.Errorf("%w: the rows were written through SQL: the server keeps their statistics itself", store.ErrNotSupported)
}

// checksumParts is how many concurrent range queries read the checksum
// of a table with an integer primary key.
const checksumParts = 4

// tableChecksum reads the query checksum of the table's rows: in
// checksumParts ranges of its integer primary key at once when it has
// one (and enough rows to be worth it), else with one query.
func (l *Logical) tableChecksum(ctx context.Context, s Session, t *tablemodel.Table, db, table string) (checkpoint.Checksum, error) {
	c := sqlliteral.NewChecksum(t)
	if cols, err := targetColumns(ctx, s, db, table); err == nil {
		c = c.ForTarget(cols)
	}
	pk := intPrimaryKey(t)
	if pk == "" {
		return queryChecksum(ctx, s, c.Query(db, table))
	}
	rs, err := s.Query(ctx, "SELECT MIN("+pk+"), MAX("+pk+") FROM "+tableName(db, table))
	if err != nil || len(rs.Rows) != 1 || rs.Rows[0][0] == nil || rs.Rows[0][1] == nil {
		return queryChecksum(ctx, s, c.Query(db, table))
	}
	lo, err1 := strconv.ParseInt(*rs.Rows[0][0], 10, 64)
	hi, err2 := strconv.ParseInt(*rs.Rows[0][1], 10, 64)
	span := uint64(hi) - uint64(lo)
	if err1 != nil || err2 != nil || span < 10000 {
		return queryChecksum(ctx, s, c.Query(db, table))
	}
	step := span/checksumParts + 1
	parts := make([]checkpoint.Checksum, checksumParts)
	g, gctx := errgroup.WithContext(ctx)
	for i := 0; i < checksumParts; i++ {
		a := lo + int64(uint64(i)*step)
		b := a + int64(step) - 1
		if i == checksumParts-1 {
			b = hi
		}
		where := pk + " BETWEEN " + strconv.FormatInt(a, 10) + " AND " + strconv.FormatInt(b, 10)
		g.Go(func() error {
			ps, err := l.sql.Session(gctx)
			if err != nil {
				return err
			}
			defer ps.Close()
			if err := ps.Exec(gctx, "SET SESSION time_zone = '+00:00'"); err != nil {
				return err
			}
			parts[i], err = queryChecksum(gctx, ps, c.QueryWhere(db, table, where))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return checkpoint.Checksum{}, err
	}
	var out checkpoint.Checksum
	for _, p := range parts {
		out.Sum ^= p.Sum
		out.KVs += p.KVs
		out.Bytes += p.Bytes
	}
	return out, nil
}

// targetColumns reads how the target's table holds its columns (lower-case
// names), for the checksum's cheapest expression.
func targetColumns(ctx context.Context, s Session, db, table string) (map[string]sqlliteral.TargetColumn, error) {
	q := "SELECT COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
		quoteString(db) + " AND TABLE_NAME = " + quoteString(table)
	rs, err := s.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	cols := map[string]sqlliteral.TargetColumn{}
	for _, r := range rs.Rows {
		if len(r) < 4 || r[0] == nil {
			continue
		}
		cell := func(i int) string {
			if r[i] == nil {
				return ""
			}
			return *r[i]
		}
		cols[strings.ToLower(cell(0))] = sqlliteral.TargetColumn{Charset: cell(1), Collation: cell(2), NotNull: strings.EqualFold(cell(3), "NO")}
	}
	return cols, nil
}

// intPrimaryKey is the quoted name of t's primary key when it is one
// integer column ("" otherwise; values past MaxInt64 take one query).
func intPrimaryKey(t *tablemodel.Table) string {
	var pk *tablemodel.Column
	for _, col := range t.Columns {
		if col.PrimaryKey {
			if pk != nil {
				return ""
			}
			pk = col
		}
	}
	if pk == nil || !tablemodel.IsIntegerType(pk.Tp) {
		return ""
	}
	return quoteName(pk.Name)
}
