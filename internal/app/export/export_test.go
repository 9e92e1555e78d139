package export

import (
	"bytes"
	"context"
	"sort"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// TestTable imports rows into an embedded store with the row codec and
// exports them: dumpling's CSV, the hidden column of an expression index
// left out, a TIMESTAMP in the export's zone, virtual generated columns
// computed with Generated and NULL without, a partitioned table's rows
// partition after partition.
func TestTable(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tbl, _, err := tablemodel.ParseCreateTable("create table t (id int primary key, s varchar(20), ts timestamp null, "+
		"v int as (id * 10) virtual, key e ((lower(s)))) partition by range (id) (partition p0 values less than (10), partition p1 values less than maxvalue)",
		tablemodel.DBDefaults{Name: "d"}, 40)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rowcodec.NewRowCoder(tbl, valueconv.Session{Loc: time.UTC}, rowcodec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all []store.Pair
	for i, row := range [][]literal.Field{
		{{Kind: literal.FieldNumber, Bytes: []byte("12")}, {Kind: literal.FieldString, Bytes: []byte(`a "q", b`)}, {Kind: literal.FieldNull}},
		{{Kind: literal.FieldNumber, Bytes: []byte("3")}, {Kind: literal.FieldNull}, {Kind: literal.FieldString, Bytes: []byte("2024-01-02 03:04:05")}},
	} {
		var pairs kvenc.Pairs
		if err := rc.Encode([]string{"id", "s", "ts"}, row, int64(i+1), &pairs); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < pairs.Len(); j++ {
			all = append(all, store.Pair{Key: append([]byte(nil), pairs.Key(j)...), Value: append([]byte(nil), pairs.Value(j)...)})
		}
	}
	sort.Slice(all, func(i, j int) bool { return bytes.Compare(all[i].Key, all[j].Key) < 0 })
	if err := st.WriteBatch(ctx, all); err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("+01:00", 3600)
	gen, err := Generated(tbl, loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		gen  valueconv.GeneratedEvaluator
		want string
	}{
		{gen, "\"id\",\"s\",\"ts\",\"v\"\n\"3\",\\N,\"2024-01-02 04:04:05\",\"30\"\n\"12\",\"a \\\"q\\\", b\",\\N,\"120\"\n"},
		{nil, "\"id\",\"s\",\"ts\",\"v\"\n\"3\",\\N,\"2024-01-02 04:04:05\",\\N\n\"12\",\"a \\\"q\\\", b\",\\N,\\N\n"},
	} {
		var out bytes.Buffer
		n, err := Table(ctx, st, tbl, Options{Loc: loc, Generated: c.gen}, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || out.String() != c.want {
			t.Errorf("generated %v: %d rows\n%s\nwant\n%s", c.gen != nil, n, out.String(), c.want)
		}
	}
}
