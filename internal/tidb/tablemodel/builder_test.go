package tablemodel

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/lightstream-io/lightstream/internal/golden"
)

// corpora is the shared corpora folder.
func corpora(t testing.TB) string { return golden.Shared(t, "corpora") }

// schemaFiles lists every <db>.<table>-schema.sql of the corpora.
func schemaFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{corpora(t) + "/sakila/*-schema.sql", corpora(t) + "/lightning-cases/*/*/*-schema.sql"} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			if !strings.HasSuffix(f, "-schema-create.sql") {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		golden.Missing(t, "corpora not present")
	}
	return files
}

func TestCorporaSchemasBuild(t *testing.T) {
	for _, f := range schemaFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tbl, warns, err := ParseCreateTable(string(data), DBDefaults{Name: "db"}, 100)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for i, c := range tbl.Columns {
			if c.ID != int64(i+1) || c.Offset != i {
				t.Errorf("%s: column %s id %d offset %d", f, c.Name, c.ID, c.Offset)
			}
		}
		t.Logf("%s: %d cols, %d idx, pkHandle=%v common=%v warnings=%q", filepath.Base(f), len(tbl.Columns), len(tbl.Indexes), tbl.PKIsHandle, tbl.IsCommonHandle, warns)
	}
}

func sakila(t *testing.T, name string) (*Table, []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpora(t), "sakila", "sakila."+name+"-schema.sql"))
	if err != nil {
		golden.Missing(t, "corpora not present")
	}
	tbl, warns, err := ParseCreateTable(string(data), DBDefaults{Name: "sakila"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return tbl, warns
}

func indexSummary(t *Table) string {
	var parts []string
	for _, ix := range t.Indexes {
		var cols []string
		for _, c := range ix.Columns {
			cols = append(cols, t.Columns[c.Offset].Name)
		}
		parts = append(parts, strings.Join([]string{itoa(ix.ID), ix.Name, strings.Join(cols, "+")}, ":"))
	}
	return strings.Join(parts, " ")
}

func itoa(i int64) string {
	return strings.TrimSpace(strings.Replace(string(rune('0'+i)), "\x00", "", 1))
}

// TestSakilaTables checks handle kinds and index IDs against TiDB's rules:
// a single integer PK is the handle (no index), a composite PK is clustered
// under the default tidb_enable_clustered_index=ON and takes ID 1, secondary
// keys follow in order, a foreign key no index covers gets an implicit index
// last (addIndexForForeignKey), FULLTEXT/SPATIAL get none.
func TestSakilaTables(t *testing.T) {
	cases := []struct {
		table    string
		pkHandle bool
		common   bool
		indexes  string
	}{
		{"actor", true, false, "1:idx_actor_last_name:last_name"},
		{"address", true, false, "1:idx_fk_city_id:city_id"},
		{"film_actor", false, true, "1:PRIMARY:actor_id+film_id 2:idx_fk_film_id:film_id"},
		{"film_category", false, true, "1:PRIMARY:film_id+category_id 2:fk_film_category_category:category_id"},
		{"film_text", true, false, ""},
		{"inventory", true, false, "1:idx_fk_film_id:film_id 2:idx_store_id_film_id:store_id+film_id"},
	}
	for _, c := range cases {
		tbl, warns := sakila(t, c.table)
		if tbl.PKIsHandle != c.pkHandle || tbl.IsCommonHandle != c.common {
			t.Errorf("%s: pkIsHandle %v common %v", c.table, tbl.PKIsHandle, tbl.IsCommonHandle)
		}
		if c.common && tbl.CommonHandleVersion != 1 {
			t.Errorf("%s: common handle version %d", c.table, tbl.CommonHandleVersion)
		}
		if got := indexSummary(tbl); got != c.indexes {
			t.Errorf("%s: indexes %q, want %q (warnings %q)", c.table, got, c.indexes, warns)
		}
	}
}

func TestSakilaAddressGeometry(t *testing.T) {
	tbl, warns := sakila(t, "address")
	if len(tbl.Columns) != 9 {
		t.Fatalf("columns %d, want 9 (location kept in place)", len(tbl.Columns))
	}
	loc := tbl.Columns[7]
	if loc.Name != "location" || loc.Unsupported != "GEOMETRY" || !loc.NotNull {
		t.Errorf("location column %+v", loc)
	}
	if tbl.Columns[8].Name != "last_update" || tbl.Columns[8].ID != 9 {
		t.Errorf("last_update %+v", tbl.Columns[8])
	}
	if len(warns) < 2 {
		t.Errorf("want warnings for the column and the spatial index, got %q", warns)
	}
}

func TestSakilaColumnTypes(t *testing.T) {
	film, _ := sakila(t, "film")
	check := func(name string, tp byte, flen, dec int, cs, co string) {
		t.Helper()
		c := film.Column(name)
		if c == nil {
			t.Fatalf("no column %s", name)
		}
		if c.Tp != tp || c.Flen != flen || c.Decimal != dec || c.Charset != cs || c.Collate != co {
			t.Errorf("%s: tp %d flen %d dec %d %s/%s", name, c.Tp, c.Flen, c.Decimal, c.Charset, c.Collate)
		}
	}
	// SMALLINT UNSIGNED: default display width 6 minus 1 (issue #4684).
	check("film_id", mysql.TypeShort, 5, 0, "binary", "binary")
	check("title", mysql.TypeVarchar, 128, 0, "utf8mb4", "utf8mb4_bin")
	check("description", mysql.TypeBlob, 65535, 0, "utf8mb4", "utf8mb4_bin")
	check("release_year", mysql.TypeYear, 4, 0, "binary", "binary")
	check("rental_rate", mysql.TypeNewDecimal, 4, 2, "binary", "binary")
	check("rating", mysql.TypeEnum, 5, 0, "utf8mb4", "utf8mb4_bin")
	check("last_update", mysql.TypeTimestamp, 19, 0, "binary", "binary")
	rr := film.Column("rental_rate")
	if !rr.HasDefault || rr.Default != "4.99" {
		t.Errorf("rental_rate default %+v", rr)
	}
	if c := film.Column("rating"); c.Default != "G" || len(c.Elems) != 5 {
		t.Errorf("rating %+v", c)
	}
	if c := film.Column("last_update"); !c.DefaultIsNow || !c.OnUpdateNow || !c.NotNull {
		t.Errorf("last_update %+v", c)
	}
	if c := film.Column("original_language_id"); !c.HasDefault || !c.DefaultIsNull || c.NotNull {
		t.Errorf("original_language_id %+v", c)
	}
	if c := film.Column("film_id"); !c.AutoIncrement || !c.PrimaryKey || film.HandleOffset != 0 {
		t.Errorf("film_id %+v", c)
	}
	cust, _ := sakila(t, "customer")
	if c := cust.Column("active"); c.Tp != mysql.TypeTiny || c.Flen != 1 || c.Default != "1" {
		t.Errorf("BOOLEAN active %+v", c)
	}
}

func build(t *testing.T, sql string, opt Options) *Table {
	t.Helper()
	tbl, _, err := ParseCreateTableWithOptions(sql, DBDefaults{Name: "d"}, 7, opt)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tbl
}

// TestIndexIDRules: each case cites the pkg/ddl rule it exercises.
func TestIndexIDRules(t *testing.T) {
	cases := []struct {
		rule, sql string
		opt       Options
		indexes   string
		pkHandle  bool
		common    bool
	}{
		{"column-level constraints come after table-level ones (buildColumnsAndConstraints)",
			"create table t (a int unique, b int, key kb (b))", Options{}, "1:kb:b 2:a:a", false, false},
		{"column-level PRIMARY KEY on an int is the handle (no index)",
			"create table t (a int primary key, b int unique)", Options{}, "1:b:b", true, false},
		{"INT_ONLY mode: composite PK is nonclustered, still gets ID in order",
			"create table t (a int, b int, key kb (b), primary key (a, b))", Options{Clustered: ClusteredIntOnly}, "1:kb:b 2:PRIMARY:a+b", false, false},
		{"ON mode: varchar PK is a common handle",
			"create table t (a varchar(10) primary key, b int)", Options{}, "1:PRIMARY:a", false, true},
		{"NONCLUSTERED keyword wins over mode",
			"create table t (a bigint primary key /*T![clustered_index] NONCLUSTERED */, b int)", Options{}, "1:PRIMARY:a", false, false},
		{"CLUSTERED keyword wins over OFF mode",
			"create table t (a varchar(3), b int, primary key (a) /*T![clustered_index] CLUSTERED */)", Options{Clustered: ClusteredOff}, "1:PRIMARY:a", false, true},
		{"OFF mode: int PK is an ordinary unique index",
			"create table t (a int primary key)", Options{Clustered: ClusteredOff}, "1:PRIMARY:a", false, false},
		{"unnamed keys take the first column's name, then _2 (setEmptyConstraintName)",
			"create table t (a int, key (a), unique (a))", Options{}, "1:a:a 2:a_2:a", false, false},
		{"FULLTEXT gets no ID",
			"create table t (a int, b text, fulltext key ft (b), key ka (a))", Options{}, "1:ka:a", false, false},
		{"foreign key covered by a prefix of an index needs none",
			"create table t (a int, b int, key kab (a, b), foreign key (a) references p (x))", Options{}, "1:kab:a+b", false, false},
		{"uncovered foreign key gets an implicit index named after the FK",
			"create table t (a int, b int, key kb (b), constraint fka foreign key (a) references p (x))", Options{}, "1:kb:b 2:fka:a", false, false},
		{"unnamed uncovered foreign key is fk_1",
			"create table t (a int, foreign key (a) references p (x))", Options{}, "1:fk_1:a", false, false},
		{"foreign key indexes can be disabled",
			"create table t (a int, foreign key (a) references p (x))", Options{NoForeignKeyIndexes: true}, "", false, false},
	}
	for _, c := range cases {
		tbl := build(t, c.sql, c.opt)
		if got := indexSummary(tbl); got != c.indexes || tbl.PKIsHandle != c.pkHandle || tbl.IsCommonHandle != c.common {
			t.Errorf("%s:\n got %q handle=%v common=%v\nwant %q handle=%v common=%v", c.rule, got, tbl.PKIsHandle, tbl.IsCommonHandle, c.indexes, c.pkHandle, c.common)
		}
	}
}

func TestColumnRules(t *testing.T) {
	tbl := build(t, "create table t ("+
		"a decimal, b float(30), c datetime, d bit, e char, f year, g varchar(5) binary, "+
		"h varchar(5) charset latin1, i text(50), j blob, k enum('x','y') collate utf8mb4_general_ci, "+
		"l bigint /*T![auto_rand] AUTO_RANDOM(6, 60) */ primary key, "+
		"m timestamp(3) default current_timestamp(3), n int as (a + 1) stored, o int default -5, "+
		"p varbinary(4) default 0x4142, q int default 0x10, r text charset binary, s json, "+
		"u int unsigned, v bigint unsigned, w varchar(20) default (uuid())"+
		") charset utf8 /*T! SHARD_ROW_ID_BITS=4 */ AUTO_INCREMENT=9", Options{})
	type want struct {
		tp        byte
		flen, dec int
		cs, co    string
	}
	wants := map[string]want{
		"a": {mysql.TypeNewDecimal, 10, 0, "binary", "binary"},
		"b": {mysql.TypeDouble, 22, -1, "binary", "binary"},
		"c": {mysql.TypeDatetime, 19, 0, "binary", "binary"},
		"d": {mysql.TypeBit, 1, 0, "binary", "binary"},
		"e": {mysql.TypeString, 1, 0, "utf8", "utf8_bin"},
		"f": {mysql.TypeYear, 4, 0, "binary", "binary"},
		"g": {mysql.TypeVarchar, 5, 0, "utf8", "utf8_bin"},
		"h": {mysql.TypeVarchar, 5, 0, "latin1", "latin1_bin"},
		"i": {mysql.TypeTinyBlob, 255, 0, "utf8", "utf8_bin"},
		"j": {mysql.TypeBlob, 65535, 0, "binary", "binary"},
		"k": {mysql.TypeEnum, 1, 0, "utf8mb4", "utf8mb4_general_ci"},
		"m": {mysql.TypeTimestamp, 23, 3, "binary", "binary"},
		"r": {mysql.TypeBlob, 65535, 0, "binary", "binary"},
		"s": {mysql.TypeJSON, 4294967295, 0, "binary", "binary"},
		"u": {mysql.TypeLong, 10, 0, "binary", "binary"},
		"v": {mysql.TypeLonglong, 20, 0, "binary", "binary"},
	}
	for name, w := range wants {
		c := tbl.Column(name)
		if c.Tp != w.tp || c.Flen != w.flen || c.Decimal != w.dec || c.Charset != w.cs || c.Collate != w.co {
			t.Errorf("%s: got tp %d flen %d dec %d %s/%s, want %+v", name, c.Tp, c.Flen, c.Decimal, c.Charset, c.Collate, w)
		}
	}
	if !tbl.PKIsHandle || tbl.AutoRandomBits != 6 || tbl.AutoRandomRangeBits != 60 || !tbl.Column("l").AutoRandom {
		t.Errorf("auto random: %+v", tbl)
	}
	if tbl.ShardRowIDBits != 0 {
		t.Errorf("shard_row_id_bits must be ignored with a clustered PK, got %d", tbl.ShardRowIDBits)
	}
	if tbl.AutoIncrementBase != 9 {
		t.Errorf("auto_increment base %d", tbl.AutoIncrementBase)
	}
	if c := tbl.Column("m"); !c.DefaultIsNow {
		t.Errorf("m %+v", c)
	}
	if c := tbl.Column("n"); c.GeneratedExpr != "`a` + 1" || !c.GeneratedStored {
		t.Errorf("n generated %q %v", c.GeneratedExpr, c.GeneratedStored)
	}
	if c := tbl.Column("o"); c.Default != "-5" {
		t.Errorf("o default %q", c.Default)
	}
	if c := tbl.Column("p"); c.Default != "AB" {
		t.Errorf("p default %q", c.Default)
	}
	if c := tbl.Column("q"); c.Default != "16" {
		t.Errorf("q default %q", c.Default)
	}
	if c := tbl.Column("w"); !c.DefaultIsExpr || c.Default != "uuid()" {
		t.Errorf("w default %q expr=%v", c.Default, c.DefaultIsExpr)
	}
	if tbl.Charset != "utf8" || tbl.Collate != "utf8_bin" {
		t.Errorf("table charset %s/%s", tbl.Charset, tbl.Collate)
	}
	tbl2 := build(t, "create table t (a int) /*T! SHARD_ROW_ID_BITS=4 */", Options{})
	if tbl2.ShardRowIDBits != 4 {
		t.Errorf("shard_row_id_bits %d", tbl2.ShardRowIDBits)
	}
}

func TestDatabaseDefaults(t *testing.T) {
	tbl, _, err := ParseCreateTable("create table t (a varchar(3))", DBDefaults{Name: "d", Charset: "latin1"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := tbl.Columns[0]; c.Charset != "latin1" || c.Collate != "latin1_bin" {
		t.Errorf("db default charset not inherited: %s/%s", c.Charset, c.Collate)
	}
	tbl, _, _ = ParseCreateTable("create table t (a varchar(3))", DBDefaults{Name: "d", Collate: "utf8mb4_unicode_ci"}, 1)
	if c := tbl.Columns[0]; c.Charset != "utf8mb4" || c.Collate != "utf8mb4_unicode_ci" {
		t.Errorf("db default collation not inherited: %s/%s", c.Charset, c.Collate)
	}
}

func TestErrors(t *testing.T) {
	_, _, err := ParseCreateTable("create table t (a int, j json, key ((json_extract(j, '$.x'))))", DBDefaults{}, 1)
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "json_extract") {
		t.Errorf("expression index of an unsupported function: %v", err)
	}
	_, _, err = ParseCreateTable("/*!40101 SET NAMES binary*/;", DBDefaults{}, 1)
	if !errors.Is(err, ErrNoCreateTable) {
		t.Errorf("no create: %v", err)
	}
	_, _, err = ParseCreateTable("create table t (a int, key k (zz))", DBDefaults{}, 1)
	if err == nil {
		t.Errorf("unknown index column accepted")
	}
}

func FuzzParseCreateTable(f *testing.F) {
	f.Add("create table t (a int primary key, b varchar(3), g geometry, key (b), spatial key (g))")
	f.Add("/*!40101 SET NAMES binary*/; CREATE TABLE x (`a` point /*!80003 SRID 0 */ NOT NULL)")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = ParseCreateTable(s, DBDefaults{Name: "d"}, 1)
	})
}

