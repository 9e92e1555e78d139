package coordinator

import (
	"context"
	"fmt"
	"sort"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// StepViews is the lifecycle step that creates the dump's views.
const StepViews = "create-views"

// ViewCreator is a catalog that can create views: TiDB. TiDB Lightning
// creates them after every table (a view may read any table) and one at a
// time; CreateView runs the statements of a view's schema file as
// Lightning rewrites them (tablemodel.View.Statements).
type ViewCreator interface {
	CreateView(ctx context.Context, v *tablemodel.View) error
}

// embeddedViewsReason says why views are only recorded on the embedded
// catalog.
const embeddedViewsReason = "the embedded catalog has no SQL layer to run a view's query: its definition is kept in the checkpoint"

// viewDefinitions are the import's views, from the manifests (the first
// table's carries them).
func (c *Coordinator) viewDefinitions() []*lsv1.ViewDefinition {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*lsv1.ViewDefinition
	for _, t := range c.tables {
		out = append(out, t.manifest.Views...)
	}
	sort.Slice(out, func(i, j int) bool {
		return checkpoint.Key(out[i].Db, out[i].Name) < checkpoint.Key(out[j].Db, out[j].Name)
	})
	return out
}

// createViews creates the views once every table is imported, each after
// the views it reads, through a catalog that can (ViewCreator); the
// embedded catalog records each view's definition in the checkpoint.
func (c *Coordinator) createViews(ctx context.Context) error {
	defs := c.viewDefinitions()
	cp := c.cfg.Checkpoint
	if len(defs) == 0 || cp.StepDone(StepViews) {
		return nil
	}
	files := map[string]string{}
	var views []*tablemodel.View
	for _, d := range defs {
		v, err := tablemodel.ParseView(d.Db, d.Name, d.SchemaSql)
		if err != nil {
			return fmt.Errorf("view schema file %s of %s.%s: %w", d.File, d.Db, d.Name, err)
		}
		views = append(views, v)
		files[v.Key()] = d.File
	}
	ordered, err := tablemodel.OrderViews(views)
	if err != nil {
		return err
	}
	vc, canCreate := c.cfg.Catalog.(ViewCreator)
	for _, v := range ordered {
		rec := &checkpoint.View{DB: v.DB, Name: v.Name, File: files[v.Key()], Definition: v.Definition}
		var cerr error
		switch {
		case !canCreate:
			rec.Status, rec.Reason = checkpoint.Skipped, embeddedViewsReason
		default:
			if cerr = vc.CreateView(ctx, v); cerr != nil {
				cerr = fmt.Errorf("create view %s.%s (%s): %w", v.DB, v.Name, rec.File, cerr)
				rec.Status, rec.Reason = checkpoint.Failed, cerr.Error()
			} else {
				rec.Status = checkpoint.Done
			}
		}
		if err := cp.Update(func(s *checkpoint.State) error {
			if s.Views == nil {
				s.Views = map[string]*checkpoint.View{}
			}
			s.Views[checkpoint.Key(v.DB, v.Name)] = rec
			return nil
		}); err != nil {
			return err
		}
		if cerr != nil {
			return cerr
		}
	}
	if !canCreate {
		return cp.SetStep(StepViews, checkpoint.Skipped, embeddedViewsReason)
	}
	return cp.SetStep(StepViews, checkpoint.Done, "")
}
