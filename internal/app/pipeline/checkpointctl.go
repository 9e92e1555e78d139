package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// The checkpoint commands, as tidb-lightning-ctl's --checkpoint-remove,
// --checkpoint-error-destroy and --checkpoint-error-ignore.
const (
	CheckpointRemove       = "remove"
	CheckpointErrorDestroy = "error-destroy"
	CheckpointIgnoreError  = "ignore-error"
)

// ControlResult says what a checkpoint command changed, by table
// (db.table).
type ControlResult struct {
	// Tables the command changed, in key order.
	Tables []string
	// Destroyed is the pairs error-destroy deleted from the store, by
	// table.
	Destroyed map[string]uint64
	// EnginesRemoved are the engine directories removed.
	EnginesRemoved []string
	// ImportError is set when ignore-error cleared the import's own error.
	ImportError bool
	// Archived is where remove --table all moved the import's checkpoint.
	Archived string
}

// OpenCheckpoint opens the checkpoint of work directory w for a checkpoint
// command: a work directory without one is an error, not an empty import.
func OpenCheckpoint(w string) (*checkpoint.File, error) {
	p := checkpointPath(w)
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("no import in %s: %w", w, err)
	}
	return checkpoint.Open(p)
}

// ControlCheckpoint runs a checkpoint command on the tables spec names
// (db.table or all) of the import in cfg.WorkDir. It holds the
// checkpoint's lock throughout, so it refuses (checkpoint.ErrRunning)
// while the import runs, and an import started meanwhile waits for
// nothing: it stops at the lock.
//
//   - remove --table all: the whole checkpoint goes (removeImport): the next
//     run is a new import that reads the dump from the start.
//   - remove --table db.t: the table's checkpoint record is reset (checkpoint.State.ResetTable)
//     and their sorted engines removed, so the next run imports them again
//     from their retained KV topic (chunks not yet encoded, or whose
//     encoding failed, from the dump), and verifies them again; what the
//     store holds of them stays, and is overwritten with the same pairs.
//   - error-destroy: for the tables that hold an error, their key ranges
//     are deleted from the store (the embedded store under the work
//     directory, or the cluster of cfg.Store) first, then they are reset
//     as by remove.
//   - ignore-error: the tables' recorded errors (and the import's, when it
//     is theirs or spec is all) are cleared: the next run carries on where
//     the import stopped, taking the tables as they are.
func ControlCheckpoint(ctx context.Context, cfg Config, command, spec string) (*ControlResult, error) {
	if cfg.WorkDir == "" {
		cfg.WorkDir = "lightstream-work"
	}
	cp, err := OpenCheckpoint(cfg.WorkDir)
	if err != nil {
		return nil, err
	}
	unlock, err := checkpoint.Lock(cp.Path())
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s refused: %w; run it once the import has stopped", command, err)
	}
	defer unlock()
	snap := cp.Snapshot()
	keys, err := snap.SelectTables(spec)
	if err != nil {
		return nil, err
	}
	res := &ControlResult{Destroyed: map[string]uint64{}}
	switch command {
	case CheckpointIgnoreError:
		err = cp.Update(func(s *checkpoint.State) error {
			hadError := s.Error != ""
			defer func() { res.ImportError = hadError && s.Error == "" }()
			for _, k := range keys {
				had, err := s.IgnoreError(k)
				if err != nil {
					return err
				}
				if had {
					res.Tables = append(res.Tables, s.Tables[k].DB+"."+s.Tables[k].Name)
				}
			}
			if spec == checkpoint.AllTables {
				s.IgnoreImportError()
			}
			if s.Error == "" && s.Status == checkpoint.Failed {
				s.Status = checkpoint.Pending
			}
			return nil
		})
		return res, err
	case CheckpointErrorDestroy:
		var failed []string
		for _, k := range keys {
			if t := snap.Tables[k]; t.Status == checkpoint.Failed || t.Error != "" {
				failed = append(failed, k)
			}
		}
		keys = failed
	case CheckpointRemove:
		if spec == checkpoint.AllTables {
			return res, removeImport(ctx, cfg, cp, snap, res)
		}
	default:
		return nil, fmt.Errorf("unknown checkpoint command %q (dump, remove, error-destroy, ignore-error)", command)
	}
	if len(keys) == 0 {
		return res, nil
	}
	return res, resetTables(ctx, cfg, cp, snap, command, keys, res)
}

