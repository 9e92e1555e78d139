package kvenc

import (
	"bytes"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// autoRandomKeys encodes rows with rowIDs base+1..base+n and a NULL
// AUTO_RANDOM handle, and returns the record keys' handles and the keys.
func autoRandomKeys(t *testing.T, schema string, spread bool, base int64, n int) ([]int64, [][]byte) {
	t.Helper()
	tbl, _, err := tablemodel.ParseCreateTable(schema, tablemodel.DBDefaults{Name: "d"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(tbl, Options{AutoRandomSeed: base})
	if err != nil {
		t.Fatal(err)
	}
	if spread {
		enc.SpreadAutoRandom(base)
	}
	var handles []int64
	var keys [][]byte
	var pairs Pairs
	row := make([]datum.Datum, len(tbl.Columns))
	for k := int64(1); k <= int64(n); k++ {
		row[0] = datum.Datum{}
		row[1] = datum.NewInt(k)
		pairs.Reset()
		if err := enc.Encode(row, base+k, &pairs); err != nil {
			t.Fatal(err)
		}
		key := append([]byte(nil), pairs.Key(0)...)
		_, h, err := tidbcodec.DecodeRecordKey(key)
		if err != nil {
			t.Fatal(err)
		}
		v := h.IntValue()
		if !h.IsInt() {
			// A clustered composite key: the AUTO_RANDOM column first.
			d, _, err := tidbcodec.DecodeKeyDatum(h.Encoded(), nil)
			if err != nil || d.Kind == datum.Null {
				t.Fatalf("row %d: first key column %+v %v", k, d, err)
			}
			v = d.I
			if d.Kind == datum.Uint64 {
				v = int64(d.U)
			}
		}
		handles = append(handles, v)
		keys = append(keys, key)
	}
	return handles, keys
}

// TestAutoRandomSpread: generated AUTO_RANDOM handles of one chunk spread
// over the shard bits, are the same when the chunk is encoded again (a
// resumed import writes the same keys), keep the row ID as their allocated
// part and stay inside the column's bit layout: sign bit clear for a
// signed column, shard bits below the range bits, nothing above them
// (TiDB autoid.ShardIDFormat).
func TestAutoRandomSpread(t *testing.T) {
	for _, tc := range []struct {
		schema                     string
		shardBits, rangeBits, sign int
	}{
		{"create table t (id bigint auto_random primary key, a int)", 5, 64, 1},
		{"create table t (id bigint unsigned auto_random(6) primary key, a int)", 6, 64, 0},
		{"create table t (id bigint auto_random(4, 32) primary key, a int)", 4, 32, 1},
		// TiDB >= 6.3: AUTO_RANDOM first in a clustered composite key.
		{"create table t (id bigint auto_random, a int, primary key (id, a) clustered)", 5, 64, 1},
	} {
		const base, n = 4096, 2000
		handles, keys := autoRandomKeys(t, tc.schema, true, base, n)
		again, keys2 := autoRandomKeys(t, tc.schema, true, base, n)
		incBits := tc.rangeBits - tc.shardBits - tc.sign
		shards := map[uint64]int{}
		for i, h := range handles {
			u := uint64(h)
			if again[i] != h || !bytes.Equal(keys[i], keys2[i]) {
				t.Fatalf("%s: row %d: handle %x then %x", tc.schema, i+1, h, again[i])
			}
			if tc.rangeBits < 64 || tc.sign == 1 {
				if u>>(tc.rangeBits-tc.sign) != 0 {
					t.Errorf("%s: handle %x has bits above the range (or the sign bit)", tc.schema, u)
				}
			}
			if want := uint64(base + 1 + i); u&(1<<incBits-1) != want {
				t.Errorf("%s: handle %x: allocated part %d, want the row ID %d", tc.schema, u, u&(1<<incBits-1), want)
			}
			shards[u>>incBits]++
		}
		// 2000 rows over 2^shardBits shards: every shard is used, none
		// takes more than three times its share.
		if len(shards) != 1<<tc.shardBits {
			t.Errorf("%s: rows of one chunk on %d shards, want all %d", tc.schema, len(shards), 1<<tc.shardBits)
		}
		for s, c := range shards {
			if s >= 1<<tc.shardBits || c > 3*n>>tc.shardBits {
				t.Errorf("%s: shard %d has %d rows", tc.schema, s, c)
			}
		}
		// Another chunk (another seed) gives other handles.
		other, _ := autoRandomKeys(t, tc.schema, true, base+n, 1)
		if other[0]&(1<<incBits-1) != base+n+1 {
			t.Errorf("%s: next chunk's first handle %x", tc.schema, other[0])
		}
	}
	// Without SpreadAutoRandom the encoder keeps Lightning's one shard per
	// encoder (the golden vector's rule).
	handles, _ := autoRandomKeys(t, "create table t (id bigint auto_random primary key, a int)", false, 456, 100)
	for _, h := range handles[1:] {
		if h>>58 != handles[0]>>58 {
			t.Fatalf("Lightning mode: shards %d and %d", handles[0]>>58, h>>58)
		}
	}
}
