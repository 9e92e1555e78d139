package coordinator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
)

// ClaimTTL is how long the store's catalog holds a table for an import
// without a renewal (storecatalog.Claim); the coordinator renews its
// holds every ClaimTTL/4 while it runs.
var ClaimTTL = 2 * time.Minute

// claimHolder is the tables whose hold the coordinator keeps.
type claimHolder struct {
	mu     sync.Mutex
	tables map[string]storecatalog.TableName // by checkpoint.Key
}

func (h *claimHolder) add(key string, t storecatalog.TableName) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tables == nil {
		h.tables = map[string]storecatalog.TableName{}
	}
	h.tables[key] = t
}

func (h *claimHolder) list() []storecatalog.TableName {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]storecatalog.TableName, 0, len(h.tables))
	for _, t := range h.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DB+"\x00"+out[i].Name < out[j].DB+"\x00"+out[j].Name })
	return out
}

// importToken identifies this import in the catalog's holds: its topics'
// import ID and first start, as the checkpoint keeps them, so a resumed
// run is the same import. Not the dump: a coordinator started role by role
// records it only once it has read the manifests, after its first holds,
// and a restarted one would then no longer recognise its own holds.
func (c *Coordinator) importToken() string { return ImportToken(c.cfg.Checkpoint.Snapshot()) }

// ImportToken is how the store's catalog names the import s records in
// its holds on tables.
func ImportToken(s checkpoint.State) string {
	return fmt.Sprintf("%s %s", s.ImportID, s.Started.Format(time.RFC3339Nano))
}

// claim takes the hold on a table before its pre-check (store catalog
// only): of two imports of one table at the same time, the second stops
// here, before it writes.
func (c *Coordinator) claim(ctx context.Context, key string, t storecatalog.TableName) error {
	sc, ok := c.cfg.Catalog.(StoreCatalog)
	if !ok {
		return nil
	}
	if err := sc.Meta.ClaimTables(ctx, []storecatalog.TableName{t}, c.importToken(), ClaimTTL); err != nil {
		return err
	}
	c.claims.add(key, t)
	return nil
}

// startStoreCatalog prepares the store's catalog for this run (store
// catalog only): the tables of a work directory written before the
// catalog are adopted, the tables this import already published are held
// again, and every hold is renewed until stop is called.
func (c *Coordinator) startStoreCatalog(ctx context.Context) (stop func(), err error) {
	sc, ok := c.cfg.Catalog.(StoreCatalog)
	if !ok {
		return func() {}, nil
	}
	if err := c.adoptCheckpointTables(ctx); err != nil {
		return nil, err
	}
	snap := c.cfg.Checkpoint.Snapshot()
	for _, key := range snap.TableKeys() {
		rec := snap.Tables[key]
		if rec.Status == checkpoint.Done || !(rec.Steps[StepSchema].Status == checkpoint.Done || rec.Steps[StepPrecheck].Status == checkpoint.Done) {
			continue
		}
		if err := c.claim(ctx, key, storecatalog.TableName{DB: rec.DB, Name: rec.Name}); err != nil {
			return nil, err
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(ClaimTTL / 4)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
			}
			err := sc.Meta.ClaimTables(rctx, c.claims.list(), c.importToken(), ClaimTTL)
			if err != nil && rctx.Err() == nil {
				c.cfg.Logger.Warn("renew the hold on this import's tables in the store's catalog", "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

// releaseClaims drops this import's holds once it is complete (a failed
// release only delays other imports until the holds lapse).
func (c *Coordinator) releaseClaims(ctx context.Context) {
	sc, ok := c.cfg.Catalog.(StoreCatalog)
	if !ok {
		return
	}
	if err := sc.Meta.ReleaseTables(ctx, c.claims.list(), c.importToken()); err != nil && !errors.Is(err, context.Canceled) {
		c.cfg.Logger.Warn("release the hold on this import's tables in the store's catalog", "err", err)
	}
}

// dropClaim releases the hold on one table this run took and wrote
// nothing into.
func (c *Coordinator) dropClaim(ctx context.Context, key string) {
	sc, ok := c.cfg.Catalog.(StoreCatalog)
	if !ok {
		return
	}
	c.claims.mu.Lock()
	t, held := c.claims.tables[key]
	delete(c.claims.tables, key)
	c.claims.mu.Unlock()
	if held {
		_ = sc.Meta.ReleaseTables(ctx, []storecatalog.TableName{t}, c.importToken())
	}
}
