package valueconv

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

const testSchema = `create table t (
 ti tinyint, tu tinyint unsigned, si smallint, mi mediumint unsigned, i int, bi bigint, bu bigint unsigned,
 f float, d double, f2 float(7,3), dec1 decimal(6,2), dec0 decimal,
 dt datetime(3), da date, ts timestamp(6), tm time(1), y year,
 c char(3), vc varchar(4), tx tinytext, bn binary(4), vb varbinary(3), asc1 varchar(3) charset ascii, u3 varchar(3) charset utf8,
 e enum('a','B c','d') collate utf8mb4_general_ci, eb enum('x','Y'), st set('p','q','r'), b bit(10), bb bool,
 nn int not null, dflt int not null default 42, dnow datetime default current_timestamp)`

func newConv(t *testing.T, mode sqlmode.Mode) *Converter {
	t.Helper()
	tbl, _, err := tablemodel.ParseCreateTable(testSchema, tablemodel.DBDefaults{Name: "d"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("+08", 8*3600)
	c, err := NewConverter(tbl, Session{Mode: mode, Loc: loc, Now: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func str(s string) literal.Field {
	return literal.Field{Kind: literal.FieldString, Bytes: []byte(s)}
}
func num(s string) literal.Field {
	return literal.Field{Kind: literal.FieldNumber, Bytes: []byte(s)}
}
func hexf(b ...byte) literal.Field {
	return literal.Field{Kind: literal.FieldHex, Bytes: b}
}

func TestConvert(t *testing.T) {
	c := newConv(t, sqlmode.StrictAll)
	cases := []struct {
		col  string
		in   literal.Field
		kind datum.Kind
		text string // FormatText of the result (MySQL's SELECT output)
		err  error
	}{
		{"ti", num("127"), datum.Int64, "127", nil},
		{"ti", num("-128"), datum.Int64, "-128", nil},
		{"ti", num("128"), 0, "", ErrOutOfRange},
		{"ti", str("1.5"), datum.Int64, "2", nil},   // MySQL rounds '1.5' -> 2
		{"ti", str("-2.5"), datum.Int64, "-3", nil}, // half away from zero
		{"ti", str(" 7 "), datum.Int64, "7", nil},
		{"ti", str(""), 0, "", ErrTruncated},
		{"ti", str("12abc"), 0, "", ErrTruncated},
		{"ti", str("1e2"), datum.Int64, "100", nil},
		{"tu", num("255"), datum.Uint64, "255", nil},
		{"tu", num("-1"), 0, "", ErrOutOfRange},
		{"tu", num("256"), 0, "", ErrOutOfRange},
		{"si", num("-32768"), datum.Int64, "-32768", nil},
		{"mi", num("16777215"), datum.Uint64, "16777215", nil},
		{"mi", num("16777216"), 0, "", ErrOutOfRange},
		{"i", num("-2147483648"), datum.Int64, "-2147483648", nil},
		{"i", num("2147483648"), 0, "", ErrOutOfRange},
		{"i", hexf(0x01, 0x00), datum.Int64, "256", nil},
		{"bi", num("-9223372036854775808"), datum.Int64, "-9223372036854775808", nil},
		{"bi", num("9223372036854775808"), 0, "", ErrOutOfRange},
		{"bu", num("18446744073709551615"), datum.Uint64, "18446744073709551615", nil},
		{"bu", num("18446744073709551616"), 0, "", ErrOutOfRange},
		{"f", num("3.14"), datum.Float32, "3.14", nil},
		{"f", num("1e39"), 0, "", ErrOutOfRange},
		{"d", num("9.85967654375977e-305"), datum.Float64, "9.85967654375977e-305", nil},
		{"d", num("1.0142320547350045e304"), datum.Float64, "1.0142320547350045e304", nil},
		{"d", num("18446744073709551614"), datum.Float64, "1.8446744073709552e19", nil},
		{"d", str("abc"), 0, "", ErrTruncated},
		{"f2", num("1.23456"), datum.Float32, "1.235", nil},
		{"f2", num("10000"), 0, "", ErrOutOfRange},
		{"dec1", str("4.99"), datum.Decimal, "4.99", nil},
		{"dec1", num("1.005"), datum.Decimal, "1.01", nil},
		{"dec1", num("-7"), datum.Decimal, "-7.00", nil},
		{"dec1", num("10000"), 0, "", ErrOutOfRange},
		{"dec1", str("x"), 0, "", ErrTruncated},
		{"dec0", num("1234567890"), datum.Decimal, "1234567890", nil},
		{"dt", str("2006-02-15 04:34:33.12345"), datum.Time, "2006-02-15 04:34:33.123", nil},
		{"dt", str("2006-02-15 04:34:33.9996"), datum.Time, "2006-02-15 04:34:34.000", nil},
		{"dt", str("2006-02-30"), 0, "", ErrInvalidValue},
		{"da", str("2006-02-15 04:34:33"), datum.Time, "2006-02-15", nil},
		{"da", num("20060215"), datum.Time, "2006-02-15", nil},
		{"ts", str("2020-01-01 08:00:00"), datum.Time, "2020-01-01 08:00:00.000000", nil},
		{"tm", str("-838:59:59"), datum.Duration, "-838:59:59.0", nil},
		{"tm", str("12:34:56.78"), datum.Duration, "12:34:56.8", nil},
		{"tm", str("839:00:00"), 0, "", ErrInvalidValue},
		{"y", str("2006"), datum.Int64, "2006", nil},
		{"y", str("0000"), datum.Int64, "0000", nil},
		{"y", num("69"), datum.Int64, "2069", nil},
		{"y", num("1900"), 0, "", ErrOutOfRange},
		{"c", str("ab  "), datum.String, "ab", nil},    // CHAR drops trailing spaces
		{"c", str("abc   "), datum.String, "abc", nil}, // ... before the length check
		{"c", str("abcd"), 0, "", ErrTruncated},
		{"c", str("日本語"), datum.String, "日本語", nil}, // characters, not bytes
		{"vc", str("ab  "), datum.String, "ab  ", nil},
		{"vc", str("abcde"), 0, "", ErrTruncated},
		{"vc", str("\xff"), 0, "", ErrInvalidValue},
		{"tx", str(strings.Repeat("é", 128)), 0, "", ErrTruncated}, // 256 bytes > 255
		{"tx", str(strings.Repeat("é", 127)), datum.String, strings.Repeat("é", 127), nil},
		{"bn", str("ab"), datum.Bytes, "ab\x00\x00", nil},
		{"bn", hexf(1, 2, 3, 4, 5), 0, "", ErrTruncated},
		{"vb", str("\xff\x00"), datum.Bytes, "\xff\x00", nil},
		{"asc1", str("é"), 0, "", ErrInvalidValue},
		{"u3", str("😀"), 0, "", ErrInvalidValue},
		{"e", str("b C"), datum.Enum, "B c", nil}, // _ci collation
		{"e", num("3"), datum.Enum, "d", nil},
		{"e", str("2"), datum.Enum, "B c", nil},
		{"e", num("4"), 0, "", ErrInvalidValue},
		{"e", str("zz"), 0, "", ErrInvalidValue},
		{"eb", str("y"), 0, "", ErrInvalidValue}, // _bin collation is case-sensitive
		{"st", str("r,p,r"), datum.Set, "p,r", nil},
		{"st", str(""), datum.Set, "", nil},
		{"st", num("7"), datum.Set, "p,q,r", nil},
		{"st", num("8"), 0, "", ErrInvalidValue},
		{"st", str("p,x"), 0, "", ErrInvalidValue},
		{"b", literal.Field{Kind: literal.FieldBit, Bytes: []byte{0x03, 0xff}}, datum.Bit, "\x03\xff", nil},
		{"b", num("5"), datum.Bit, "\x00\x05", nil},
		{"b", hexf(0x04, 0x00), 0, "", ErrOutOfRange},
		{"bb", literal.Field{Kind: literal.FieldBool, Bytes: []byte("1")}, datum.Int64, "1", nil},
		{"nn", literal.Field{Kind: literal.FieldNull}, 0, "", ErrInvalidValue},
		{"i", literal.Field{Kind: literal.FieldNull}, datum.Null, "", nil},
		{"dflt", literal.Field{Kind: literal.FieldDefault}, datum.Int64, "42", nil},
		{"dnow", literal.Field{Kind: literal.FieldDefault}, datum.Time, "2024-05-06 15:08:09", nil},
	}
	loc := time.FixedZone("+08", 8*3600)
	for _, tc := range cases {
		col := c.Table().Column(tc.col)
		var d datum.Datum
		err := c.Convert(col.Offset, tc.in, &d)
		if tc.err != nil {
			var ve *ValueError
			if !errors.Is(err, tc.err) || !errors.As(err, &ve) || ve.Column != col.Name {
				t.Errorf("%s %q: err %v, want %v", tc.col, tc.in.Bytes, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tc.col, tc.in.Bytes, err)
			continue
		}
		if d.Kind != tc.kind {
			t.Errorf("%s %q: kind %v want %v", tc.col, tc.in.Bytes, d.Kind, tc.kind)
		}
		if got := string(FormatText(col, &d, loc, nil)); got != tc.text {
			t.Errorf("%s %q: text %q want %q", tc.col, tc.in.Bytes, got, tc.text)
		}
	}
}

func TestFloatStorage(t *testing.T) {
	c := newConv(t, sqlmode.StrictAll)
	var d datum.Datum
	if err := c.Convert(c.Table().Column("f").Offset, num("3.14"), &d); err != nil {
		t.Fatal(err)
	}
	// SPEC §3.1: FLOAT stores the float32 widened to float64.
	if d.F != 3.140000104904175 {
		t.Errorf("float32 widening: %v", d.F)
	}
}

func TestTimestampUTC(t *testing.T) {
	c := newConv(t, sqlmode.StrictAll)
	var d datum.Datum
	col := c.Table().Column("ts")
	if err := c.Convert(col.Offset, str("2020-01-01 08:00:00"), &d); err != nil {
		t.Fatal(err)
	}
	if got := string(FormatText(col, &d, time.UTC, nil)); got != "2020-01-01 00:00:00.000000" {
		t.Errorf("stored UTC %q", got)
	}
}

func TestDecimalDatum(t *testing.T) {
	c := newConv(t, sqlmode.StrictAll)
	var d datum.Datum
	col := c.Table().Column("dec1")
	if err := c.Convert(col.Offset, num("1.5"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Prec != 6 || d.Frac != 2 {
		t.Errorf("decimal datum carries (%d,%d), want the column's (6,2)", d.Prec, d.Frac)
	}
}

func TestNonStrict(t *testing.T) {
	c := newConv(t, 0)
	var d datum.Datum
	if err := c.Convert(c.Table().Column("ti").Offset, num("300"), &d); err != nil || d.I != 127 {
		t.Errorf("clamp: %v %v", d.I, err)
	}
	if err := c.Convert(c.Table().Column("vc").Offset, str("abcdef"), &d); err != nil || string(d.B) != "abcd" {
		t.Errorf("truncate: %q %v", d.B, err)
	}
	if err := c.Default(c.Table().Column("nn").Offset, &d); err != nil || d.Kind != datum.Int64 || d.I != 0 {
		t.Errorf("implicit zero default: %+v %v", d, err)
	}
}

func TestRowBuilder(t *testing.T) {
	tbl, _, err := tablemodel.ParseCreateTable("create table t (id int auto_increment primary key, a varchar(3) default 'x', g int as (id + 1), b int not null)", tablemodel.DBDefaults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewConverter(tbl, Session{Mode: sqlmode.StrictAll})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]datum.Datum, len(tbl.Columns))
	rb, err := NewRowBuilder(c, []string{"b", "_tidb_rowid"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := rb.Build([]literal.Field{num("5"), num("77")}, 3, row)
	if err != nil || id != 77 {
		t.Fatalf("build: %v id %d", err, id)
	}
	if row[0].I != 77 || string(row[1].B) != "x" || !row[2].IsNull() || row[3].I != 5 {
		t.Errorf("row %+v", row)
	}
	if _, err := rb.Build([]literal.Field{num("5")}, 3, row); !errors.Is(err, ErrColumnMismatch) || !strings.Contains(err.Error(), "expects 2 values, got 1") {
		t.Errorf("count mismatch: %v", err)
	}
	if _, err := NewRowBuilder(c, []string{"nope"}, nil); !errors.Is(err, ErrColumnMismatch) {
		t.Errorf("unknown column: %v", err)
	}
	rb, _ = NewRowBuilder(c, nil, nil)
	if _, err := rb.Build([]literal.Field{{Kind: literal.FieldNull}, str("y"), num("1")}, 9, row); err != nil || row[0].I != 9 {
		t.Errorf("auto increment from row id: %v %+v", err, row[0])
	}
	// INSERT INTO t VALUES () and INSERT INTO t () VALUES (): no value,
	// every column defaulted, the AUTO_INCREMENT column from the row ID. b
	// is NOT NULL without a default: strict mode refuses it, as TiDB does
	// (error 1364), non-strict gives it the type's zero.
	lax, err := NewConverter(tbl, Session{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cols := range [][]string{nil, {}} {
		rb, err := NewRowBuilder(lax, cols, nil)
		if err != nil {
			t.Fatal(err)
		}
		row[3] = datum.Datum{}
		if _, err := rb.Build(nil, 12, row); err != nil || row[0].I != 12 || string(row[1].B) != "x" || !row[2].IsNull() ||
			row[3].Kind != datum.Int64 || row[3].I != 0 {
			t.Errorf("columns %#v: all defaults: %v %+v", cols, err, row)
		}
		rb, err = NewRowBuilder(c, cols, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rb.Build(nil, 12, row); !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "column b") {
			t.Errorf("columns %#v: strict, no default for b: %v", cols, err)
		}
	}
}

// TestSakilaRoundTrip converts every row of the sakila dump and checks that
// FormatText gives back the dump's text for every column (modulo MySQL's
// canonical forms, which the dump already uses).
func TestSakilaRoundTrip(t *testing.T) {
	sakila := golden.Shared(t, "corpora/sakila")
	files, _ := filepath.Glob(filepath.Join(sakila, "sakila.*.0*.sql"))
	if len(files) == 0 {
		golden.Missing(t, "corpora not present")
	}
	convs := map[string]*Converter{}
	for _, f := range files {
		name := strings.SplitN(strings.TrimPrefix(filepath.Base(f), "sakila."), ".", 2)[0]
		c := convs[name]
		if c == nil {
			schema, err := os.ReadFile(filepath.Join(sakila, "sakila."+name+"-schema.sql"))
			if err != nil {
				t.Fatal(err)
			}
			tbl, _, err := tablemodel.ParseCreateTable(string(schema), tablemodel.DBDefaults{Name: "sakila"}, 1)
			if err != nil {
				t.Fatal(err)
			}
			c, err = NewConverter(tbl, Session{Mode: sqlmode.StrictAll, Loc: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			convs[name] = c
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r := rowparse.NewSQLReader(fh, rowparse.SQLOptions{File: f})
		row := make([]datum.Datum, len(c.Table().Columns))
		var rb *RowBuilder
		rows, buf := 0, []byte(nil)
		for {
			fields, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if rb == nil {
				if rb, err = NewRowBuilder(c, r.Columns(), nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := rb.Build(fields, int64(rows+1), row); err != nil {
				t.Fatalf("%s row %d: %v", f, rows+1, err)
			}
			for i, fl := range fields {
				col := c.Table().Columns[rb.target[i]]
				if fl.Kind == literal.FieldNull || col.Unsupported != "" {
					continue
				}
				buf = FormatText(col, &row[col.Offset], time.UTC, buf[:0])
				if string(buf) != string(fl.Bytes) {
					t.Fatalf("%s row %d column %s: text %q, dump %q", f, rows+1, col.Name, buf, fl.Bytes)
				}
			}
			rows++
		}
		fh.Close()
		if rows == 0 {
			t.Errorf("%s: no rows", f)
		}
	}
}

func FuzzConvert(f *testing.F) {
	f.Add(uint8(0), uint8(1), []byte("123"))
	f.Add(uint8(10), uint8(1), []byte("2020-01-01 00:00:00.5"))
	f.Add(uint8(27), uint8(3), []byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, col, kind uint8, b []byte) {
		c := newConv(t, sqlmode.StrictAll)
		n := len(c.Table().Columns)
		var d datum.Datum
		_ = c.Convert(int(col)%n, literal.Field{Kind: literal.FieldKind(kind % 7), Bytes: b}, &d)
		_ = FormatText(c.Table().Columns[int(col)%n], &d, time.UTC, nil)
		_ = math.Abs(0)
	})
}
