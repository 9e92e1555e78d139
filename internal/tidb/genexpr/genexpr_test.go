package genexpr

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

const ordersTable = "CREATE TABLE orders (" +
	"id INT PRIMARY KEY," +
	"j JSON," +
	"price DECIMAL(10,2)," +
	"qty INT," +
	"d DATE," +
	"name VARCHAR(20) AS (j->>'$.name') STORED," +
	"y INT AS (YEAR(d)) VIRTUAL," +
	"total DECIMAL(10,2) AS (price * qty) STORED," +
	"total_tax DECIMAL(12,3) AS (total * 1.0825) VIRTUAL," +
	"tags JSON AS (JSON_EXTRACT(j, '$.tags')) VIRTUAL," +
	"upper_name VARCHAR(20) GENERATED ALWAYS AS (UPPER(name)) STORED," +
	"late TINYINT AS (d > '2024-01-01')," +
	"half INT AS (qty / 2)," +
	"label VARCHAR(40) AS (CONCAT_WS('-', name, y, DATE_FORMAT(d, '%b')))," +
	"KEY idx_y (y))"

// TestTableEval runs whole rows through valueconv's RowBuilder with the
// evaluator, as the encoder does, and checks the generated columns in
// MySQL's text form.
func TestTableEval(t *testing.T) {
	tbl := mustTable(t, ordersTable)
	ev, err := Compile(tbl, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	conv := newConverter(t, tbl, time.UTC)
	rb, err := valueconv.NewRowBuilder(conv, nil, ev.Bind(conv))
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) literal.Field { return literal.Field{Kind: literal.FieldString, Bytes: []byte(s)} }
	num := func(s string) literal.Field { return literal.Field{Kind: literal.FieldNumber, Bytes: []byte(s)} }
	null := literal.Field{Kind: literal.FieldNull}
	cases := []struct {
		fields []literal.Field
		want   map[string]string
	}{
		{
			[]literal.Field{num("1"), str(`{"name": "Alice", "tags": ["x"]}`), str("19.99"), num("3"), str("2024-02-29")},
			map[string]string{
				"name": "Alice", "y": "2024", "total": "59.97",
				// 59.97 * 1.0825 = 64.917525, rounded half up to 3 places.
				"total_tax": "64.918", "tags": `["x"]`, "upper_name": "ALICE",
				"late": "1",
				// 3 / 2 is DECIMAL 1.5000; the INT column rounds it half up.
				"half":  "2",
				"label": "Alice-2024-Feb",
			},
		},
		{
			[]literal.Field{num("2"), str(`{"tags": []}`), null, num("4"), str("2023-06-01")},
			map[string]string{
				"name": "NULL", "y": "2023", "total": "NULL", "total_tax": "NULL",
				"tags": "[]", "upper_name": "NULL", "late": "0", "half": "2",
				"label": "2023-Jun",
			},
		},
	}
	for i, tc := range cases {
		row := make([]datum.Datum, len(tbl.Columns))
		if _, err := rb.Build(tc.fields, int64(i+1), row); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		for name, want := range tc.want {
			col := tbl.Column(name)
			got := "NULL"
			if !row[col.Offset].IsNull() {
				got = string(valueconv.FormatText(col, &row[col.Offset], time.UTC, nil))
			}
			if got != want {
				t.Errorf("row %d: %s = %q, want %q", i, name, got, want)
			}
		}
	}
}

