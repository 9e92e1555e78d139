package coordinator

import (
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrRowCountMismatch: a chunk's reader parsed a different number of rows
// than the encoder encoded and rejected, so a row was lost (or made up)
// between them. The checksum cannot see that: it compares what the
// encoders produced with what the store holds.
var ErrRowCountMismatch = errors.New("row count mismatch")

// rowCounts are a table's row counts, summed over its chunks' first
// reports: parsed by the readers, encoded, rejected with --max-error.
type rowCounts struct {
	parsed, encoded, rejected uint64
}

func (r *rowCounts) add(ce *lsv1.ChunkEncoded) {
	r.parsed += ce.GetRowsParsed()
	r.encoded += ce.Rows
	r.rejected += ce.Rejected
}

// chunkRowsError is the error for a chunk whose counts disagree, naming
// it by file and byte range; nil when they agree or the encoder is too old
// to report the parsed count.
func chunkRowsError(ce *lsv1.ChunkEncoded) error {
	if ce.RowsParsed == nil || *ce.RowsParsed == ce.Rows+ce.Rejected {
		return nil
	}
	return fmt.Errorf("%w: %s.%s chunk %s (file %s, bytes %d-%d): the reader parsed %d rows, the encoder encoded %d and rejected %d",
		ErrRowCountMismatch, ce.Db, ce.Table, ce.ChunkId, ce.File, ce.StartOffset, ce.EndOffset,
		*ce.RowsParsed, ce.Rows, ce.Rejected)
}

// chunkEncoded records a chunk's report (the first one counts: a
// re-encoded chunk reports again with identical figures) and fails the
// table when the chunk's row counts disagree.
func (c *Coordinator) chunkEncoded(key string, ce *lsv1.ChunkEncoded) error {
	c.mu.Lock()
	ts := c.tables[key]
	if ts == nil {
		c.mu.Unlock()
		return nil
	}
	if _, seen := ts.chunks[ce.ChunkId]; !seen {
		ts.chunks[ce.ChunkId] = ce
		ts.rows += ce.Rows
		ts.counts.add(ce)
		ts.encBytes += int64(ce.Bytes)
		ts.source.Sum ^= ce.Checksum
		ts.source.KVs += ce.Kvs
		ts.source.Bytes += ce.Bytes
	}
	rerr := chunkRowsError(ce)
	if rerr != nil {
		ts.status, ts.lastError = checkpoint.Failed, rerr.Error()
	}
	counts, tableID := ts.counts, ts.tableID
	c.mu.Unlock()
	if rerr == nil {
		return nil
	}
	if err := c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			r = &checkpoint.Table{DB: ce.Db, Name: ce.Table, TableID: tableID}
			s.Tables[key] = r
		}
		r.Status, r.Error = checkpoint.Failed, rerr.Error()
		r.Rows, r.RowsParsed, r.RowsRejected = counts.encoded, counts.parsed, counts.rejected
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Steps[StepRowCount] = checkpoint.Step{Status: checkpoint.Failed, Reason: rerr.Error(), At: time.Now().UTC()}
		return nil
	}); err != nil {
		return err
	}
	return rerr
}

// StepRowCount is the per-table step that compares the rows parsed with
// the rows encoded and rejected.
const StepRowCount = "row-count"
