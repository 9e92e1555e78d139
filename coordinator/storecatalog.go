package coordinator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrCatalogConflict: a work directory's tables cannot be recorded in the
// store's catalog (their IDs belong to other tables there).
var ErrCatalogConflict = errors.New("work directory does not fit the store's catalog")

// StoreCatalog is the catalog lightstream keeps in the store itself
// (internal/state/storecatalog) when no TiDB is the catalog: models are built
// from the dump's DDL as EmbeddedCatalog builds them, with IDs from the
// store's global allocator, so every import into one store gets IDs of
// its own. A table the catalog already holds keeps its record (ID and
// definition), as TiDB's CREATE TABLE IF NOT EXISTS keeps an existing
// table; the empty-table pre-check then decides whether it can be
// imported into.
type StoreCatalog struct {
	// Meta is the catalog in the target store.
	Meta *storecatalog.Catalog
	// Options are TiDB's DDL settings to emulate (clustered-index default).
	Options tablemodel.Options
}

// Name implements Catalog.
func (StoreCatalog) Name() string { return "store" }

// CreateTable implements Catalog; tableID is not used (the store's
// allocator hands out IDs).
func (c StoreCatalog) CreateTable(ctx context.Context, m *lsv1.TableManifest, _ int64) (*tablemodel.Table, []string, error) {
	emb := EmbeddedCatalog{Options: c.Options}
	dbd, err := tablemodel.DatabaseDefaults(m.Db, m.DbSchemaSql)
	if err != nil {
		return nil, nil, err
	}
	var warns []string
	build := func(id int64) (*tablemodel.Table, error) {
		t, w, err := emb.CreateTable(ctx, m, id)
		warns = w
		return t, err
	}
	res, err := c.Meta.CreateTable(ctx, storecatalog.DatabaseSpec{Name: m.Db, Charset: dbd.Charset, Collate: dbd.Collate}, m.Table, build)
	if err != nil {
		return nil, nil, err
	}
	if len(res.Skipped) > 0 {
		warns = append(warns, fmt.Sprintf("IDs %d-%d skipped: the store holds data under them that its catalog does not record (written by an import older than the catalog)",
			res.Skipped[0], res.Skipped[len(res.Skipped)-1]))
	}
	t, err := res.Table.Decode()
	if err != nil {
		return nil, nil, err
	}
	if res.Existed {
		// The dump's DDL, built with the existing IDs, should be the
		// catalog's definition; when it is not, the catalog's wins.
		fresh, w, err := emb.CreateTable(ctx, m, t.ID)
		if err != nil {
			return nil, nil, err
		}
		warns = w
		if b, err := json.Marshal(fresh); err == nil && !bytes.Equal(b, res.Table.Model) {
			warns = append(warns, fmt.Sprintf("the store's catalog defines %s.%s (ID %d) otherwise than the dump's schema file; the catalog's definition is used, as TiDB Lightning uses an existing table's",
				res.Table.DB, res.Table.Name, t.ID))
		}
	}
	// The dump's spelling of the names is the topic key the other stages
	// use.
	t.DB, t.Name = m.Db, m.Table
	return t, warns, nil
}

// defaultCatalog is the catalog of a store when none is configured: the
// store's own when it runs transactions (every store lightstream opens
// does), else table IDs from the checkpoint.
func defaultCatalog(st store.Store) Catalog {
	if meta, err := storecatalog.Open(st); err == nil {
		return StoreCatalog{Meta: meta}
	}
	return EmbeddedCatalog{}
}

// adoptCheckpointTables records in the store's catalog the tables a work
// directory's checkpoint created before the catalog existed (their rows
// are in the store under the checkpoint's IDs), so that a resumed import
// keeps them and later imports allocate past them.
func (c *Coordinator) adoptCheckpointTables(ctx context.Context) error {
	sc, ok := c.cfg.Catalog.(StoreCatalog)
	if !ok {
		return nil
	}
	snap := c.cfg.Checkpoint.Snapshot()
	for _, key := range snap.TableKeys() {
		rec := snap.Tables[key]
		done := func(step string) bool { return rec.Steps[step].Status == checkpoint.Done }
		if len(rec.Model) == 0 || !(done(StepSchema) || done(StepPrecheck)) {
			continue
		}
		var t tablemodel.Table
		if err := json.Unmarshal(rec.Model, &t); err != nil {
			return fmt.Errorf("checkpoint %s: table %s.%s: model: %w", c.cfg.Checkpoint.Path(), rec.DB, rec.Name, err)
		}
		t.DB, t.Name = rec.DB, rec.Name
		adopted, err := sc.Meta.Adopt(ctx, storecatalog.DatabaseSpec{Name: rec.DB}, &t)
		if errors.Is(err, storecatalog.ErrConflict) {
			return fmt.Errorf("%w: %w; this import cannot resume into this store: start it again with a new --work-dir (the pre-check then refuses tables that already hold rows)",
				ErrCatalogConflict, err)
		}
		if err != nil {
			return err
		}
		if adopted {
			c.cfg.Logger.Warn("table ID from the work directory's checkpoint recorded in the store's catalog", "table", rec.DB+"."+rec.Name, "table_id", t.ID)
		}
	}
	return nil
}
