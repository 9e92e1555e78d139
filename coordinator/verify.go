package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrChecksumMismatch: a table's pairs in the store differ from what the
// encoders produced (a duplicate key in the source, or lost data).
var ErrChecksumMismatch = errors.New("checksum mismatch")

// maybeFinish verifies a table once all its chunks are encoded and all its
// partitions ingested: checksum (the cluster's, or the store's), then with
// a Cluster rebase and analyze, then the checkpoint record. It returns the
// table's failure (wrapping ErrChecksumMismatch or ErrNoRows), if any.
func (c *Coordinator) maybeFinish(ctx context.Context, key string) error {
	t, ok := c.readyTable(key)
	if !ok {
		return nil
	}
	stored, err := c.storedChecksum(ctx, t)
	notChecked := ""
	if errors.Is(err, store.ErrNotSupported) {
		// The cluster says why this table cannot be checked (a logical
		// import where rows replaced others).
		notChecked, stored, err = err.Error(), t.source, nil
	}
	if err != nil {
		return fmt.Errorf("checksum %s.%s: %w", t.mf.Db, t.mf.Table, err)
	}
	// failure wraps the sentinel (ErrChecksumMismatch, ErrNoRows) that
	// callers match with errors.Is; the checkpoint keeps its text.
	var failure error
	if want, inc := c.expected(key, t.source); stored != want {
		failure = fmt.Errorf("%w: %s.%s: %s checksum %d kvs %d bytes %d, %s checksum %d kvs %d bytes %d%s",
			ErrChecksumMismatch, t.mf.Db, t.mf.Table, expectedText(inc), want.Sum, want.KVs, want.Bytes, c.checksumSource(), stored.Sum, stored.KVs, stored.Bytes,
			mismatchHint(want, stored))
	}
	if failure == nil {
		failure = noRows(t.mf, t.rows, t.rejected)
	}
	v := verdict{stored: stored, status: checkpoint.Done, notChecked: notChecked}
	if failure != nil {
		v.status, v.errText = checkpoint.Failed, failure.Error()
	}
	if v.status == checkpoint.Done && c.cfg.Cluster != nil {
		if v.rebase, v.analyze, err = c.postImport(ctx, key, t.mf); err != nil {
			return err
		}
	}
	if err := c.record(key, t, v); err != nil {
		return err
	}
	if failure == nil {
		c.cfg.Logger.Info("table verified", "table", t.mf.Db+"."+t.mf.Table, "rows", t.rows, "kvs", stored.KVs)
		if c.cfg.Verified != nil {
			c.cfg.Verified(ctx, t.mf)
		}
	}
	return failure
}

// readyTable is a copy of what verifying key's table needs, once all its
// chunks are encoded and all its partitions ingested (ok false before, or
// once it is done).
type readyTable struct {
	mf             *lsv1.TableManifest
	tableID        int64
	ids            []int64
	source         checkpoint.Checksum
	rows, rejected uint64
	counts         rowCounts
	parts          map[uint32]*lsv1.PartitionIngested
}

func (c *Coordinator) readyTable(key string) (readyTable, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := c.tables[key]
	ready := ts != nil && ts.status != checkpoint.Done &&
		len(ts.chunks) >= len(ts.manifest.ChunkIds) &&
		(len(ts.manifest.ChunkIds) == 0 || len(ts.parts) >= int(ts.manifest.KvPartitions))
	if !ready {
		return readyTable{}, false
	}
	t := readyTable{
		mf: ts.manifest, tableID: ts.tableID, ids: ts.ids, source: ts.source, rows: ts.rows, counts: ts.counts,
		rejected: rejectedRows(ts.chunks), parts: make(map[uint32]*lsv1.PartitionIngested, len(ts.parts)),
	}
	for p, r := range ts.parts {
		t.parts[p] = r
	}
	// What conflict resolution left out was encoded but is not stored.
	t.source = lessResolved(t.source, t.parts)
	return t, true
}

// storedChecksum is the table's checksum as imported: the cluster's ADMIN
// CHECKSUM TABLE with a Cluster, else read from the store, where the
// sorters read most of the table right after each ingest: only the gaps
// between their spans are left to read.
func (c *Coordinator) storedChecksum(ctx context.Context, t readyTable) (checkpoint.Checksum, error) {
	if c.cfg.Cluster != nil {
		return c.cfg.Cluster.Checksum(ctx, t.mf.Db, t.mf.Table)
	}
	got, err := TableStoreChecksum(ctx, c.cfg.Store, TableRanges(t.tableID, t.ids), t.parts)
	if err != nil {
		return checkpoint.Checksum{}, err
	}
	return checkpoint.Checksum{Sum: got.Sum, KVs: got.KVs, Bytes: got.Bytes}, nil
}

