package writer

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
)

// A group is consecutive batches of one partition committed in one
// transaction: their identities in one multi-row INSERT into the progress
// table, then each batch's statement as the encoder bounded it. Fewer,
// larger transactions cost the server less (a commit per ~1 MiB of rows,
// as a dump's own statements commit, instead of one per 96 KiB batch),
// and the progress table still names every committed batch, in the same
// transaction as its rows. Anything unusual (a batch recorded before, a
// statement the server refuses or whose affected rows differ from its
// rows) rolls the group back and runs its batches one transaction each,
// as execBatch always did: the effect is the same, only slower.

// DefaultTxnBytes is Config.TxnBytes' default.
const DefaultTxnBytes = 1 << 20

// errSplit: the group must run batch by batch.
var errSplit = errors.New("run the group batch by batch")

// execGroup executes a group's batches exactly once.
func (w *worker) execGroup(ctx context.Context, g []*batch) error {
	if len(g) == 1 {
		return w.execBatch(ctx, g[0])
	}
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = w.tryGroup(ctx, g)
		if errors.Is(err, errSplit) {
			break
		}
		if err == nil || !retriable(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 250 * time.Millisecond):
		}
	}
	if err != nil && !errors.Is(err, errSplit) {
		return err
	}
	for _, b := range g {
		if err := w.execBatch(ctx, b); err != nil {
			return batchError(b, err)
		}
	}
	return nil
}

// tryGroup runs the group in one transaction (execTxn); errSplit when
// it must run batch by batch.
func (w *worker) tryGroup(ctx context.Context, g []*batch) error {
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
	err = w.execTxn(ctx, tx, g)
	if errors.Is(err, errRecorded) {
		return errSplit // some were committed before: each batch finds out
	}
	return err
}

// recordsStatement inserts the identities of the group's batches.
func (w *worker) recordsStatement(g []*batch) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + recordTable(tidbcatalog.BatchesTable) + " (import_id, chunk_id, seq, db_name, table_name, row_count) VALUES ")
	id := w.quote(w.cfg.ImportID)
	for i, b := range g {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(" + id + ", " + w.quote(b.ChunkId) + ", " + strconv.FormatUint(uint64(b.Seq), 10) + ", " +
			w.quote(b.Db) + ", " + w.quote(b.Table) + ", " + strconv.Itoa(b.n) + ")")
	}
	return sb.String()
}
