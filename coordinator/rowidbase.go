package coordinator

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// rowIDBase is, for an incremental import into t, the largest row ID the
// rows it already holds took: every row ID of the import is given above
// it (tablemodel.Table.RowIDBase), so a new row's _tidb_rowid, or an
// AUTO_INCREMENT value filled from its row ID, does not take the key of a
// row from before. Lightning allocates the same range from the table's
// allocator (importer/meta_manager.go AllocTableRowIDs, then
// RebaseChunkRowIDs); lightstream's catalog keeps no per-table allocator,
// so the maximum is read from the store, where it is exact: the largest
// integer handle of each physical table, and the largest value of each
// AUTO_INCREMENT column that leads an index (or the clustered key). Both
// are found by bisecting the key space (each probe a scan stopped at its
// first key), so the cost does not grow with the table. Handles carrying
// shard bits (SHARD_ROW_ID_BITS, AUTO_RANDOM) are not ordered by their
// allocated part: the record range is then scanned.
func rowIDBase(ctx context.Context, st store.Store, t *tablemodel.Table) (int64, error) {
	var base int64
	raise := func(v int64) {
		if v > base {
			base = v
		}
	}
	shardBits := 0
	switch {
	case t.AutoRandomBits > 0:
		shardBits = t.AutoRandomBits
		if r := t.AutoRandomRangeBits; r > 0 && r < 64 {
			shardBits += 64 - r
		}
	case t.ShardRowIDBits > 0 && !t.PKIsHandle && !t.IsCommonHandle:
		shardBits = t.ShardRowIDBits
	}
	for _, id := range t.PhysicalIDs() {
		rec := tidbcodec.AppendRecordPrefix(nil, id)
		switch {
		case t.IsCommonHandle:
			// The clustered key's first column, if AUTO_INCREMENT.
			if pk := t.PrimaryIndex(); pk != nil && len(pk.Columns) > 0 && autoIncrement(t, pk.Columns[0].Offset) {
				v, err := maxKeyInt(ctx, st, rec, t.Columns[pk.Columns[0].Offset].Unsigned)
				if err != nil {
					return 0, err
				}
				raise(v)
			}
		case shardBits > 0:
			mask := int64(1)<<uint(63-shardBits) - 1
			err := st.Scan(ctx, rec, prefixEnd(rec), func(k, _ []byte) error {
				if len(k) == len(rec)+8 {
					raise(tidbcodec.DecodeCmpUintToInt(binary.BigEndian.Uint64(k[len(rec):])) & mask)
				}
				return nil
			})
			if err != nil {
				return 0, fmt.Errorf("largest row ID of table %d: %w", id, err)
			}
		default:
			if u, ok, err := maxUnder(ctx, st, rec); err != nil {
				return 0, err
			} else if ok {
				raise(tidbcodec.DecodeCmpUintToInt(u))
			}
		}
		for _, ix := range t.Indexes {
			if ix.Primary && t.IsCommonHandle || len(ix.Columns) == 0 || !autoIncrement(t, ix.Columns[0].Offset) {
				continue
			}
			owner := id
			if ix.Global {
				owner = t.ID
			}
			v, err := maxKeyInt(ctx, st, tidbcodec.AppendIndexPrefix(nil, owner, ix.ID), t.Columns[ix.Columns[0].Offset].Unsigned)
			if err != nil {
				return 0, err
			}
			raise(v)
		}
	}
	return base, nil
}

func autoIncrement(t *tablemodel.Table, offset int) bool {
	return offset >= 0 && offset < len(t.Columns) && t.Columns[offset].AutoIncrement
}

// maxKeyInt is the largest integer datum that starts a key under prefix
// (memcomparable: a flag byte, then 8 bytes), 0 if none.
func maxKeyInt(ctx context.Context, st store.Store, prefix []byte, unsigned bool) (int64, error) {
	if unsigned {
		u, ok, err := maxUnder(ctx, st, append(append([]byte(nil), prefix...), tidbcodec.FlagUint))
		if err != nil || !ok {
			return 0, err
		}
		return int64(min(u, math.MaxInt64)), nil
	}
	u, ok, err := maxUnder(ctx, st, append(append([]byte(nil), prefix...), tidbcodec.FlagInt))
	if err != nil || !ok {
		return 0, err
	}
	return tidbcodec.DecodeCmpUintToInt(u), nil
}

// maxUnder is the largest u such that the store holds a key under prefix
// whose next 8 bytes read u (big-endian) or more: found by bisection,
// about 64 probes of one key each.
func maxUnder(ctx context.Context, st store.Store, prefix []byte) (uint64, bool, error) {
	end := prefixEnd(prefix)
	probe := func(u uint64) (bool, error) {
		start := binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), u)
		found := false
		err := st.Scan(ctx, start, end, func(_, _ []byte) error {
			found = true
			return errStopScan
		})
		if err != nil && !errors.Is(err, errStopScan) {
			return false, fmt.Errorf("largest key under %x: %w", prefix, err)
		}
		return found, nil
	}
	if ok, err := probe(0); err != nil || !ok {
		return 0, false, err
	}
	lo, hi := uint64(0), uint64(math.MaxUint64) // probe(lo) holds
	for lo < hi {
		mid := lo + (hi-lo)/2 + 1
		ok, err := probe(mid)
		if err != nil {
			return 0, false, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, true, nil
}

// prefixEnd is the first key after every key that starts with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
