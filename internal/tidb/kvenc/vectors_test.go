package kvenc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

type vector struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	KeyHex   string `json:"key_hex"`
	ValueHex string `json:"value_hex"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw := golden.Vectors()
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

// col builds a column; mods adjust it.
func col(id int64, name string, tp byte, mods ...func(*tablemodel.Column)) *tablemodel.Column {
	c := &tablemodel.Column{ID: id, Name: name, Offset: int(id - 1), Tp: tp, Flen: -1, Charset: "binary", Collate: "binary"}
	for _, m := range mods {
		m(c)
	}
	return c
}

func coll(name string) func(*tablemodel.Column) {
	return func(c *tablemodel.Column) {
		c.Collate = name
		c.Charset = strings.SplitN(name, "_", 2)[0]
	}
}

var (
	notNull  = func(c *tablemodel.Column) { c.NotNull = true }
	unsigned = func(c *tablemodel.Column) { c.Unsigned = true }
	pkCol    = func(c *tablemodel.Column) { c.PrimaryKey = true; c.NotNull = true }
)

func idx(id int64, name string, unique bool, offsets ...int) *tablemodel.Index {
	ix := &tablemodel.Index{ID: id, Name: name, Unique: unique}
	for _, o := range offsets {
		ix.Columns = append(ix.Columns, tablemodel.IndexColumn{Offset: o, Length: -1})
	}
	return ix
}

func str(s string) datum.Datum { return datum.NewString([]byte(s)) }

// packTime is SPEC §3.3's formula.
func packTime(y, mo, d, h, mi, s, us uint64) uint64 {
	ymd := ((y*13 + mo) << 5) | d
	hms := h<<12 | mi<<6 | s
	return ((ymd<<17 | hms) << 24) | us
}

type vecCase struct {
	table  func() *tablemodel.Table
	row    []datum.Datum
	rowID  int64
	opts   Options
	needs  []string // collations that must exist
	reason string   // set when the vector does not fit kvenc
}

// charTable is TiKV's test_int_handle_char_index / varchar_index schema.
func charTable(tp byte) func() *tablemodel.Table {
	return func() *tablemodel.Table {
		return &tablemodel.Table{
			Name: "t", HandleOffset: -1,
			Columns: []*tablemodel.Column{
				col(1, "a", mysql.TypeLong),
				col(2, "b", tp, coll("utf8mb4_bin")),
				col(3, "c", tp, coll("utf8mb4_unicode_ci")),
			},
			Indexes: []*tablemodel.Index{
				idx(1, "i_a", false, 0), idx(2, "i_b", false, 1), idx(3, "i_c", false, 2), idx(4, "i_abc", false, 0, 1, 2),
				idx(5, "i_ua", true, 0), idx(6, "i_ub", true, 1), idx(7, "i_uc", true, 2), idx(8, "i_uabc", true, 0, 1, 2),
			},
		}
	}
}

// clusteredTable is TiKV's test_common_handle_index schema.
func clusteredTable() *tablemodel.Table {
	pk := idx(1, "PRIMARY", true, 0, 1, 2, 3, 4)
	pk.Primary = true
	return &tablemodel.Table{
		Name: "t", HandleOffset: -1, IsCommonHandle: true, CommonHandleVersion: 1,
		Columns: []*tablemodel.Column{
			col(1, "a", mysql.TypeLong, pkCol),
			col(2, "b", mysql.TypeString, pkCol, coll("utf8mb4_bin")),
			col(3, "c", mysql.TypeString, pkCol, coll("utf8mb4_unicode_ci")),
			col(4, "d", mysql.TypeVarchar, pkCol, coll("utf8mb4_bin")),
			col(5, "e", mysql.TypeVarchar, pkCol, coll("utf8mb4_general_ci")),
		},
		Indexes: []*tablemodel.Index{
			pk, idx(2, "i_a", false, 0), idx(3, "i_b", false, 1), idx(4, "i_c", false, 2), idx(5, "i_d", false, 3),
			idx(6, "i_e", false, 4), idx(7, "i_abcde", false, 0, 1, 2, 3, 4),
			idx(8, "i_ua", true, 0), idx(9, "i_ub", true, 1), idx(10, "i_uc", true, 2), idx(11, "i_ud", true, 3),
			idx(12, "i_ue", true, 4), idx(13, "i_uabcde", true, 0, 1, 2, 3, 4),
		},
	}
}

func vectorCases() map[string]vecCase {
	tiny := func() *tablemodel.Table {
		return &tablemodel.Table{ID: 1, Name: "t", HandleOffset: -1, Columns: []*tablemodel.Column{col(1, "c1", mysql.TypeTiny)}}
	}
	charRow := []datum.Datum{datum.NewInt(1), str("a"), str("A")} // CHAR trailing spaces already removed by conversion
	varcharRow := []datum.Datum{datum.NewInt(1), str("a "), str("A ")}
	clRow := []datum.Datum{datum.NewInt(1), str("a"), str("A"), str("a "), str("A ")}
	ci := []string{"utf8mb4_unicode_ci"}
	cl := []string{"utf8mb4_unicode_ci", "utf8mb4_general_ci"}
	c := map[string]vecCase{
		"lightning-v1-tinyint-explicit-rowid": {table: tiny, row: []datum.Datum{datum.NewInt(1)}, rowID: 1, opts: Options{RowFormatV1: true}},
		"lightning-v2-tinyint-clamped":        {table: tiny, row: []datum.Datum{datum.NewInt(127)}, rowID: 1},
		"lightning-v1-datetime-default-current-timestamp": {
			table: func() *tablemodel.Table {
				return &tablemodel.Table{ID: 1, Name: "t", HandleOffset: -1, Columns: []*tablemodel.Column{
					col(1, "c1", mysql.TypeDatetime, notNull, func(c *tablemodel.Column) { c.HasDefault, c.DefaultIsNow = true, true })}}
			},
			row: []datum.Datum{{Kind: datum.Time, U: packTime(2009, 2, 14, 7, 31, 30, 0)}}, rowID: 70, opts: Options{RowFormatV1: true},
		},
		"lightning-auto-random-unsigned-rowid-70": {
			table: func() *tablemodel.Table {
				return &tablemodel.Table{ID: 1, Name: "t", PKIsHandle: true, HandleOffset: 0, AutoRandomBits: 5, Columns: []*tablemodel.Column{
					col(1, "id", mysql.TypeLonglong, pkCol, unsigned, func(c *tablemodel.Column) { c.AutoRandom = true }),
					col(2, "a", mysql.TypeVarchar, coll("utf8mb4_bin")),
				}}
			},
			row: []datum.Datum{{}, str("")}, rowID: 70, opts: Options{AutoRandomSeed: 456},
		},
		"docs-rowv2-two-strings": {
			table: func() *tablemodel.Table {
				return &tablemodel.Table{ID: 73, Name: "t", HandleOffset: -1, Columns: []*tablemodel.Column{
					col(1, "c1", mysql.TypeVarchar, coll("utf8mb4_bin")), col(2, "c2", mysql.TypeVarchar, coll("utf8mb4_bin"))}}
			},
			row: []datum.Datum{str("hello"), str("hello")}, rowID: 3,
		},
		"tikv-clustered-int-pk-nonunique-no-restore": {
			table: func() *tablemodel.Table {
				pk := idx(1, "PRIMARY", true, 0, 2, 3)
				pk.Primary = true
				return &tablemodel.Table{Name: "tcommonhash", HandleOffset: -1, IsCommonHandle: true, CommonHandleVersion: 1,
					Columns: []*tablemodel.Column{col(1, "a", mysql.TypeLong, pkCol), col(2, "b", mysql.TypeLong),
						col(3, "c", mysql.TypeLong, pkCol), col(4, "d", mysql.TypeLong, pkCol)},
					Indexes: []*tablemodel.Index{pk, idx(2, "idx_bc", false, 1, 2)}}
			},
			row: []datum.Datum{datum.NewInt(1), datum.NewInt(2), datum.NewInt(3), datum.NewInt(1)}, rowID: 1,
		},
		"tikv-global-unique-index-partition-id": {
			// PARTITION BY HASH(b) PARTITIONS 5 with the test's partition ids:
			// b = 2 lands in the third, id 92.
			table: func() *tablemodel.Table {
				ix := idx(1, "uidx_a", true, 0)
				ix.Global = true
				return &tablemodel.Table{ID: 123, Name: "t", HandleOffset: -1,
					Columns: []*tablemodel.Column{col(1, "a", mysql.TypeLong, notNull), col(2, "b", mysql.TypeLong, notNull)},
					Indexes: []*tablemodel.Index{ix},
					Partition: &tablemodel.Partitioning{Type: tablemodel.PartitionHash, Expr: "`b`", Defs: []tablemodel.PartitionDef{
						{ID: 90, Name: "p0"}, {ID: 91, Name: "p1"}, {ID: 92, Name: "p2"}, {ID: 93, Name: "p3"}, {ID: 94, Name: "p4"}}}}
			},
			row: []datum.Datum{datum.NewInt(1), datum.NewInt(2)}, rowID: 1,
		},
		"tablecodec-untouched-unique-int-handle-value": {reason: "untouched-values-are-never-written-by-importers(checked-in-tidbcodec)"},
	}
	for _, id := range []string{"tikv-idx-int-handle-nonunique-int", "tikv-idx-int-handle-unique-int", "tikv-idx-char-bin-unique",
		"tikv-idx-char-unicodeci-nonunique", "tikv-idx-char-unicodeci-unique", "tikv-idx-char-composite-nonunique"} {
		c[id] = vecCase{table: charTable(mysql.TypeString), row: charRow, rowID: 1, needs: ci}
	}
	for _, id := range []string{"tikv-idx-varchar-bin-nonunique", "tikv-idx-varchar-bin-unique", "tikv-idx-varchar-composite-unique"} {
		c[id] = vecCase{table: charTable(mysql.TypeVarchar), row: varcharRow, rowID: 1, needs: ci}
	}
	for _, id := range []string{"tikv-clustered-i_a", "tikv-clustered-i_ua", "tikv-clustered-i_e", "tikv-clustered-i_ue"} {
		c[id] = vecCase{table: clusteredTable, row: clRow, rowID: 1, needs: cl}
	}
	return c
}

// TestVectors encodes every record/index KV vector through a table built
// from the vector's description and compares the pair with the same key
// prefix.
func TestVectors(t *testing.T) {
	cases := vectorCases()
	for _, v := range loadVectors(t) {
		if !strings.HasPrefix(v.Category, "record_kv_") && !strings.HasPrefix(v.Category, "index_kv_") && v.Category != "index_value_untouched" {
			continue
		}
		vc, ok := cases[v.ID]
		if !ok {
			t.Run(v.ID, func(t *testing.T) { t.Fatalf("vector %s has no table here", v.ID) })
			continue
		}
		if vc.reason != "" {
			t.Run(v.ID+"/not-applicable:"+vc.reason, func(t *testing.T) {})
			continue
		}
		t.Run(v.ID, func(t *testing.T) {
			for _, n := range vc.needs {
				if _, ok := collate.Get(n); !ok {
					t.Skipf("collation %s not in internal/tidb/collate yet", n)
				}
			}
			wantKey, _ := hex.DecodeString(v.KeyHex)
			tbl := vc.table()
			tbl.ID, _ = tidbcodec.DecodeTableID(wantKey) // the TiKV tests captured pairs from several tables
			e, err := NewEncoder(tbl, vc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var p Pairs
			if err := e.Encode(vc.row, vc.rowID, &p); err != nil {
				t.Fatal(err)
			}
			plen := tidbcodec.IndexPrefixLen
			if strings.HasPrefix(v.Category, "record_kv_") {
				plen = tidbcodec.RecordPrefixLen
			}
			for i := 0; i < p.Len(); i++ {
				if bytes.HasPrefix(p.Key(i), wantKey[:plen]) {
					if got := hex.EncodeToString(p.Key(i)); got != v.KeyHex {
						t.Errorf("key\n got  %s\n want %s", got, v.KeyHex)
					}
					if got := hex.EncodeToString(p.Value(i)); got != v.ValueHex {
						t.Errorf("value\n got  %s\n want %s", got, v.ValueHex)
					}
					return
				}
			}
			t.Fatalf("no pair with prefix %x among %d", wantKey[:plen], p.Len())
		})
	}
}
