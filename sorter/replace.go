package sorter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/crc64ecma"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Incremental import with conflict.strategy "replace": a new row whose
// record or unique-index key the table holds takes the place of the
// table's row (REPLACE INTO). The table's row loses its record and every
// index entry: its record is read from the store, decoded with the table's
// row codec, and all the keys it encodes to are deleted, before any
// partition of the table ingests (so a new pair written under one of
// those keys is never deleted). Each table's row is deleted by one
// partition, the lowest that found one of its keys: its pairs are the
// partition's replaced pairs, reported with its conflicts, and the table
// is verified against before ⊕ imported ⊖ dropped ⊖ replaced.
//
// The barrier: with several KV partitions, every partition ingests only
// after it gathered every partition's report of round 2, and a partition
// deletes after round 1 and before it publishes round 2; with one, the
// partition deletes before it ingests. The deletion is kept in the
// engine's metadata (the keys and their checksum first, then that it was
// done), so a resumed run deletes again only what it had not deleted
// before its ingest could begin.

// Engine metadata of the deletion.
const (
	metaReplaceIntent = "replace-intent"
	metaReplaceDone   = "replace-done"
)

// replacedRows are the pairs a partition deleted of the table's rows.
type replacedRows struct {
	Keys [][]byte         `json:"keys"`
	Sum  conflict.Dropped `json:"sum"`
}

// oldRecordKey is the record key of the table's row that holds key (a
// record key, or a unique-index key whose stored value names the row's
// handle); nil when it cannot be told.
func oldRecordKey(key, stored []byte) []byte {
	if tidbcodec.IsRecordKey(key) {
		return key
	}
	tableID, _, _, err := tidbcodec.DecodeIndexKeyPrefix(key)
	if err != nil {
		return nil
	}
	v, err := tidbcodec.ParseIndexValue(stored)
	if err != nil {
		return nil
	}
	if v.HasPartitionID {
		tableID = v.PartitionID
	}
	switch {
	case v.HasIntHandle:
		return tidbcodec.AppendRecordKeyInt(nil, tableID, v.IntHandle)
	case v.CommonHandle != nil:
		return tidbcodec.AppendRecordKeyCommon(nil, tableID, v.CommonHandle)
	}
	return nil
}

// ownedOldRows are the record keys of the table's rows that partition
// deletes: those whose lowest reporting partition it is, from the round 1
// reports (every partition sees the same).
func ownedOldRows(round1 []*lsv1.DuplicateKeys, partition uint32) [][]byte {
	owner := map[string]uint32{}
	for _, r := range round1 {
		for _, k := range r.Keys {
			for _, h := range k.Holders {
				if (conflict.Pos{Chunk: h.Chunk, Offset: h.Offset}) != conflict.StorePos {
					continue
				}
				if rk := oldRecordKey(k.Key, h.Value); rk != nil {
					if p, ok := owner[string(rk)]; !ok || r.Partition < p {
						owner[string(rk)] = r.Partition
					}
				}
			}
		}
	}
	var out [][]byte
	for rk, p := range owner {
		if p == partition {
			out = append(out, []byte(rk))
		}
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

// localOldRows are the record keys of the table's rows in groups.
func localOldRows(groups []conflict.Group) [][]byte {
	r := &lsv1.DuplicateKeys{}
	for _, g := range groups {
		r.Keys = append(r.Keys, g.ToProto())
	}
	return ownedOldRows([]*lsv1.DuplicateKeys{r}, 0)
}

// replaceOld deletes the table's rows whose record keys are rows (once
// per engine, see above) and keeps what it deleted in st.replaced.
func (s *partitionSorter) replaceOld(ctx context.Context, dir string, st *partitionState, rows [][]byte) error {
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return err
	}
	defer release()
	var rep replacedRows
	if raw, ok, err := eng.GetMeta(metaReplaceDone); err != nil {
		return err
	} else if ok {
		if err := json.Unmarshal(raw, &rep.Sum); err != nil {
			return fmt.Errorf("engine metadata %s: %w", metaReplaceDone, err)
		}
		st.replaced = rep.Sum
		return nil
	}
	raw, ok, err := eng.GetMeta(metaReplaceIntent)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal(raw, &rep); err != nil {
			return fmt.Errorf("engine metadata %s: %w", metaReplaceIntent, err)
		}
	} else {
		if rep, err = s.readOld(ctx, st, rows); err != nil {
			return err
		}
		if raw, err = json.Marshal(rep); err != nil {
			return err
		}
		if err := eng.SetMeta(metaReplaceIntent, raw); err != nil {
			return err
		}
		if err := eng.Sync(); err != nil {
			return err
		}
	}
	tx, ok := s.cfg.Store.(store.Transactional)
	if !ok {
		return fmt.Errorf("replace the table's rows: %w: the store runs no transactions", store.ErrNotSupported)
	}
	for keys := range slices.Chunk(rep.Keys, 1024) {
		err := tx.RunTxn(ctx, func(txn store.Txn) error {
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("delete the replaced rows of %s.%s: %w", st.mf.Db, st.mf.Table, err)
		}
	}
	if raw, err = json.Marshal(rep.Sum); err != nil {
		return err
	}
	if err := eng.SetMeta(metaReplaceDone, raw); err != nil {
		return err
	}
	st.replaced = rep.Sum
	return eng.Sync()
}

// readOld reads the table's rows at rows from the store and every pair
// they encode to that the store holds.
func (s *partitionSorter) readOld(ctx context.Context, st *partitionState, rows [][]byte) (replacedRows, error) {
	var rep replacedRows
	if len(rows) == 0 {
		return rep, nil
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t, err := s.tables.Wait(wctx, st.mf.Db, st.mf.Table)
	cancel()
	if err != nil {
		return rep, fmt.Errorf("replace the table's rows of %s.%s: its schema: %w", st.mf.Db, st.mf.Table, err)
	}
	dec, err := rowcodec.NewDecoder(t.Model, rowcodec.DecodeOptions{})
	if err != nil {
		return rep, err
	}
	get := func(k []byte) ([]byte, error) {
		var v []byte
		err := s.cfg.Store.Scan(ctx, k, append(slices.Clone(k), 0), func(_, val []byte) error {
			v = slices.Clone(val)
			return nil
		})
		return v, err
	}
	seen := map[string]bool{}
	for _, rk := range rows {
		v, err := get(rk)
		if err != nil {
			return rep, err
		}
		if v == nil {
			continue
		}
		if _, err := dec.Record(rk, v); err != nil {
			return rep, fmt.Errorf("replace the table's row %x: %w", rk, err)
		}
		keys, err := dec.Keys()
		if err != nil {
			return rep, fmt.Errorf("replace the table's row %x: %w", rk, err)
		}
		for _, k := range keys {
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			sv := v
			if !bytes.Equal(k, rk) {
				if sv, err = get(k); err != nil {
					return rep, err
				}
				if sv == nil {
					continue
				}
			}
			rep.Keys = append(rep.Keys, slices.Clone(k))
			rep.Sum.KVs++
			rep.Sum.Bytes += uint64(len(k) + len(sv))
			rep.Sum.Sum ^= crc64ecma.Pair(k, sv)
		}
	}
	return rep, nil
}