// TestExpressionIndex: each expression part gets the hidden virtual column
// TiDB adds (_V$_{index}_{part}, the next column ID, after every column)
// with the type TiDB infers, and the index indexes it.
func TestExpressionIndex(t *testing.T) {
	tbl, _, err := ParseCreateTable("create table t (a int, v varchar(20) collate utf8mb4_general_ci, d datetime, "+
		"key ((lower(v))), key kd (a, (year(d)), (cast(v as char(5)))), key ku ((a + 1)), key kc ((concat(v, ' ', a))), "+
		"key kj ((cast(v as char(8)) collate utf8mb4_unicode_ci)))", DBDefaults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		name, expr, coll string
		id               int64
		tp               byte
		flen             int
		unsigned         bool
	}
	wants := []want{
		{"_V$_expression_index_0", "lower(`v`)", "utf8mb4_general_ci", 4, mysql.TypeVarchar, 20, false},
		{"_V$_kd_1", "year(`d`)", "binary", 5, mysql.TypeLonglong, 20, false},
		{"_V$_kd_2", "cast(`v` as char(5))", "utf8mb4_bin", 6, mysql.TypeVarchar, 5, false},
		{"_V$_ku_0", "`a` + 1", "binary", 7, mysql.TypeLonglong, 20, false},
		{"_V$_kc_0", "concat(`v`, _utf8mb4' ', `a`)", "utf8mb4_general_ci", 8, mysql.TypeVarchar, 20 + 1 + 11, false},
		{"_V$_kj_0", "cast(`v` as char(8)) collate utf8mb4_unicode_ci", "utf8mb4_unicode_ci", 9, mysql.TypeVarchar, 8, false},
	}
	if len(tbl.Columns) != 3+len(wants) {
		t.Fatalf("%d columns, want %d", len(tbl.Columns), 3+len(wants))
	}
	for i, w := range wants {
		c := tbl.Columns[3+i]
		if c.Name != w.name || c.GeneratedExpr != w.expr || c.GeneratedStored || !c.Hidden || c.ID != w.id ||
			c.Tp != w.tp || c.Flen != w.flen || c.Collate != w.coll || c.Unsigned != w.unsigned {
			t.Errorf("hidden column %d: %+v, want %+v", i, c, w)
		}
	}
	if ix := tbl.Indexes[1]; ix.Name != "kd" || len(ix.Columns) != 3 || ix.Columns[0].Offset != 0 || ix.Columns[1].Offset != 4 || ix.Columns[2].Offset != 5 {
		t.Errorf("index kd %+v", ix)
	}
	if _, _, err := ParseCreateTable("create table t (a int, key ((a)))", DBDefaults{}, 1); err == nil {
		t.Error("an expression index part that is a bare column accepted")
	}
}

