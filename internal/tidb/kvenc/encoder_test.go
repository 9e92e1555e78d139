package kvenc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// allTypesTable has one column of every type; no PK (rowid handle).
func allTypesTable() (*tablemodel.Table, []datum.Datum) {
	cols := []*tablemodel.Column{
		col(1, "i8", mysql.TypeTiny),
		col(2, "u64", mysql.TypeLonglong, unsigned),
		col(3, "f", mysql.TypeFloat),
		col(4, "d", mysql.TypeDouble),
		col(5, "dec", mysql.TypeNewDecimal),
		col(6, "dt", mysql.TypeDatetime),
		col(7, "ts", mysql.TypeTimestamp),
		col(8, "tm", mysql.TypeDuration),
		col(9, "y", mysql.TypeYear),
		col(10, "vc", mysql.TypeVarchar, coll("utf8mb4_bin")),
		col(11, "vb", mysql.TypeVarchar),
		col(12, "bl", mysql.TypeBlob),
		col(13, "en", mysql.TypeEnum, coll("utf8mb4_bin")),
		col(14, "st", mysql.TypeSet, coll("utf8mb4_bin")),
		col(15, "bt", mysql.TypeBit, unsigned),
		col(16, "js", mysql.TypeJSON),
		col(17, "nul", mysql.TypeLong),
		col(18, "nuld", mysql.TypeLong, func(c *tablemodel.Column) { c.HasDefault, c.Default = true, "5" }),
	}
	cols[5].Decimal = 6
	decBin, _ := hex.DecodeString("810dfb38d204d2")
	row := []datum.Datum{
		datum.NewInt(-100), datum.NewUint(1 << 63), {Kind: datum.Float32, F: float64(float32(3.14))}, {Kind: datum.Float64, F: -2.5},
		{Kind: datum.Decimal, Prec: 14, Frac: 4, B: decBin},
		{Kind: datum.Time, U: packTime(2011, 11, 10, 11, 11, 11, 999999), Frac: 6},
		{Kind: datum.Time, U: packTime(2018, 1, 19, 3, 14, 7, 0)},
		{Kind: datum.Duration, I: -3600e9},
		datum.NewInt(2023), str("héllo "), datum.NewBytes([]byte{0, 1, 2}), datum.NewBytes(bytes.Repeat([]byte{'z'}, 300)),
		{Kind: datum.Enum, U: 2}, {Kind: datum.Set, U: 5}, {Kind: datum.Bit, U: 0x1ff},
		{Kind: datum.JSON, B: []byte{4, 1}}, {}, {},
	}
	t := &tablemodel.Table{ID: 100, Name: "all", HandleOffset: -1, Columns: cols}
	for i, c := range cols {
		if c.Tp != mysql.TypeJSON && c.Tp != mysql.TypeBlob {
			t.Indexes = append(t.Indexes, idx(int64(i+1), "i_"+c.Name, i%2 == 0, i))
		}
	}
	return t, row
}

func TestRoundTripAllTypes(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("v1=%v", v1), func(t *testing.T) {
			tbl, row := allTypesTable()
			e, err := NewEncoder(tbl, Options{RowFormatV1: v1})
			if err != nil {
				t.Fatal(err)
			}
			var p Pairs
			if err := e.Encode(row, 42, &p); err != nil {
				t.Fatal(err)
			}
			if p.Len() != 1+len(tbl.Indexes) {
				t.Fatalf("%d pairs", p.Len())
			}
			back, h, err := e.DecodeRecord(p.Key(0), p.Value(0))
			if err != nil {
				t.Fatal(err)
			}
			if !h.IsInt() || h.IntValue() != 42 {
				t.Fatalf("handle %v", h)
			}
			for i := range row {
				a, b := row[i], back[i]
				if a.Kind != b.Kind || a.I != b.I || a.U != b.U || a.F != b.F || !bytes.Equal(a.B, b.B) || a.Prec != b.Prec || (a.Kind == datum.Duration && a.Frac != b.Frac) {
					t.Errorf("column %s: %+v -> %+v", tbl.Columns[i].Name, a, b)
				}
			}
			// Nullable column with NULL default is skipped; with a non-NULL
			// default the NULL is listed (CanSkip rule 3).
			if !v1 {
				var r tidbcodec.RowV2
				if err := tidbcodec.ParseRowV2(p.Value(0), &r); err != nil {
					t.Fatal(err)
				}
				if _, found, _ := r.Value(17); found {
					t.Error("column 17 (NULL, default NULL) must be omitted")
				}
				if _, found, isNull := r.Value(18); !found || !isNull {
					t.Error("column 18 (NULL, default 5) must be in the null list")
				}
			}
			// Non-unique index with the NULL: handle appended, value '0'.
			var c tidbcodec.Checksum
			p.Checksum(&c)
			if c.KVs != uint64(p.Len()) || c.Bytes != uint64(p.Size()) {
				t.Errorf("checksum %+v", c)
			}
		})
	}
}