// resetTables destroys (error-destroy) and resets the tables keys.
func resetTables(ctx context.Context, cfg Config, cp *checkpoint.File, snap checkpoint.State, command string, keys []string, res *ControlResult) error {
	kcfg, st, closeAll, err := openRuntime(ctx, cfg)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", command, err)
	}
	defer closeAll()
	// The events topic's end now: the tables' ingest reports before it
	// describe what this command removes.
	var floor int64
	var manifests map[string]*lsv1.TableManifest
	if snap.Steps[stepPublish].Status == checkpoint.Done {
		id := snap.ImportID
		if id == "" {
			id = importid.Legacy
		}
		if floor, err = topiclog.EndOffset(ctx, kcfg, schemas.Topic(id, schemas.EventsSuffix)); err != nil {
			return fmt.Errorf("checkpoint %s: %w", command, err)
		}
		if manifests, err = importid.Manifests(ctx, kcfg, id); err != nil {
			return fmt.Errorf("checkpoint %s: %w", command, err)
		}
	}
	engineRoot := cfg.EngineDir
	if engineRoot == "" {
		engineRoot = EngineDir(cfg.WorkDir)
	}
	// Every table is checked before any is touched: a refusal leaves the
	// checkpoint, the store and the engines as they were.
	found := make(map[string]*lsv1.TableManifest, len(keys))
	for _, k := range keys {
		rec := snap.Tables[k]
		name := rec.DB + "." + rec.Name
		if rec.Incremental {
			// Its pairs cannot be told from the rows it held before: a
			// destroy would delete those, a new ingest would take the
			// pairs of the first for conflicts.
			return fmt.Errorf("checkpoint %s %s: the table held %d pairs before this import (--incremental), which its own pairs cannot be told from: "+
				"use ignore-error once the cause is fixed, or remove --table all and import again; nothing was changed", command, name, rec.Before.KVs)
		}
		var mf *lsv1.TableManifest
		for _, m := range manifests {
			if checkpoint.Key(m.Db, m.Table) == k {
				mf = m
			}
		}
		if mf != nil && len(mf.ChunkIds) > 0 {
			if err := checkKVTopic(ctx, kcfg, mf); err != nil {
				return fmt.Errorf("checkpoint %s %s: %w; nothing was changed", command, name, err)
			}
		}
		found[k] = mf
	}
	for _, k := range keys {
		rec := snap.Tables[k]
		name := rec.DB + "." + rec.Name
		mf := found[k]
		var destroyed uint64
		if command == CheckpointErrorDestroy && rec.TableID != 0 {
			if destroyed, err = DestroyRanges(ctx, st, coordinator.TableRanges(rec.TableID, coordinator.TableIDs(rec.TableID, rec.Model))); err != nil {
				return fmt.Errorf("checkpoint %s %s: %w", command, name, err)
			}
			res.Destroyed[name] = destroyed
		}
		if mf != nil {
			dir := filepath.Join(engineRoot, mf.KvTopic)
			if _, err := os.Stat(dir); err == nil {
				if err := os.RemoveAll(dir); err != nil {
					return fmt.Errorf("checkpoint %s %s: remove its engines: %w", command, name, err)
				}
				res.EnginesRemoved = append(res.EnginesRemoved, dir)
			}
		}
		if err := cp.Update(func(s *checkpoint.State) error {
			if err := s.ResetTable(k, command, floor, destroyed); err != nil {
				return err
			}
			if s.Error != "" && s.Error == rec.Error {
				s.Error = ""
			}
			return nil
		}); err != nil {
			return err
		}
		res.Tables = append(res.Tables, name)
	}
	return nil
}

// checkKVTopic fails when mf's KV topic no longer holds every pair of the
// table: a reset table is sorted again from it.
func checkKVTopic(ctx context.Context, kcfg kafkaio.Config, mf *lsv1.TableManifest) error {
	first, err := kafkaio.FirstOffsets(ctx, kcfg, mf.KvTopic)
	if errors.Is(err, kafkaio.ErrNoTopic) {
		return fmt.Errorf("its KV topic %s is gone (--kv-retention none empties it once the table is verified and deletes it once the import completes), and a reset table is sorted again from it: import the dump again with a new --work-dir instead", mf.KvTopic)
	}
	if err != nil {
		return err
	}
	for p, off := range first {
		if off > 0 {
			return fmt.Errorf("partition %d of its KV topic %s starts at offset %d (its first records expired, --kv-retention), and a reset table is sorted again from all of them: import the dump again with a new --work-dir instead", p, mf.KvTopic, off)
		}
	}
	return nil
}

