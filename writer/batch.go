package writer

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/go-sql-driver/mysql"

	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlliteral"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// MySQL error numbers the writer branches on.
const (
	errDupEntry      = 1062
	errLockWait      = 1205
	errDeadlock      = 1213
	errTiDBWriteConf = 9007
	errTiDBTxnRetry  = 8002
	errTiDBServerBus = 9003 // TiKV server is busy
	errTiDBRegionUna = 9005 // region is unavailable
)

// retriable: the transaction did not happen and may be tried again (a
// lost connection, a deadlock, a lock wait timeout, TiDB's write
// conflicts), as Lightning's tidb backend retries them.
func retriable(err error) bool {
	if err == nil {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errLockWait, errDeadlock, errTiDBWriteConf, errTiDBTxnRetry, errTiDBServerBus, errTiDBRegionUna:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.As(err, &ne)
}

// rowError: the server refused the statement's data (a duplicate key, a
// value too long in strict mode, a foreign key): the batch is retried row
// by row to find the rows.
func rowError(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && !retriable(err)
}

// strategy is the batch's conflict strategy, read from its statement.
func strategy(prefix string) string {
	switch {
	case strings.HasPrefix(prefix, "REPLACE"):
		return "replace"
	case strings.HasPrefix(prefix, "INSERT IGNORE"):
		return "ignore"
	}
	return "error"
}

func recordTable(name string) string {
	return sqlliteral.TableName(tidbcatalog.TaskInfoDB, name)
}

// takeBuffer takes a statement buffer: one per connection (w.buffers
// holds as many as the member has), since a goroutine runs a group only
// while it holds a connection slot.
func (w *worker) takeBuffer() []byte {
	select {
	case b := <-w.buffers:
		return b
	default:
		return nil
	}
}

// maxPooledBuffer bounds the statement buffers kept for reuse: a batch
// with a huge row may need a larger one once, which is then dropped
// rather than held by every connection for the rest of the import.
const maxPooledBuffer = 4 << 20

// putBuffer returns a statement buffer taken by takeBuffer.
func (w *worker) putBuffer(b []byte) {
	if cap(b) > maxPooledBuffer {
		return
	}
	select {
	case w.buffers <- b:
	default:
	}
}

// transientString is b as a string without a copy, for a statement that
// is only passed to ExecContext and not kept: database/sql hands it to the
// driver, which copies it into its packet before ExecContext returns, and
// neither keeps it. b must not change until then.
func transientString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// execBatch executes one batch exactly once, retrying what may be retried.
func (w *worker) execBatch(ctx context.Context, b *batch) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		if err = w.tryBatch(ctx, b); err == nil || !retriable(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 250 * time.Millisecond):
		}
	}
	return err
}

