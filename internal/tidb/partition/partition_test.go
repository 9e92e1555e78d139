package partition

import (
	"errors"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

func table(t *testing.T, ddl string) *tablemodel.Table {
	t.Helper()
	tb, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: "db"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func locator(t *testing.T, tb *tablemodel.Table) *Locator {
	t.Helper()
	l, err := Compile(tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// row converts SQL-literal-like fields to tb's column types as the
// encoder does: "NULL" is NULL, a quoted 'text' a string, anything else a
// number.
func row(t *testing.T, tb *tablemodel.Table, fields ...string) []datum.Datum {
	t.Helper()
	conv, err := valueconv.NewConverter(tb, valueconv.Session{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]datum.Datum, len(tb.Columns))
	for i, f := range fields {
		var fd literal.Field
		switch {
		case f == "NULL":
			fd.Kind = literal.FieldNull
		case strings.HasPrefix(f, "'"):
			fd.Kind, fd.Bytes = literal.FieldString, []byte(strings.Trim(f, "'"))
		default:
			fd.Kind, fd.Bytes = literal.FieldNumber, []byte(f)
		}
		if err := conv.Convert(i, fd, &out[i]); err != nil {
			t.Fatalf("column %d value %s: %v", i, f, err)
		}
	}
	return out
}

func check(t *testing.T, l *Locator, row []datum.Datum, want int) {
	t.Helper()
	got, err := l.Locate(row)
	if err != nil {
		t.Fatalf("row %v: %v", row, err)
	}
	if got != want {
		t.Errorf("row %v: partition %d, want %d", row, got, want)
	}
}

func TestUnpartitioned(t *testing.T) {
	if l, err := Compile(table(t, "CREATE TABLE t (a INT)"), nil); l != nil || err != nil {
		t.Fatalf("unpartitioned table: %v, %v", l, err)
	}
}

func TestHash(t *testing.T) {
	tb := table(t, "CREATE TABLE t (a INT, b BIGINT UNSIGNED) PARTITION BY HASH(a) PARTITIONS 4")
	if got := tb.PhysicalIDs(); len(got) != 4 || got[0] != 101 || got[3] != 104 || tb.MaxID() != 104 || tb.Partition.Defs[3].Name != "p3" {
		t.Fatalf("partitions %+v", tb.Partition.Defs)
	}
	l := locator(t, tb)
	check(t, l, row(t, tb, "1", "NULL"), 1)
	check(t, l, row(t, tb, "8", "NULL"), 0)
	check(t, l, row(t, tb, "-7", "NULL"), 3) // -7 % 4 = -3: its absolute value
	check(t, l, row(t, tb, "NULL", "NULL"), 0)

	// An unsigned value is taken as int64: 2^63+1 is -(2^63-1).
	ub := table(t, "CREATE TABLE t (a INT, b BIGINT UNSIGNED) PARTITION BY HASH(b) PARTITIONS 3")
	check(t, locator(t, ub), row(t, ub, "NULL", "9223372036854775809"), int(-(-(1<<63 - 1))%3))

	// FLOOR of a DECIMAL is an integer (TiDB types it so).
	dt := table(t, "CREATE TABLE t (d DECIMAL(10,2)) PARTITION BY HASH(FLOOR(d)) PARTITIONS 4")
	check(t, locator(t, dt), row(t, dt, "7.99"), 3)

	// LINEAR HASH is HASH, with a warning.
	lt, warns, err := tablemodel.ParseCreateTable("CREATE TABLE t (a INT) PARTITION BY LINEAR HASH(a) PARTITIONS 4", tablemodel.DBDefaults{Name: "db"}, 100)
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0], "LINEAR") {
		t.Fatalf("LINEAR HASH: %v, %q", err, warns)
	}
	check(t, locator(t, lt), row(t, lt, "6"), 2)
}

func TestRange(t *testing.T) {
	tb := table(t, `CREATE TABLE t (id INT, d DATE) PARTITION BY RANGE (YEAR(d)) (
		PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010), PARTITION p2 VALUES LESS THAN MAXVALUE)`)
	l := locator(t, tb)
	check(t, l, row(t, tb, "1", "'1999-12-31'"), 0)
	check(t, l, row(t, tb, "1", "'2000-01-01'"), 1)
	check(t, l, row(t, tb, "1", "'2099-01-01'"), 2)
	check(t, l, row(t, tb, "1", "NULL"), 0) // NULL: the lowest partition

	bt := table(t, `CREATE TABLE t (id INT) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10))`)
	if _, err := locator(t, bt).Locate(row(t, bt, "10")); !errors.Is(err, ErrNoPartition) || !strings.Contains(err.Error(), "10") {
		t.Errorf("value above the last bound: %v", err)
	}
}

func TestRangeColumns(t *testing.T) {
	tb := table(t, `CREATE TABLE t (a INT, s VARCHAR(10)) PARTITION BY RANGE COLUMNS (a, s) (
		PARTITION p0 VALUES LESS THAN (10, 'm'), PARTITION p1 VALUES LESS THAN (10, MAXVALUE), PARTITION p2 VALUES LESS THAN (MAXVALUE, MAXVALUE))`)
	l := locator(t, tb)
	check(t, l, row(t, tb, "5", "'zzz'"), 0)  // 5 < 10
	check(t, l, row(t, tb, "10", "'a'"), 0)   // (10, a) < (10, m)
	check(t, l, row(t, tb, "10", "'x'"), 1)   // (10, x) <= (10, MAXVALUE)
	check(t, l, row(t, tb, "11", "'a'"), 2)   // 11 > 10
	check(t, l, row(t, tb, "NULL", "'z'"), 0) // NULL first
	check(t, l, row(t, tb, "10", "NULL"), 0)

	ci := table(t, `CREATE TABLE t (s VARCHAR(10) COLLATE utf8mb4_general_ci) PARTITION BY RANGE COLUMNS (s) (
		PARTITION p0 VALUES LESS THAN ('m'), PARTITION p1 VALUES LESS THAN (MAXVALUE))`)
	check(t, locator(t, ci), row(t, ci, "'B'"), 0) // 'B' < 'm' under the column's collation
	check(t, locator(t, ci), row(t, ci, "'N'"), 1)

	dt := table(t, `CREATE TABLE t (d DATE) PARTITION BY RANGE COLUMNS (d) (
		PARTITION p0 VALUES LESS THAN ('2020-1-1'), PARTITION p1 VALUES LESS THAN ('2021-01-01 00:00:00'))`)
	dl := locator(t, dt)
	check(t, dl, row(t, dt, "'2019-12-31'"), 0)
	check(t, dl, row(t, dt, "'2020-01-01'"), 1)
	if _, err := dl.Locate(row(t, dt, "'2021-01-01'")); !errors.Is(err, ErrNoPartition) {
		t.Errorf("date past the last bound: %v", err)
	}
}

func TestList(t *testing.T) {
	tb := table(t, `CREATE TABLE t (a INT) PARTITION BY LIST (a) (
		PARTITION p0 VALUES IN (1, 3, NULL), PARTITION p1 VALUES IN (2, 4))`)
	l := locator(t, tb)
	check(t, l, row(t, tb, "3"), 0)
	check(t, l, row(t, tb, "4"), 1)
	check(t, l, row(t, tb, "NULL"), 0)
	if _, err := l.Locate(row(t, tb, "5")); !errors.Is(err, ErrNoPartition) {
		t.Errorf("value in no list: %v", err)
	}

	dt := table(t, `CREATE TABLE t (a INT, s VARCHAR(5)) PARTITION BY LIST COLUMNS (s) (
		PARTITION p0 VALUES IN ('a', 'b'), PARTITION pd DEFAULT)`)
	if !dt.Partition.Defs[1].IsDefault() {
		t.Fatalf("DEFAULT partition: %+v", dt.Partition.Defs[1])
	}
	d := locator(t, dt)
	check(t, d, row(t, dt, "NULL", "'b'"), 0)
	check(t, d, row(t, dt, "NULL", "'q'"), 1)
	check(t, d, row(t, dt, "NULL", "NULL"), 1)

	// Bounds take their column's type: BINARY(4) 'ab' is ab\0\0, as the
	// rows' values are.
	bt := table(t, `CREATE TABLE t (b BINARY(4)) PARTITION BY LIST COLUMNS (b) (PARTITION p0 VALUES IN ('ab'), PARTITION p1 VALUES IN ('cd'))`)
	check(t, locator(t, bt), row(t, bt, "'cd'"), 1)

	// A backslash in a bound is kept: 'a\\b' is a\b.
	bs := table(t, `CREATE TABLE t (s VARCHAR(5)) PARTITION BY LIST COLUMNS (s) (PARTITION p0 VALUES IN ('a\\b'), PARTITION p1 VALUES IN ('ab'))`)
	check(t, locator(t, bs), row(t, bs, `'a\b'`), 0)

	// LIST COLUMNS over two columns matches whole tuples.
	mt := table(t, `CREATE TABLE t (a INT, s VARCHAR(5)) PARTITION BY LIST COLUMNS (a, s) (
		PARTITION p0 VALUES IN ((1, 'a'), (2, 'b')), PARTITION p1 VALUES IN ((1, 'b')))`)
	m := locator(t, mt)
	check(t, m, row(t, mt, "1", "'a'"), 0)
	check(t, m, row(t, mt, "1", "'b'"), 1)
	if _, err := m.Locate(row(t, mt, "2", "'a'")); !errors.Is(err, ErrNoPartition) {
		t.Errorf("(2, a) is in no tuple: %v", err)
	}
}

// TestKey pins TiDB's KEY partitioning (not MySQL's): CRC-32 IEEE of the
// columns' hash keys (a number's decimal text, a string's collation key,
// 0x00 for NULL), modulo the number of partitions.
func TestKey(t *testing.T) {
	tb := table(t, `CREATE TABLE t (a INT, s VARCHAR(10) COLLATE utf8mb4_general_ci, PRIMARY KEY (a, s)) PARTITION BY KEY() PARTITIONS 5`)
	if got := tb.Partition.Columns; len(got) != 2 || got[0] != "a" || got[1] != "s" {
		t.Fatalf("KEY() columns %v, want the primary key's", got)
	}
	l := locator(t, tb)
	// general_ci: "Ab " -> trailing space trimmed, each rune's 16-bit weight
	// (A and a both weigh 0x0041, b 0x0042).
	want := crc32.ChecksumIEEE([]byte("-12\x00\x41\x00\x42")) % 5
	check(t, l, row(t, tb, "-12", "'Ab '"), int(want))
	check(t, l, row(t, tb, "-12", "'aB'"), int(want))

	nt := table(t, `CREATE TABLE t (a INT, d DECIMAL(6,2)) PARTITION BY KEY(a, d) PARTITIONS 7`)
	want = crc32.ChecksumIEEE([]byte("\x001.50")) % 7
	check(t, locator(t, nt), row(t, nt, "NULL", "1.5"), int(want))
}

func TestUnsupported(t *testing.T) {
	for _, ddl := range []string{
		"CREATE TABLE t (a INT, d DATE) PARTITION BY RANGE (a) SUBPARTITION BY HASH(a) SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (10))",
	} {
		if _, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: "db"}, 100); !errors.Is(err, tablemodel.ErrUnsupported) {
			t.Errorf("%s: %v", ddl, err)
		}
	}
	bt := table(t, "CREATE TABLE t (a BIT(8)) PARTITION BY KEY(a) PARTITIONS 2")
	if _, err := Compile(bt, nil); !errors.Is(err, tablemodel.ErrUnsupported) {
		t.Errorf("KEY over BIT: %v", err)
	}
}