// postImport rebases the verified table's allocators and analyzes it
// through the Cluster. Rebase comes before the table counts as done: a
// resumed import redoes both (each is idempotent). A failed ANALYZE only
// costs plan quality: a warning, as Lightning's default (analyze =
// optional).
func (c *Coordinator) postImport(ctx context.Context, key string, mf *lsv1.TableManifest) (rebase, analyze checkpoint.Step, err error) {
	if err := c.rebase(ctx, c.cfg.Cluster, key); err != nil {
		return rebase, analyze, fmt.Errorf("%s: %w", StepRebase, err)
	}
	rebase = checkpoint.Step{Status: checkpoint.Done, At: time.Now().UTC()}
	analyze = checkpoint.Step{Status: checkpoint.Done}
	if err := c.cfg.Cluster.Analyze(ctx, mf.Db, mf.Table); errors.Is(err, store.ErrNotSupported) {
		analyze = checkpoint.Step{Status: checkpoint.Skipped, Reason: err.Error()}
	} else if err != nil {
		if ctx.Err() != nil {
			return rebase, analyze, ctx.Err()
		}
		c.cfg.Logger.Warn("analyze table", "table", mf.Db+"."+mf.Table, "err", err)
		analyze = checkpoint.Step{Status: checkpoint.Failed, Reason: err.Error()}
	}
	analyze.At = time.Now().UTC()
	return rebase, analyze, nil
}

// verdict is what verifying a table found.
type verdict struct {
	stored          checkpoint.Checksum
	status          checkpoint.Status
	errText         string
	notChecked      string          // why the checksum was not compared
	rebase, analyze checkpoint.Step // with a Cluster, once verified
}

// record keeps the verdict in the table's state and its checkpoint record.
func (c *Coordinator) record(key string, t readyTable, v verdict) error {
	c.mu.Lock()
	ts := c.tables[key]
	ts.stored, ts.status, ts.lastError = v.stored, v.status, v.errText
	sorted, ingested := ts.sorted, ts.ingested
	c.mu.Unlock()
	return c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			r = &checkpoint.Table{DB: t.mf.Db, Name: t.mf.Table, TableID: t.tableID}
			s.Tables[key] = r
		}
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Rows, r.Source, r.Store, r.Status, r.Error = t.rows, t.source, v.stored, v.status, v.errText
		r.RowsParsed, r.RowsRejected = t.counts.parsed, t.counts.rejected
		r.Sorted, r.Ingested = sorted, ingested
		r.Conflicts = conflictsOf(t.parts)
		now := time.Now().UTC()
		r.Steps[StepChecksum] = checkpoint.Step{Status: v.status, Reason: v.errText, At: now}
		if v.notChecked != "" && v.status == checkpoint.Done {
			r.Steps[StepChecksum] = checkpoint.Step{Status: checkpoint.Skipped, Reason: v.notChecked, At: now}
		}
		switch {
		case v.status == checkpoint.Done && c.cfg.Cluster != nil:
			r.Steps[StepRebase], r.Steps[StepAnalyze] = v.rebase, v.analyze
		case v.status == checkpoint.Done:
			// The embedded store keeps no statistics: ANALYZE TABLE needs a
			// TiDB server (a Cluster).
			r.Steps[StepAnalyze] = checkpoint.Step{Status: checkpoint.Skipped, Reason: "the " + c.cfg.Catalog.Name() + " catalog has no statistics to analyze", At: now}
		}
		return nil
	})
}

// checksumSource names where the compared checksum came from.
func (c *Coordinator) checksumSource() string {
	if c.cfg.Cluster != nil && c.cfg.Logical != nil {
		return c.cfg.Catalog.Name() + " (query checksum)"
	}
	if c.cfg.Cluster != nil {
		return c.cfg.Catalog.Name() + " (ADMIN CHECKSUM)"
	}
	return "store"
}

// rebase loads the table's model from the checkpoint (it holds what the
// catalog returned) and rebases its allocators.
func (c *Coordinator) rebase(ctx context.Context, post PostImporter, key string) error {
	rec := c.cfg.Checkpoint.Snapshot().Tables[key]
	if rec == nil || len(rec.Model) == 0 {
		return fmt.Errorf("%s: no table model in the checkpoint", key)
	}
	var t tablemodel.Table
	if err := json.Unmarshal(rec.Model, &t); err != nil {
		return fmt.Errorf("%s: table model: %w", key, err)
	}
	return post.Rebase(ctx, &t)
}

// mismatchHint says what a checksum mismatch most likely means, from the
// pair counts.
func mismatchHint(source, stored checkpoint.Checksum) string {
	switch {
	case stored.KVs < source.KVs:
		return fmt.Sprintf(" (%d pairs fewer than were encoded: most likely rows whose primary key or a unique key value occurs more than once in the dump, which collapse into one pair; merged shards often overlap so. set conflict.strategy (--on-duplicate error, replace or ignore) to find such rows and name or resolve them)", source.KVs-stored.KVs)
	case stored.KVs > source.KVs:
		return fmt.Sprintf(" (%d pairs more than were encoded: the table's key range held data before the import)", stored.KVs-source.KVs)
	}
	return " (as many pairs as were encoded, with other contents: data changed in the store or on the way)"
}