func TestClusteredRoundTrip(t *testing.T) {
	tbl := clusteredTable()
	tbl.ID = 64
	e, err := NewEncoder(tbl, Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := []datum.Datum{datum.NewInt(1), str("a"), str("A"), str("a "), str("A ")}
	var p Pairs
	if err := e.Encode(row, 1, &p); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 13 { // 12 secondary indexes + record, no PRIMARY pair
		t.Fatalf("%d pairs", p.Len())
	}
	// a and b (int, CHAR _bin) live only in the key; c, d, e are stored.
	var r tidbcodec.RowV2
	if err := tidbcodec.ParseRowV2(p.Value(0), &r); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r.NotNullIDs) != "[3 4 5]" {
		t.Errorf("stored ids %v, want [3 4 5]", r.NotNullIDs)
	}
	back, h, err := e.DecodeRecord(p.Key(0), p.Value(0))
	if err != nil || h.IsInt() {
		t.Fatal(h, err)
	}
	for i := range row {
		if back[i].I != row[i].I || !bytes.Equal(back[i].B, row[i].B) || back[i].Kind != row[i].Kind {
			t.Errorf("column %d: %+v -> %+v", i, row[i], back[i])
		}
	}
}

func TestPrefixIndexAndNullUnique(t *testing.T) {
	tbl := &tablemodel.Table{ID: 5, Name: "p", HandleOffset: -1, Columns: []*tablemodel.Column{
		col(1, "s", mysql.TypeVarchar, coll("utf8mb4_bin")),
		col(2, "n", mysql.TypeLong),
	}}
	ix := idx(1, "i_s", true, 0)
	ix.Columns[0].Length = 2
	tbl.Indexes = []*tablemodel.Index{ix, idx(2, "u_n", true, 1)}
	e, err := NewEncoder(tbl, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var p Pairs
	if err := e.Encode([]datum.Datum{str("中文字"), {}}, 9, &p); err != nil {
		t.Fatal(err)
	}
	// Prefix 2 characters: key holds "中文", restored data too.
	want := "7480000000000000055f698000000000000001" + "01e4b8ade696870000fd"
	if got := hex.EncodeToString(p.Key(1)); got != want {
		t.Errorf("prefix key\n got  %s\n want %s", got, want)
	}
	if got := hex.EncodeToString(p.Value(1)); got != "08"+"80000100000001"+"0600"+"e4b8ade69687"+"0000000000000009" {
		t.Errorf("prefix value %s", got)
	}
	// Unique index on a NULL: handle in key, value '0'.
	if got := hex.EncodeToString(p.Key(2)); got != "7480000000000000055f69800000000000000200038000000000000009" {
		t.Errorf("null unique key %s", got)
	}
	if got := hex.EncodeToString(p.Value(2)); got != "30" {
		t.Errorf("null unique value %s", got)
	}
}

func TestNullHandleError(t *testing.T) {
	tbl := &tablemodel.Table{ID: 1, Name: "h", PKIsHandle: true, HandleOffset: 0,
		Columns: []*tablemodel.Column{col(1, "id", mysql.TypeLong, pkCol)}}
	e, _ := NewEncoder(tbl, Options{})
	var p Pairs
	if err := e.Encode([]datum.Datum{{}}, 1, &p); !errors.Is(err, ErrNullHandle) || p.Len() != 0 {
		t.Fatalf("err %v, %d pairs", err, p.Len())
	}
	tbl.Columns[0].AutoIncrement = true
	e, _ = NewEncoder(tbl, Options{})
	if err := e.Encode([]datum.Datum{{}}, 7, &p); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(p.Key(0)); got != "7480000000000000015f728000000000000007" {
		t.Errorf("auto-increment handle key %s", got)
	}
}

func TestNewCollationDisabled(t *testing.T) {
	tbl := charTable(mysql.TypeVarchar)()
	tbl.ID = 61
	e, err := NewEncoder(tbl, Options{DisableNewCollation: true})
	if err != nil {
		t.Fatal(err)
	}
	var p Pairs
	if err := e.Encode([]datum.Datum{datum.NewInt(1), str("a "), str("A ")}, 1, &p); err != nil {
		t.Fatal(err)
	}
	// i_uc: raw bytes 'A ' in the key, old-format value (no restored data).
	if got := hex.EncodeToString(p.Key(7)); got != "74800000000000003d5f698000000000000007014120000000000000f9" {
		t.Errorf("key %s", got)
	}
	if got := hex.EncodeToString(p.Value(7)); got != "0000000000000001" {
		t.Errorf("value %s", got)
	}
}