// TestEvalOrder: a generated column reading a later-defined generated
// column (allowed in TableInfo from elsewhere) is evaluated after it.
func TestEvalOrder(t *testing.T) {
	tbl := mustTable(t, "CREATE TABLE t (a INT, b INT AS (a + 1), c INT AS (b * 10))")
	// Swap the expressions so that b depends on c.
	b, c := tbl.Column("b"), tbl.Column("c")
	b.GeneratedExpr, c.GeneratedExpr = "`c` * 10", "`a` + 1"
	ev, err := Compile(tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cols := ev.Columns(); len(cols) != 2 || cols[0].Name != "c" || cols[1].Name != "b" {
		t.Fatalf("order %v", cols)
	}
	conv := newConverter(t, tbl, time.UTC)
	row := fillRow(t, conv, tbl, map[string]*string{"a": sp("4")})
	if err := ev.Bind(conv).Eval(row); err != nil {
		t.Fatal(err)
	}
	if row[b.Offset].I != 50 || row[c.Offset].I != 5 {
		t.Errorf("b=%d c=%d, want 50 and 5", row[b.Offset].I, row[c.Offset].I)
	}

	c.GeneratedExpr = "`b` + 1"
	if _, err := Compile(tbl, nil); !errors.Is(err, ErrCompile) || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		column, expr string
		function     string // an *UnsupportedError naming it, or "" for ErrCompile
	}{
		{"g", "WEIGHT_STRING(`a`)", "weight_string"},
		{"g", "NOW()", "now"},
		{"g", "RAND() + `a`", "rand"},
		{"g", "UUID()", "uuid"},
		{"g", "CONCAT(`a`, UNIX_TIMESTAMP())", "unix_timestamp"},
		{"g", "`a` + @x", "variable"},
		{"g", "UNCOMPRESS(`a`)", "uncompress"},
		{"g", "`a` + `nope`", ""},
		{"g", "SUBSTRING(`a`)", ""},
		{"g", "`a` +", ""},
	}
	for _, tc := range cases {
		tbl := mustTable(t, "CREATE TABLE t (a INT, g INT AS (a + 1))")
		tbl.Column(tc.column).GeneratedExpr = tc.expr
		_, err := Compile(tbl, nil)
		var ue *UnsupportedError
		switch {
		case tc.function != "":
			if !errors.As(err, &ue) || ue.Function != tc.function || ue.Table != "t" || ue.Column != "g" {
				t.Errorf("%s: %v, want UnsupportedError for %s", tc.expr, err, tc.function)
			}
		case !errors.Is(err, ErrCompile):
			t.Errorf("%s: %v, want ErrCompile", tc.expr, err)
		}
	}
	// Through the DDL text as well: the error names table and column.
	tbl := mustTable(t, "CREATE TABLE items (a VARCHAR(10), s VARCHAR(10) AS (WEIGHT_STRING(a)) VIRTUAL)")
	_, err := Compile(tbl, nil)
	if err == nil || !strings.Contains(err.Error(), "items") || !strings.Contains(err.Error(), "weight_string") {
		t.Errorf("error %v does not name the table and function", err)
	}
}

// TestStoreStrict: the cast of a result to its column follows the SQL
// mode like a dump value: 59.97 does not fit DECIMAL(2,1), '3abc' not
// VARCHAR(3).
func TestStoreStrict(t *testing.T) {
	tbl := mustTable(t, "CREATE TABLE t (p DECIMAL(10,2), q INT, total DECIMAL(2,1) AS (p * q), s VARCHAR(3) AS (CONCAT(q, 'abc')))")
	ev, err := Compile(tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	conv := newConverter(t, tbl, time.UTC)
	row := fillRow(t, conv, tbl, map[string]*string{"p": sp("19.99"), "q": sp("3")})
	if err := ev.Bind(conv).Eval(row); err == nil || !strings.Contains(err.Error(), "total") {
		t.Errorf("overflow not reported: %v", err)
	}
	tbl.Column("total").GeneratedExpr = "`p`"
	tbl.Column("total").Decimal, tbl.Column("total").Flen = 2, 10
	row = fillRow(t, conv, tbl, map[string]*string{"p": sp("19.99"), "q": sp("3")})
	ev, err = Compile(tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.Bind(conv).Eval(row); !errors.Is(err, valueconv.ErrTruncated) || !strings.Contains(err.Error(), "column s") {
		t.Errorf("too long not reported: %v", err)
	}
}

// TestFloatToIntColumn: a DOUBLE result reaches an INT column rounded half
// to even, as TiDB's ConvertFloatToInt (types.RoundFloat) does.
func TestFloatToIntColumn(t *testing.T) {
	tbl := mustTable(t, "CREATE TABLE t (f DOUBLE, i INT AS (f * 1), j INT AS (f + 1))")
	ev, err := Compile(tbl, nil)
	if err != nil {
		t.Fatal(err)
	}
	conv := newConverter(t, tbl, time.UTC)
	row := fillRow(t, conv, tbl, map[string]*string{"f": sp("2.5")})
	if err := ev.Bind(conv).Eval(row); err != nil {
		t.Fatal(err)
	}
	if row[1].I != 2 || row[2].I != 4 {
		t.Errorf("i=%d j=%d, want 2 and 4", row[1].I, row[2].I)
	}
}

func BenchmarkTableEval(b *testing.B) {
	tbl := mustTable(b, ordersTable)
	ev, err := Compile(tbl, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	conv := newConverter(b, tbl, time.UTC)
	base := fillRow(b, conv, tbl, map[string]*string{
		"id": sp("1"), "j": sp(`{"name": "Alice", "tags": ["x"]}`), "price": sp("19.99"), "qty": sp("3"), "d": sp("2024-02-29"),
	})
	bound := ev.Bind(conv)
	row := make([]datum.Datum, len(base))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(row, base)
		if err := bound.Eval(row); err != nil {
			b.Fatal(err)
		}
	}
}
