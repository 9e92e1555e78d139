package kvenc

import (
	"bytes"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// TestPartitionedKeys: a partitioned table's record and local index keys
// carry the row's partition ID; a global index's key carries the table's
// ID, its value the partition's, and a version-1 global index (non-unique
// on a non-clustered table) also the partition's ID in the key, before the
// handle. Decoding accepts every partition's records.
func TestPartitionedKeys(t *testing.T) {
	tb, _, err := tablemodel.ParseCreateTable(`CREATE TABLE t (id INT NOT NULL, k INT NOT NULL, v INT,
		KEY local_k (k), KEY global_v (v) GLOBAL, UNIQUE KEY global_id (id) GLOBAL)
		PARTITION BY HASH(k) PARTITIONS 3`, tablemodel.DBDefaults{Name: "db"}, 200)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*tablemodel.Index{}
	for _, ix := range tb.Indexes {
		byName[ix.Name] = ix
	}
	if byName["local_k"].Global || !byName["global_v"].Global || byName["global_v"].GlobalIndexVersion != 1 ||
		!byName["global_id"].Global || byName["global_id"].GlobalIndexVersion != 0 {
		t.Fatalf("indexes %+v %+v %+v", byName["local_k"], byName["global_v"], byName["global_id"])
	}
	enc, err := NewEncoder(tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pairs Pairs
	// k = 5: partition 2, id 203; _tidb_rowid 7.
	if err := enc.Encode([]datum.Datum{datum.NewInt(1), datum.NewInt(5), datum.NewInt(9)}, 7, &pairs); err != nil {
		t.Fatal(err)
	}
	if pairs.Len() != 4 {
		t.Fatalf("%d pairs, want a record and 3 index entries", pairs.Len())
	}
	// intDatum appends an INT index column value: flag 03, then CmpInt.
	intDatum := func(b []byte, v int64) []byte { return tidbcodec.AppendCmpInt(append(b, 0x03), v) }
	h := tidbcodec.IntHandle(7)
	want := [][]byte{
		tidbcodec.AppendRecordKeyInt(nil, 203, 7),
		// local_k (index 1): the partition's id, k, the handle.
		tidbcodec.AppendIndexHandleSuffix(intDatum(tidbcodec.AppendIndexPrefix(nil, 203, 1), 5), h),
		// global_v (index 2, version 1): the table's id, v, 7e + the
		// partition's id, the handle.
		tidbcodec.AppendIndexHandleSuffix(tidbcodec.AppendCmpInt(append(intDatum(tidbcodec.AppendIndexPrefix(nil, 200, 2), 9), tidbcodec.PartitionIDFlag), 203), h),
		// global_id (index 3, unique on a NOT NULL column: version 0): the
		// table's id, id.
		intDatum(tidbcodec.AppendIndexPrefix(nil, 200, 3), 1),
	}
	for i, w := range want {
		if got := pairs.Key(i); !bytes.Equal(got, w) {
			t.Errorf("pair %d key %x, want %x", i, got, w)
		}
	}
	// Global index values carry 7e + the partition id; the unique one also
	// the handle (version 0: tail length 8).
	pid := tidbcodec.AppendCmpInt([]byte{tidbcodec.PartitionIDFlag}, 203)
	if v := pairs.Value(2); !bytes.Contains(v, pid) {
		t.Errorf("global_v value %x lacks the partition id", v)
	}
	if v, w := pairs.Value(3), append(append([]byte{8}, pid...), 0, 0, 0, 0, 0, 0, 0, 7); !bytes.Equal(v, w) {
		t.Errorf("global_id value %x, want %x", v, w)
	}
	row, h, err := enc.DecodeRecord(pairs.Key(0), pairs.Value(0))
	if err != nil || h.IntValue() != 7 || row[1].I != 5 {
		t.Fatalf("decode: %v, %v, %v", row, h, err)
	}
	if _, _, err := enc.DecodeRecord(tidbcodec.AppendRecordKeyInt(nil, 200, 7), pairs.Value(0)); err == nil {
		t.Error("a record under the table's own id decoded")
	}
}