// tryBatch runs a batch in one transaction (execTxn): its record first (a
// duplicate record means a former run committed it: nothing to do), then
// its rows. When the server refuses the statement, or it affected another
// number of rows than it sent (a conflict under ignore or replace), the
// transaction is rolled back and the batch runs again row by row
// (rowByRow).
func (w *worker) tryBatch(ctx context.Context, b *batch) error {
	conn, err := w.session(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	switch err := w.execTxn(ctx, tx, []*batch{b}); {
	case errors.Is(err, errRecorded):
		return nil
	case errors.Is(err, errSplit):
		_ = tx.Rollback()
		return w.rowByRow(ctx, conn, b)
	default:
		return err
	}
}

// errRecorded: a batch's record is in the progress table already (a
// former run committed it).
var errRecorded = errors.New("the batch was committed before")

// execTxn runs batches in tx and commits it: their records first (one
// statement), then each batch's statement as the encoder bounded it.
// errRecorded: a record was there; errSplit: the server refused a
// statement's data or it affected another number of rows than it sent.
func (w *worker) execTxn(ctx context.Context, tx *sql.Tx, g []*batch) error {
	if _, err := tx.ExecContext(ctx, w.recordsStatement(g)); err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == errDupEntry {
			return errRecorded
		}
		return err
	}
	buf := w.takeBuffer()
	defer func() { w.putBuffer(buf) }()
	for _, b := range g {
		buf = b.appendStatement(buf[:0])
		res, err := tx.ExecContext(ctx, transientString(buf))
		if err != nil {
			if rowError(err) {
				return errSplit
			}
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n != int64(b.n) {
			// Fewer (ignored) or more (replaced: delete + insert) than sent.
			return errSplit
		}
	}
	if w.cfg.BeforeCommit != nil {
		for _, b := range g {
			w.cfg.BeforeCommit(b.ChunkId, b.Seq)
		}
	}
	return tx.Commit()
}

// session takes a connection (its session settings were set when it
// opened: Run).
func (w *worker) session(ctx context.Context) (*sql.Conn, error) {
	return w.db.Conn(ctx)
}

func (w *worker) quote(s string) string {
	return string(sqlliteral.Renderer{NoBackslashEscapes: w.noBackslash}.AppendQuoted(nil, []byte(s)))
}

// rowByRow runs the batch one row per statement in one transaction with
// its record, and records the rows that did not go in as sent in
// conflict_records: a duplicate key under error or a refused value is
// also a reject (the rejects file, counted against --max-error); a row
// ignored as a duplicate is a conflict only; a row that replaced another
// is recorded as replaced.
func (w *worker) rowByRow(ctx context.Context, conn *sql.Conn, sb *batch) error {
	b, err := sb.rows()
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, w.recordsStatement([]*batch{sb})); err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == errDupEntry {
			return nil // a former run committed it
		}
		return err
	}
	strat := strategy(b.Prefix)
	for i, row := range b.Rows {
		res, err := tx.ExecContext(ctx, b.Prefix+" "+string(row)+b.Suffix)
		kind, reason := "", ""
		switch {
		case err != nil && !rowError(err):
			return err
		case err != nil:
			kind, reason = "rejected", err.Error()
			var me *mysql.MySQLError
			if errors.As(err, &me) && me.Number == errDupEntry {
				kind = "conflict"
			}
			var off int64
			if i < len(b.Offsets) {
				off = b.Offsets[i]
			}
			if w.cfg.Rejects == nil || !w.cfg.Rejects.RejectText(batchName(b), i, b.File, off, reason, string(row)) {
				return fmt.Errorf("row %d (%s at byte offset %d): %w: %w", i, b.File, off, errLimit, err)
			}
		default:
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			switch {
			case strat == "ignore" && n == 0:
				kind, reason = "conflict", "duplicate key: row ignored (on-duplicate ignore)"
			case strat == "replace" && n > 1:
				kind, reason = "replaced", "duplicate key: row replaced the existing one (on-duplicate replace)"
			}
		}
		if kind == "" {
			continue
		}
		if err := w.conflict(ctx, tx, b, i, strat, kind, reason, string(row)); err != nil {
			return err
		}
	}
	if w.cfg.BeforeCommit != nil {
		w.cfg.BeforeCommit(b.ChunkId, b.Seq)
	}
	return tx.Commit()
}

// batchName names a batch among all of the import's: its chunk and its
// sequence number in the chunk.
func batchName(b *lsv1.SQLBatch) string {
	return b.ChunkId + "#" + strconv.FormatUint(uint64(b.Seq), 10)
}

// conflict records one row in conflict_records.
func (w *worker) conflict(ctx context.Context, tx *sql.Tx, b *lsv1.SQLBatch, i int, strat, kind, reason, row string) error {
	var off int64
	var sum uint32
	if i < len(b.Offsets) {
		off = b.Offsets[i]
	}
	if i < len(b.RowChecksums) {
		sum = b.RowChecksums[i]
	}
	q := "INSERT INTO " + recordTable(tidbcatalog.LogicalConflictsTable) +
		" (import_id, db_name, table_name, chunk_id, seq, row_index, file, file_offset, strategy, kind, error, row_data, row_checksum) VALUES (" +
		strings.Join([]string{w.quote(w.cfg.ImportID), w.quote(b.Db), w.quote(b.Table), w.quote(b.ChunkId),
			strconv.FormatUint(uint64(b.Seq), 10), strconv.Itoa(i), w.quote(b.File), strconv.FormatInt(off, 10),
			w.quote(strat), w.quote(kind), w.quote(reason), w.quote(row), strconv.FormatUint(uint64(sum), 10)}, ", ") + ")"
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("record conflict: %w", err)
	}
	return nil
}
