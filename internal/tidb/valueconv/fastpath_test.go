package valueconv

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// fastSchema has the columns a fast path serves (and a few it must leave
// to the general path: binary, other charsets, PAD_CHAR_TO_FULL_LENGTH is
// a mode below).
const fastSchema = `create table f (
 ti tinyint, tu tinyint unsigned, si smallint, mi mediumint unsigned, i int, iu int unsigned, bi bigint, bu bigint unsigned,
 dq decimal(15,2) not null, d0 decimal(10,0), du decimal(5,2) unsigned, d30 decimal(30,18), d65 decimal(65,0), d99 decimal(9,9),
 da date, dt datetime, dt3 datetime(3), ts timestamp, ts6 timestamp(6),
 c1 char(1), c10 char(10), c0 char(0), vc varchar(4), v44 varchar(44), tx tinytext, tt text,
 bn binary(4), vb varbinary(3), a3 varchar(3) charset ascii, u3 varchar(3) charset utf8, l3 char(3) charset latin1,
 nn bigint not null, y year)`

// fastInputs are texts around the edges of every fast path.
var fastInputs = []string{
	"", " ", "0", "-0", "+0", "00", "007", "-007", "+5", "1", "-1", "127", "128", "-128", "-129", "255", "256",
	"32767", "-32768", "16777215", "16777216", "2147483647", "2147483648", "-2147483648", "-2147483649",
	"4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"-9223372036854775809", "18446744073709551615", "18446744073709551616", "9999999999999999999",
	"99999999999999999999", "0000000000000000000001", " 1", "1 ", "\t1", "1\n", "1a", "1.5", "1e3", "0x10", "-", "+",
	"21.00", "30562.77", "-30562.77", "0.01", "-0.01", ".5", "5.", "-.5", "0.", ".", "12345678901234.56",
	"9999999999999.99", "10000000000000.00", "-9999999999999.99", "1.005", "1.999", "0.000", "-0.00", "1,5",
	"0.123456789", "0.1234567891", "999.99", "1000", "123456789012345678.123456789012345678",
	"1998-03-20", "1992-01-01", "0000-00-00", "2000-02-29", "1900-02-29", "2001-02-29", "2024-13-01", "2024-12-32",
	"2024-00-10", "2024-01-00", "0001-01-01", "9999-12-31", "1970-01-01", "1970-01-01 00:00:00", "2038-01-19 03:14:07",
	"2038-01-19 03:14:08", "1969-12-31 23:59:59", "1998-03-20 12:34:56", "1998-03-20 24:00:00", "1998-03-20 12:60:00",
	"1998-03-20 12:34:56.1", "1998-03-20 12:34:56.123", "1998-03-20 12:34:56.1234", "1998-03-20 12:34:56.123456",
	"1998-03-20 12:34:56.1234567", "1998-03-20 12:34:56.", "1998-3-20", "19980320", "1998/03/20", " 1998-03-20",
	"1998-03-20 ", "1998-03-20T12:34:56", "1998-03-20 12:34:5x",
	"N", "A", "NA", "O ", "  ", "COLLECT COD", "DELIVER IN PERSON        ", "DELIVER IN PERSON         x",
	"REG AIR", "TRUCK     ", "TRUCK      ", "along to foxes busy brave affix express", "abcd", "abcde", "abc  ",
	"ab\t", "é", "éé", "ééé", "éééé", "ééééé", "日本語", "日本語日", "日本語日本", "😀", "😀😀😀😀", "😀😀😀😀😀",
	"\xff", "a\xffb", "\xe6\x97", "a\x00b", "\x80", "ascii", "\xc3\xa9t\xc3\xa9",
	"abcdefg\xff", "\xffabcdefgh", "abcdefgh\xe6", "abcdefghijklmnop\x80q", "abcdefgh\xed\xa0\x80", "abcdefgh\xf4\x90\x80\x80",
}

// sameDatum reports whether two datums hold the same value in every field.
func sameDatum(a, b *datum.Datum) bool {
	return a.Kind == b.Kind && a.Prec == b.Prec && a.Frac == b.Frac && a.I == b.I && a.U == b.U &&
		a.F == b.F && bytes.Equal(a.B, b.B)
}

