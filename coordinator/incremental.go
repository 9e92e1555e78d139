package coordinator

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// RowIDAllocator is a Cluster whose tables have ID allocators (TiDB): an
// incremental import's row IDs are given above what they gave.
type RowIDAllocator interface {
	// LastRowID is the largest row ID db.table's allocators may have given.
	LastRowID(ctx context.Context, db, table string) (int64, error)
}

// recordBefore takes, in an incremental import, the place of the
// empty-table pre-check for a table that holds rows (first is the first
// key found): the table's checksum before anything of this import is
// written is recorded with its ID and model, in the same checkpoint update
// as the pre-check step, so that a run killed after it resumes with the
// checksum of the rows that were there before. The table is verified
// against that checksum plus the imported pairs less the replaced ones
// (checkpoint.Expected); keys of the new rows the store already holds are
// conflicts the sorters resolve (ingest.FindExisting). The import's row
// IDs are given above the largest the table holds (rowIDBase), recorded
// as the checkpoint's RowIDBase and in the model.
func (c *Coordinator) recordBefore(ctx context.Context, key string, t *tablemodel.Table, model []byte, first []byte) error {
	before, err := c.cfg.Store.Checksum(ctx, TableRanges(t.ID, t.PhysicalIDs()))
	if err != nil {
		return fmt.Errorf("incremental import of %s.%s: checksum before the import: %w", t.DB, t.Name, err)
	}
	base, err := rowIDBase(ctx, c.cfg.Store, t)
	if err != nil {
		return fmt.Errorf("incremental import of %s.%s: row IDs: %w", t.DB, t.Name, err)
	}
	if a, ok := c.cfg.Cluster.(RowIDAllocator); ok {
		// Above what TiDB's allocator gave too (rows since deleted).
		last, err := a.LastRowID(ctx, t.DB, t.Name)
		if err != nil {
			return fmt.Errorf("incremental import of %s.%s: row IDs: %w", t.DB, t.Name, err)
		}
		base = max(base, last)
	}
	// The model the encoders get gives row IDs above base; it is kept with
	// the checkpoint, so a resumed run gives every row the same ID.
	t.RowIDBase = base
	if model, err = json.Marshal(t); err != nil {
		return err
	}
	decoded, _ := storecatalog.DecodeDataKey(first)
	c.cfg.Logger.Warn("the table holds rows: imported incrementally (--incremental), their keys count as conflicts with the new rows",
		"table", t.DB+"."+t.Name, "pairs", before.KVs, "first", decoded.String(), "row_id_base", base)
	return c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			r = &checkpoint.Table{DB: t.DB, Name: t.Name}
			s.Tables[key] = r
		}
		r.TableID, r.Model = t.ID, model
		r.Incremental, r.RowIDBase = true, base
		r.Before = checkpoint.Checksum{Sum: before.Sum, KVs: before.KVs, Bytes: before.Bytes}
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Steps[StepPrecheck] = checkpoint.Step{Status: checkpoint.Done, At: time.Now().UTC(),
			Reason: fmt.Sprintf("incremental import: the table held %d pairs before the import", before.KVs)}
		return nil
	})
}
