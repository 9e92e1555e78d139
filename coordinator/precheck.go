package coordinator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// StepPrecheck is the per-table step that found the table's key ranges
// empty before anything was written into them.
const StepPrecheck = "precheck"

// ErrTableNotEmpty: a table's key range holds data before the import
// wrote anything into it (TiDB Lightning's precheck "target tables are
// empty").
var ErrTableNotEmpty = errors.New("target table is not empty")

// TableNotEmptyError names the table and the first key found in its
// ranges.
type TableNotEmptyError struct {
	DB, Table string
	TableID   int64
	// Key is the first key found; Decoded says what it is (table, record
	// or index ID); Owner what the store's catalog gives that ID to, if
	// known.
	Key     []byte
	Decoded storecatalog.DataKey
	Owner   string
}

func (e *TableNotEmptyError) Error() string {
	owner := ""
	if e.Owner != "" {
		owner = ", which the catalog gives to " + e.Owner
	}
	return fmt.Sprintf("%v: %s.%s (table ID %d): the store holds key %x (%s%s) in the table's key range; nothing was written into the table. "+
		"lightstream imports only into empty tables, as TiDB Lightning's precheck does: import the dump into another database "+
		"(--route '%s.*=otherdb.*') or into an empty store; to resume an import that was interrupted, run it again with its own --work-dir",
		ErrTableNotEmpty, e.DB, e.Table, e.TableID, e.Key, e.Decoded, owner, e.DB)
}

func (e *TableNotEmptyError) Unwrap() error { return ErrTableNotEmpty }

// precheckEmpty checks, once per table of the import, that every key
// range t will write (records and indexes of the table and its
// partitions: TableRanges) is empty in the store, before the table's
// schema is published: no pair of the table can be encoded, let alone
// ingested, before that. A table whose schema was published by an
// earlier run of this import is resuming, and its ranges hold its own
// pairs: it is not checked again. The step is recorded with the table's
// ID and model, so a run killed between here and the publication resumes
// past the check.
func (c *Coordinator) precheckEmpty(ctx context.Context, key string, t *tablemodel.Table, model []byte) error {
	rec := c.cfg.Checkpoint.Snapshot().Tables[key]
	if rec != nil && (rec.Steps[StepPrecheck].Status == checkpoint.Done || rec.Steps[StepSchema].Status == checkpoint.Done) {
		return nil
	}
	if err := c.claim(ctx, key, storecatalog.TableName{DB: t.DB, Name: t.Name}); err != nil {
		return fmt.Errorf("pre-check %s.%s: %w", t.DB, t.Name, err)
	}
	for _, r := range TableRanges(t.ID, t.PhysicalIDs()) {
		var found []byte
		err := c.cfg.Store.Scan(ctx, r.Start, r.End, func(k, _ []byte) error {
			found = append([]byte(nil), k...)
			return errStopScan
		})
		if err != nil && !errors.Is(err, errStopScan) {
			return fmt.Errorf("pre-check %s.%s: %w", t.DB, t.Name, err)
		}
		if found == nil {
			continue
		}
		if c.cfg.Incremental {
			return c.recordBefore(ctx, key, t, model, found)
		}
		// Nothing of this import is in the table: its hold goes at once.
		c.dropClaim(ctx, key)
		e := &TableNotEmptyError{DB: t.DB, Table: t.Name, TableID: t.ID, Key: found}
		e.Decoded, _ = storecatalog.DecodeDataKey(found)
		if meta, ok := c.cfg.Catalog.(StoreCatalog); ok {
			if o, err := meta.Meta.Owner(ctx, e.Decoded.TableID); err == nil {
				e.Owner = o.String()
			}
		}
		return e
	}
	return c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			r = &checkpoint.Table{DB: t.DB, Name: t.Name}
			s.Tables[key] = r
		}
		r.TableID, r.Model = t.ID, model
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Steps[StepPrecheck] = checkpoint.Step{Status: checkpoint.Done, At: time.Now().UTC()}
		return nil
	})
}

var errStopScan = errors.New("stop scan")
