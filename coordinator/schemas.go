package coordinator

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// createSchemas creates every table in the catalog, pre-checks that its
// key ranges are empty, and publishes its model for the encoders (once:
// the checkpoint keeps each table's ID, model and steps).
func (c *Coordinator) createSchemas(ctx context.Context, w *topiclog.Writer) error {
	cp := c.cfg.Checkpoint
	started := cp.Snapshot().Started
	topic := schemas.Topic(c.cfg.ImportID, schemas.SchemasSuffix)
	c.mu.Lock()
	keys := make([]string, 0, len(c.tables))
	for k := range c.tables {
		keys = append(keys, k)
	}
	c.mu.Unlock()
	// Tables are created in manifest order: the same dump into an empty
	// store gets the same IDs.
	sort.Slice(keys, func(i, j int) bool {
		return c.tables[keys[i]].manifest.TableOrdinal < c.tables[keys[j]].manifest.TableOrdinal
	})
	// Every table is created and pre-checked (its key ranges empty) before
	// any schema is published: a table that fails the check stops the
	// import before a pair of any table is encoded.
	type created struct {
		t     *tablemodel.Table
		model []byte
	}
	made := map[string]created{}
	for _, key := range keys {
		ts := c.tables[key]
		snap := cp.Snapshot()
		rec := snap.Tables[key]
		if rec != nil && rec.Steps[StepSchema].Status == checkpoint.Done {
			continue
		}
		id := snap.NextTableID
		if rec != nil && rec.TableID != 0 {
			id = rec.TableID
		}
		t, warns, err := c.cfg.Catalog.CreateTable(ctx, ts.manifest, id)
		if err != nil {
			return err
		}
		for _, wmsg := range warns {
			c.cfg.Logger.Warn(wmsg, "table", ts.manifest.Db+"."+ts.manifest.Table)
		}
		model, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := c.precheckEmpty(ctx, key, t, model); err != nil {
			return err
		}
		// An incremental table's row IDs start above its rows' (recorded
		// by the pre-check, in this run or an earlier one).
		if rec := cp.Snapshot().Tables[key]; rec != nil && rec.Incremental {
			t.RowIDBase = rec.RowIDBase
			if model, err = json.Marshal(t); err != nil {
				return err
			}
		}
		made[key] = created{t, model}
	}
	for _, key := range keys {
		ts := c.tables[key]
		rec := cp.Snapshot().Tables[key]
		if rec != nil && rec.Steps[StepSchema].Status == checkpoint.Done {
			c.mu.Lock()
			ts.tableID, ts.status = rec.TableID, rec.Status
			ts.ids = TableIDs(rec.TableID, rec.Model)
			ts.source, ts.stored = rec.Source, rec.Store
			c.mu.Unlock()
			continue
		}
		t, model := made[key].t, made[key].model
		msg := &lsv1.TableSchema{
			Version: 1, Db: ts.manifest.Db, Table: ts.manifest.Table, TableId: t.ID, ModelJson: model,
			SqlMode: c.cfg.SQLMode, TimeZone: c.cfg.TimeZone, TimestampUnixNano: started.UnixNano(),
			KvPartitions: ts.manifest.KvPartitions, Logical: c.cfg.Logical, PartitionPlan: ts.manifest.PartitionPlan,
		}
		if err := w.Append(ctx, topic, key, msg); err != nil {
			return fmt.Errorf("publish schema of %s.%s: %w", ts.manifest.Db, ts.manifest.Table, err)
		}
		if err := cp.Update(func(s *checkpoint.State) error {
			r := s.Tables[key]
			if r == nil {
				r = &checkpoint.Table{DB: ts.manifest.Db, Name: ts.manifest.Table}
				s.Tables[key] = r
			}
			r.TableID = t.ID
			r.Model = model
			if r.Steps == nil {
				r.Steps = map[string]checkpoint.Step{}
			}
			r.Steps[StepSchema] = checkpoint.Step{Status: checkpoint.Done, At: time.Now().UTC()}
			if last := t.MaxID(); last >= s.NextTableID {
				s.NextTableID = last + 1 // past its partitions
			}
			return nil
		}); err != nil {
			return err
		}
		c.mu.Lock()
		ts.tableID, ts.ids = t.ID, t.PhysicalIDs()
		c.mu.Unlock()
	}
	return c.cfg.Checkpoint.SetStep(StepSchemas, checkpoint.Done, "")
}