// destroyBatch is how many keys one deleting transaction removes.
const destroyBatch = 2048

// DestroyRanges deletes every key in ranges from st, in transactions of
// destroyBatch keys, and returns how many it deleted.
func DestroyRanges(ctx context.Context, st store.Store, ranges []store.KeyRange) (uint64, error) {
	tx, ok := st.(store.Transactional)
	if !ok {
		return 0, fmt.Errorf("destroy: %w: the store runs no transactions", store.ErrNotSupported)
	}
	var total uint64
	for _, r := range ranges {
		start := r.Start
		for {
			var n int
			var next []byte
			err := tx.RunTxn(ctx, func(txn store.Txn) error {
				var keys [][]byte
				n, next = 0, nil
				if err := txn.Scan(start, r.End, destroyBatch, func(k, _ []byte) bool {
					keys = append(keys, append([]byte(nil), k...))
					return true
				}); err != nil {
					return err
				}
				for _, k := range keys {
					if err := txn.Delete(k); err != nil {
						return err
					}
				}
				n = len(keys)
				if n > 0 {
					next = append(append([]byte(nil), keys[n-1]...), 0)
				}
				return nil
			})
			if err != nil {
				return total, fmt.Errorf("delete keys from %x: %w", start, err)
			}
			total += uint64(n)
			if n < destroyBatch {
				break
			}
			start = next
		}
	}
	return total, nil
}

// removeImport is remove --table all, as tidb-lightning-ctl's
// --checkpoint-remove=all drops the whole checkpoint: the import's
// checkpoint is moved aside (kept as checkpoint.<import id>.removed.json),
// its engines removed and its holds on tables in the store's catalog
// released, so that the next run in the work directory is a new import
// (a new id, new topics) that reads the dump from the start. What the
// store holds stays: the new import's pre-check then refuses the tables
// that hold rows, as Lightning's does, unless error-destroy deleted them
// first or the new import is --incremental.
func removeImport(ctx context.Context, cfg Config, cp *checkpoint.File, snap checkpoint.State, res *ControlResult) error {
	engineRoot := cfg.EngineDir
	if engineRoot == "" {
		engineRoot = EngineDir(cfg.WorkDir)
	}
	var held []storecatalog.TableName
	for _, k := range snap.TableKeys() {
		t := snap.Tables[k]
		res.Tables = append(res.Tables, t.DB+"."+t.Name)
		held = append(held, storecatalog.TableName{DB: t.DB, Name: t.Name})
		if snap.ImportID == "" {
			continue
		}
		dir := filepath.Join(engineRoot, schemas.KVTopic(snap.ImportID, t.DB, t.Name))
		if _, err := os.Stat(dir); err == nil {
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("checkpoint remove: engines of %s.%s: %w", t.DB, t.Name, err)
			}
			res.EnginesRemoved = append(res.EnginesRemoved, dir)
		}
	}
	if len(held) > 0 {
		st, err := OpenStore(cfg.WorkDir, cfg.Store)
		if err != nil {
			return fmt.Errorf("checkpoint remove: %w", err)
		}
		defer st.Close()
		meta, err := storecatalog.Open(st)
		if err != nil {
			return fmt.Errorf("checkpoint remove: release the import's holds on its tables (until released, or their lease ends, a new import of them is refused): %w", err)
		}
		for _, t := range held {
			// A table the catalog does not hold was never created.
			err := meta.ReleaseTables(ctx, []storecatalog.TableName{t}, coordinator.ImportToken(snap))
			if err != nil && !errors.Is(err, storecatalog.ErrNotFound) {
				return fmt.Errorf("checkpoint remove: release the import's hold on %s.%s: %w", t.DB, t.Name, err)
			}
		}
	}
	id := snap.ImportID
	if id == "" {
		id = "import"
	}
	base := strings.TrimSuffix(cp.Path(), ".json") + "." + id + ".removed"
	archive := base + ".json"
	for n := 2; ; n++ {
		if _, err := os.Stat(archive); errors.Is(err, os.ErrNotExist) {
			break
		}
		archive = fmt.Sprintf("%s.%d.json", base, n)
	}
	if err := os.Rename(cp.Path(), archive); err != nil {
		return fmt.Errorf("checkpoint remove: %w", err)
	}
	res.Archived = archive
	return nil
}