func TestRenameCreateTable(t *testing.T) {
	got, err := RenameCreateTable("/*!40101 SET NAMES binary*/;\nCREATE TABLE `shard_0`.`orders_0` (`id` bigint NOT NULL /*T![auto_rand] AUTO_RANDOM(5) */, PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */);", "orders")
	if err != nil {
		t.Fatal(err)
	}
	tbl, _, err := ParseCreateTable(got, DBDefaults{Name: "shop"}, 1)
	if err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if tbl.Name != "orders" || !strings.Contains(got, "SET NAMES") || tbl.AutoRandomBits != 5 || !tbl.PKIsHandle {
		t.Errorf("renamed schema %q: table %s, auto_random %d", got, tbl.Name, tbl.AutoRandomBits)
	}
	// Backslashes survive: ENUM('x\\y') is the member x\y.
	got, err = RenameCreateTable(`CREATE TABLE a (e ENUM('x\\y','z'))`, "b")
	if err != nil {
		t.Fatal(err)
	}
	if tbl, _, err := ParseCreateTable(got, DBDefaults{Name: "d"}, 1); err != nil || tbl.Columns[0].Elems[0] != `x\y` {
		t.Errorf("%s: elems %q, %v", got, tbl.Columns[0].Elems, err)
	}
	if _, err := RenameCreateTable("SET NAMES binary;", "x"); !errors.Is(err, ErrNoCreateTable) {
		t.Errorf("no CREATE TABLE: %v", err)
	}
}
