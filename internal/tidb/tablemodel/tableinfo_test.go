package tablemodel

import (
	"testing"

	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// A TableInfo as TiDB's status API prints it for
// CREATE TABLE t (id bigint primary key auto_random(5), name varchar(20) collate utf8mb4_general_ci not null,
// ts timestamp(3) default '2020-01-01 00:00:00', b bit(8) default b'101', gone int /* being dropped */,
// unique key uk_name (name(10))), after a column drop left id gaps.
const tableInfoJSON = `{
 "id": 112, "name": {"O": "T1", "L": "t1"}, "charset": "utf8mb4", "collate": "utf8mb4_bin",
 "cols": [
  {"id": 1, "name": {"O": "id", "L": "id"}, "offset": 0, "origin_default": null, "default": null, "default_bit": null,
   "default_is_expr": false, "generated_expr_string": "", "generated_stored": false,
   "type": {"Tp": 8, "Flag": 4099, "Flen": 20, "Decimal": 0, "Charset": "binary", "Collate": "binary", "Elems": null},
   "state": 5, "version": 2},
  {"id": 3, "name": {"O": "name", "L": "name"}, "offset": 1, "default": null,
   "type": {"Tp": 15, "Flag": 4101, "Flen": 20, "Decimal": 0, "Charset": "utf8mb4", "Collate": "utf8mb4_general_ci", "Elems": null},
   "state": 5, "version": 2},
  {"id": 4, "name": {"O": "gone", "L": "gone"}, "offset": 2, "default": null,
   "type": {"Tp": 3, "Flag": 0, "Flen": 11, "Decimal": 0, "Charset": "binary", "Collate": "binary"},
   "state": 2, "version": 2},
  {"id": 5, "name": {"O": "ts", "L": "ts"}, "offset": 3, "default": "2019-12-31 16:00:00.000",
   "type": {"Tp": 7, "Flag": 128, "Flen": 23, "Decimal": 3, "Charset": "binary", "Collate": "binary"},
   "state": 5, "version": 2},
  {"id": 6, "name": {"O": "b", "L": "b"}, "offset": 4, "default": "\u0005", "default_bit": "BQ==",
   "type": {"Tp": 16, "Flag": 32, "Flen": 8, "Decimal": 0, "Charset": "binary", "Collate": "binary"},
   "state": 5, "version": 2},
  {"id": 7, "name": {"O": "c", "L": "c"}, "offset": 5, "default": "CURRENT_TIMESTAMP",
   "type": {"Tp": 12, "Flag": 0, "Flen": 19, "Decimal": 0},
   "state": 5, "version": 2},
  {"id": 8, "name": {"O": "g", "L": "g"}, "offset": 6, "generated_expr_string": "` + "`id` + 1" + `", "generated_stored": true,
   "type": {"Tp": 8, "Flag": 0, "Flen": 20, "Decimal": 0},
   "state": 5, "version": 2}
 ],
 "index_info": [
  {"id": 2, "idx_name": {"O": "uk_name", "L": "uk_name"}, "tbl_name": {"O": "", "L": ""},
   "idx_cols": [{"name": {"O": "name", "L": "name"}, "offset": 1, "length": 10}],
   "state": 5, "is_unique": true, "is_primary": false, "index_type": 1},
  {"id": 3, "idx_name": {"O": "k_gone", "L": "k_gone"}, "idx_cols": [{"name": {"O": "b", "L": "b"}, "offset": 4, "length": -1}],
   "state": 1, "is_unique": false}
 ],
 "pk_is_handle": true, "is_common_handle": false, "common_handle_version": 0,
 "auto_random_bits": 5, "auto_random_range_bits": 0, "shard_row_id_bits": 0, "state": 5
}`

func TestFromTableInfoJSON(t *testing.T) {
	tbl, err := FromTableInfoJSON([]byte(tableInfoJSON), "db1")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.ID != 112 || tbl.Name != "T1" || tbl.DB != "db1" || !tbl.PKIsHandle || tbl.HandleOffset != 0 {
		t.Fatalf("table %+v", tbl)
	}
	if len(tbl.Columns) != 6 {
		t.Fatalf("want 6 public columns, got %d", len(tbl.Columns))
	}
	wantIDs := []int64{1, 3, 5, 6, 7, 8}
	for i, c := range tbl.Columns {
		if c.ID != wantIDs[i] || c.Offset != i {
			t.Errorf("column %d: %s id %d offset %d", i, c.Name, c.ID, c.Offset)
		}
	}
	id := tbl.Columns[0]
	if !id.AutoRandom || !id.PrimaryKey || !id.NotNull || id.HasDefault || tbl.AutoRandomBits != 5 || tbl.AutoRandomRangeBits != 64 {
		t.Errorf("id %+v", id)
	}
	name := tbl.Column("NAME")
	if name.Collate != "utf8mb4_general_ci" || name.Tp != mysql.TypeVarchar || name.HasDefault {
		t.Errorf("name %+v", name)
	}
	ts := tbl.Column("ts")
	if !ts.HasDefault || ts.Default != "2019-12-31 16:00:00.000" || !ts.DefaultInUTC || ts.Decimal != 3 {
		t.Errorf("ts %+v", ts)
	}
	if b := tbl.Column("b"); b.Default != "5" || !b.Unsigned {
		t.Errorf("b %+v", b)
	}
	if c := tbl.Column("c"); !c.DefaultIsNow || c.Charset != "binary" {
		t.Errorf("c %+v", c)
	}
	if g := tbl.Column("g"); g.GeneratedExpr != "`id` + 1" || !g.GeneratedStored {
		t.Errorf("g %+v", g)
	}
	if len(tbl.Indexes) != 1 {
		t.Fatalf("want only the public index, got %d", len(tbl.Indexes))
	}
	ix := tbl.Indexes[0]
	if ix.ID != 2 || !ix.Unique || ix.Primary || len(ix.Columns) != 1 || ix.Columns[0].Offset != 1 || ix.Columns[0].Length != 10 {
		t.Errorf("index %+v", ix)
	}
}

func TestFromTableInfoJSONErrors(t *testing.T) {
	for _, s := range []string{`{`, `{"id": 1, "cols": []}`,
		`{"id":1,"cols":[{"id":1,"offset":0,"state":5,"type":{"Tp":3}}],"index_info":[{"id":1,"state":5,"idx_cols":[{"offset":7}]}]}`} {
		if _, err := FromTableInfoJSON([]byte(s), "d"); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}

// TestFromTableInfoJSONPartitions: TiDB's partition info (ids, names,
// bounds, DEFAULT), a global index and an expression index's hidden column
// come through.
func TestFromTableInfoJSONPartitions(t *testing.T) {
	const js = `{
 "id": 200, "name": {"O": "p", "L": "p"}, "charset": "utf8mb4", "collate": "utf8mb4_bin",
 "cols": [
  {"id": 1, "name": {"O": "id", "L": "id"}, "offset": 0, "type": {"Tp": 3, "Flag": 4097, "Flen": 11, "Charset": "binary", "Collate": "binary"}, "state": 5},
  {"id": 2, "name": {"O": "v", "L": "v"}, "offset": 1, "type": {"Tp": 15, "Flag": 0, "Flen": 10, "Charset": "utf8mb4", "Collate": "utf8mb4_bin"}, "state": 5},
  {"id": 3, "name": {"O": "_V$_lv_0", "L": "_v$_lv_0"}, "offset": 2, "generated_expr_string": "lower(` + "`v`" + `)", "hidden": true,
   "type": {"Tp": 253, "Flag": 0, "Flen": 10, "Charset": "utf8mb4", "Collate": "utf8mb4_bin"}, "state": 5}
 ],
 "index_info": [
  {"id": 1, "idx_name": {"O": "gv", "L": "gv"}, "idx_cols": [{"name": {"O": "v", "L": "v"}, "offset": 1, "length": -1}], "state": 5, "is_global": true, "global_index_version": 1},
  {"id": 2, "idx_name": {"O": "lv", "L": "lv"}, "idx_cols": [{"name": {"O": "_V$_lv_0", "L": "_v$_lv_0"}, "offset": 2, "length": -1}], "state": 5}
 ],
 "pk_is_handle": false,
 "partition": {"type": 3, "expr": "` + "`id`" + `", "columns": null, "enable": true, "num": 0, "definitions": [
  {"id": 201, "name": {"O": "p0", "L": "p0"}, "less_than": null, "in_values": [["1"], ["2"]]},
  {"id": 205, "name": {"O": "pd", "L": "pd"}, "less_than": null, "in_values": [["DEFAULT"]]}
 ]}
}`
	tb, err := FromTableInfoJSON([]byte(js), "db")
	if err != nil {
		t.Fatal(err)
	}
	p := tb.Partition
	if p == nil || p.Type != PartitionList || p.Expr != "`id`" || len(p.Defs) != 2 || p.Defs[1].ID != 205 || !p.Defs[1].IsDefault() ||
		len(p.Defs[0].InValues) != 2 || p.Defs[0].InValues[1][0] != "2" {
		t.Fatalf("partition %+v", p)
	}
	if ids := tb.PhysicalIDs(); len(ids) != 2 || ids[0] != 201 || tb.MaxID() != 205 {
		t.Errorf("physical ids %v, max %d", ids, tb.MaxID())
	}
	if ix := tb.Indexes[0]; !ix.Global || ix.GlobalIndexVersion != 1 {
		t.Errorf("global index %+v", ix)
	}
	if c := tb.Columns[2]; !c.Hidden || c.GeneratedExpr != "lower(`v`)" || c.GeneratedStored {
		t.Errorf("hidden column %+v", c)
	}
}