// checkFastPath converts f into every column both ways: when the fast
// path takes the value, the general path must store the same datum with
// no error and no warning. Then Convert (fast path first) must give what
// the general path gives, errors included. It returns how many values
// the fast path took.
func checkFastPath(t *testing.T, c *Converter, warned *int, f literal.Field) int {
	t.Helper()
	took := 0
	for i := range c.cols {
		cc := &c.cols[i]
		name := cc.col.Name
		var fast, general, full datum.Datum
		// Stale buffers and fields in dst must not leak into the result.
		fast = datum.Datum{Kind: datum.Float64, Prec: 9, Frac: 3, I: 7, U: 8, F: 9, B: []byte("stale")}
		full = fast
		*warned = 0
		gerr := c.convertGeneral(cc, f, &general)
		gwarn := *warned
		if (f.Kind == literal.FieldString || f.Kind == literal.FieldNumber || f.Kind == literal.FieldBool) &&
			c.convertFast(cc, f.Bytes, f.Kind == literal.FieldString, &fast) {
			took++
			if gerr != nil || gwarn != 0 {
				t.Fatalf("%s <- %d %q: fast path took a value the general path refuses or warns about: %v (%d warnings)", name, f.Kind, f.Bytes, gerr, gwarn)
			}
			if !sameDatum(&fast, &general) {
				t.Fatalf("%s <- %d %q: fast %+v, general %+v", name, f.Kind, f.Bytes, fast, general)
			}
		}
		*warned = 0
		ferr := c.convert(cc, &f, &full)
		if fmt.Sprint(ferr) != fmt.Sprint(gerr) || *warned != gwarn {
			t.Fatalf("%s <- %d %q: Convert error %v (%d warnings), general %v (%d warnings)", name, f.Kind, f.Bytes, ferr, *warned, gerr, gwarn)
		}
		if gerr == nil && !sameDatum(&full, &general) {
			t.Fatalf("%s <- %d %q: Convert %+v, general %+v", name, f.Kind, f.Bytes, full, general)
		}
	}
	return took
}

// fastConverters are the fast schema's converters in the modes and zones
// that change what the fast paths may take.
func fastConverters(t testing.TB) ([]*Converter, *int) {
	warned := new(int)
	var cs []*Converter
	for _, mode := range []sqlmode.Mode{sqlmode.StrictAll, 0, sqlmode.StrictAll | sqlmode.PadCharToFullLength,
		sqlmode.StrictAll | sqlmode.NoZeroDate | sqlmode.NoZeroInDate, sqlmode.AllowInvalidDates} {
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("+08", 8*3600)} {
			s := Session{Mode: mode, Loc: loc, Now: time.Unix(1700000000, 0), Warn: func(string, error) { *warned++ }}
			cs = append(cs, convFor(t, fastSchema, s))
		}
	}
	return cs, warned
}

func TestFastPathMatches(t *testing.T) {
	cs, warned := fastConverters(t)
	took := 0
	for _, c := range cs {
		for _, s := range fastInputs {
			for _, k := range []literal.FieldKind{literal.FieldString, literal.FieldNumber, literal.FieldBool, literal.FieldHex} {
				took += checkFastPath(t, c, warned, literal.Field{Kind: k, Bytes: []byte(s)})
			}
		}
		for i := range c.cols {
			d := datum.Datum{Kind: datum.String, B: []byte("stale")}
			err := c.convert(&c.cols[i], &literal.Field{Kind: literal.FieldNull}, &d)
			col := c.cols[i].col
			switch {
			case col.NotNull && c.s.Mode.Strict():
				if err == nil {
					t.Fatalf("NULL into NOT NULL %s: no error", col.Name)
				}
			case err != nil:
				t.Fatalf("NULL into %s: %v", col.Name, err)
			case !col.NotNull && d.Kind != datum.Null:
				t.Fatalf("NULL into %s: %+v", col.Name, d)
			}
		}
	}
	if took < 2000 {
		t.Fatalf("the fast paths took only %d values", took)
	}
}

// TestFastPathServes checks that the values TPC-H dumps are made of do take
// the fast paths (else the general path would silently do the work).
func TestFastPathServes(t *testing.T) {
	c := convFor(t, fastSchema, Session{Mode: sqlmode.StrictAll, Loc: time.UTC})
	for _, tc := range []struct{ col, v string }{
		{"bi", "182373"}, {"nn", "-7"}, {"dq", "30562.77"}, {"dq", "-0.01"}, {"dq", "21"}, {"da", "1998-03-20"},
		{"dt", "1998-03-20 12:34:56"}, {"c1", "N"}, {"c10", "TRUCK     "}, {"v44", "along to foxes"}, {"tt", "日本語"},
	} {
		cc := &c.cols[c.t.Column(tc.col).Offset]
		var d datum.Datum
		if !c.convertFast(cc, []byte(tc.v), true, &d) {
			t.Errorf("%s <- %q: fast path declined", tc.col, tc.v)
		}
	}
}

// FuzzFastPath compares the fast and the general paths on any bytes.
func FuzzFastPath(f *testing.F) {
	for i, s := range fastInputs {
		f.Add(uint8(i%4), uint8(i), s)
	}
	cs, warned := fastConverters(f)
	f.Fuzz(func(t *testing.T, kind, conv uint8, s string) {
		k := []literal.FieldKind{literal.FieldString, literal.FieldNumber, literal.FieldBool, literal.FieldHex}[kind%4]
		checkFastPath(t, cs[int(conv)%len(cs)], warned, literal.Field{Kind: k, Bytes: []byte(s)})
	})
}