// TestKeyTimestamp: a TIMESTAMP hashes as its text in the session time
// zone (the row holds it in UTC).
func TestKeyTimestamp(t *testing.T) {
	tb := table(t, "CREATE TABLE t (a TIMESTAMP(3)) PARTITION BY KEY(a) PARTITIONS 7")
	plus2 := time.FixedZone("+02:00", 2*3600)
	conv, err := valueconv.NewConverter(tb, valueconv.Session{Loc: plus2})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]datum.Datum, 1)
	if err := conv.Convert(0, literal.Field{Kind: literal.FieldString, Bytes: []byte("2024-01-02 03:04:05.5")}, &row[0]); err != nil {
		t.Fatal(err)
	}
	l, err := Compile(tb, plus2)
	if err != nil {
		t.Fatal(err)
	}
	check(t, l, row, int(crc32.ChecksumIEEE([]byte("2024-01-02 03:04:05.500"))%7))
}

// TestKeyHashText: the text each kind hashes as (TiDB's Datum.ToString,
// then the collation key for strings, ENUM and SET names).
func TestKeyHashText(t *testing.T) {
	tb := table(t, `CREATE TABLE t (d DOUBLE, f FLOAT, y YEAR, e ENUM('abc','def') COLLATE utf8mb4_general_ci)
		PARTITION BY KEY(d, f, y, e) PARTITIONS 97`)
	l := locator(t, tb)
	// 1e15 as 1000000000000000 (no exponent), FLOAT 1.5 as 1.5, YEAR 0
	// as 0, 'abc' under general_ci as its weights.
	want := crc32.ChecksumIEEE([]byte("1000000000000000" + "1.5" + "0" + "\x00\x41\x00\x42\x00\x43"))
	check(t, l, row(t, tb, "1e15", "1.5", "0", "'abc'"), int(want%97))
}
