package coordinator

import (
	"encoding/binary"
	"encoding/json"
	"slices"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// TableRanges are the key ranges of a table, records and indexes, of
// every physical table it is stored as: its own ID (which holds a
// partitioned table's global indexes) and its partitions' IDs (ids;
// tablemodel.Table.PhysicalIDs), consecutive IDs in one range. TiDB
// allocates a new table's partition IDs right after its own, so that is
// usually one range; partitions added later have IDs of their own.
func TableRanges(tableID int64, ids []int64) []store.KeyRange {
	all := append([]int64{tableID}, ids...)
	slices.Sort(all)
	all = slices.Compact(all)
	var out []store.KeyRange
	for i := 0; i < len(all); {
		j := i
		for j+1 < len(all) && all[j+1] == all[j]+1 {
			j++
		}
		out = append(out, store.KeyRange{Start: tablePrefix(all[i]), End: tablePrefix(all[j] + 1)})
		i = j + 1
	}
	return out
}

// TableIDs are the physical IDs of the table whose model JSON is model
// (the table's own ID when the model cannot be read).
func TableIDs(tableID int64, model []byte) []int64 {
	var t tablemodel.Table
	if len(model) == 0 || json.Unmarshal(model, &t) != nil {
		return []int64{tableID}
	}
	return t.PhysicalIDs()
}

func tablePrefix(id int64) []byte {
	b := []byte{'t'}
	return binary.BigEndian.AppendUint64(b, uint64(id)^(1<<63))
}
