package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/sorter"
)

// ReplayResult says what a replay rebuilt and whether the store still
// holds exactly what the encoders produced.
type ReplayResult struct {
	DB, Table  string
	Partitions int
	Source     checkpoint.Checksum
	Engines    checkpoint.Checksum
	Store      checkpoint.Checksum
	Match      bool
}

// Replay rebuilds one table's engines from its retained KV topic and
// ingests them again, without re-encoding, then compares the store's
// checksum with the encoders' (from the checkpoint). The table is named as
// in the dump; case does not matter.
func Replay(ctx context.Context, cfg Config, db, table string) (*ReplayResult, error) {
	if cfg.WorkDir == "" {
		cfg.WorkDir = "lightstream-work"
	}
	cp, err := checkpoint.Open(checkpointPath(cfg.WorkDir))
	if err != nil {
		return nil, err
	}
	snap := cp.Snapshot()
	var rec *checkpoint.Table
	for _, t := range snap.Tables {
		if strings.EqualFold(t.DB, db) && strings.EqualFold(t.Name, table) {
			rec = t
		}
	}
	if rec == nil {
		return nil, fmt.Errorf("replay: table %s.%s is not part of the import in %s", db, table, cfg.WorkDir)
	}
	if rec.Status != checkpoint.Done {
		return nil, errors.New("replay: the table's import has not completed; rerun the import instead")
	}
	kcfg, st, closeAll, err := openRuntime(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	cfg.Ingest = IngestOptions(cfg.Store, cfg.Ingest)
	id := snap.ImportID
	if id == "" {
		id = importid.Legacy
	}
	if cfg.ImportID != "" && cfg.ImportID != id {
		return nil, fmt.Errorf("replay: %w: --import-id %s, but %s holds import %s", importid.ErrMismatch, cfg.ImportID, cfg.WorkDir, id)
	}
	parts, err := sorter.Replay(ctx, sorter.Config{
		ImportID: id, Kafka: kcfg, EngineDir: EngineDir(cfg.WorkDir), Store: st, Ingest: cfg.Ingest,
		Group: id + schemas.ReplayGroupSuffix, KeepEngines: cfg.KeepEngines, Conflict: cfg.Conflict,
	}, rec.DB, rec.Name)
	if err != nil {
		return nil, err
	}
	res := &ReplayResult{DB: rec.DB, Table: rec.Name, Partitions: len(parts), Source: rec.Source}
	for _, p := range parts {
		res.Engines.Sum ^= p.Checksum
		res.Engines.KVs += p.Kvs
		res.Engines.Bytes += p.Bytes
	}
	got, err := st.Checksum(ctx, coordinator.TableRanges(rec.TableID, coordinator.TableIDs(rec.TableID, rec.Model)))
	if err != nil {
		return nil, err
	}
	res.Store = checkpoint.Checksum{Sum: got.Sum, KVs: got.KVs, Bytes: got.Bytes}
	// An incremental table also holds the rows it had before the import.
	res.Match = res.Store == checkpoint.Expected(rec) && res.Engines == res.Source
	return res, nil
}
