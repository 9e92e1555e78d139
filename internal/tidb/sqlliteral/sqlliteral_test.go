package sqlliteral

import (
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

const ddl = "CREATE TABLE t (" +
	"i INT, u BIGINT UNSIGNED, d DECIMAL(10,3), f FLOAT, g DOUBLE, " +
	"s VARCHAR(20), c CHAR(5), l VARCHAR(10) CHARACTER SET latin1, b VARBINARY(8), bl BLOB, " +
	"bt BIT(12), j JSON, e ENUM('a','b c'), st SET('x','y','z'), " +
	"dt DATE, tm DATETIME(3), ts TIMESTAMP, du TIME(1), y YEAR, " +
	"gen INT AS (i + 1))"

// convert parses DDL and converts one row of fields given as (kind, text).
func convert(t *testing.T, loc *time.Location, fields ...literal.Field) (*tablemodel.Table, []datum.Datum) {
	t.Helper()
	tbl, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: "db"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := valueconv.NewConverter(tbl, valueconv.Session{Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := valueconv.NewRowBuilder(conv, []string{"i", "u", "d", "f", "g", "s", "c", "l", "b", "bl", "bt", "j", "e", "st", "dt", "tm", "ts", "du", "y"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]datum.Datum, len(tbl.Columns))
	if _, err := rb.Build(fields, 1, row); err != nil {
		t.Fatal(err)
	}
	return tbl, row
}

func str(s string) literal.Field { return literal.Field{Kind: literal.FieldString, Bytes: []byte(s)} }
func num(s string) literal.Field { return literal.Field{Kind: literal.FieldNumber, Bytes: []byte(s)} }

var null = literal.Field{Kind: literal.FieldNull}

func TestLiteralPerType(t *testing.T) {
	plus2 := time.FixedZone("+02:00", 2*3600)
	tbl, row := convert(t, plus2,
		num("-42"), num("18446744073709551615"), str("3.14159"), num("0.1"), num("1e20"),
		str("it's \\ \"q\"\n\x00\x1a"), str("ab  "), str("caf\u00e9"), literal.Field{Kind: literal.FieldHex, Bytes: []byte{0, 0xff}}, str(""),
		num("5"), str(`{"b":[1,2],"a":null}`), str("b c"), str("z,x"),
		str("2024-02-29"), str("2024-01-02 03:04:05.678"), str("2024-01-02 03:04:05"), str("-1:02:03.45"), num("99"),
	)
	want := map[string]string{
		"i":  "-42",
		"u":  "18446744073709551615",
		"d":  "3.142", // rounded to the column's scale, exact
		"f":  "0.1",
		"g":  "1e20",
		"s":  `'it\'s \\ \"q\"\n\0\Z'`,
		"l":  "'caf\u00e9'", // utf8: the server converts to latin1
		"b":  "0x00ff",
		"bl": "x''",
		"bt": "0x0005",
		"j":  `'{\"a\": null, \"b\": [1, 2]}'`,
		"e":  "'b c'",
		"st": "'x,z'",
		"dt": "'2024-02-29'",
		"tm": "'2024-01-02 03:04:05.678'",
		"ts": "'2024-01-02 01:04:05'", // read in +02:00, written in UTC
		"du": "'-01:02:03.5'",
		"y":  "1999",
	}
	r := Renderer{}
	for name, w := range want {
		col := tbl.Column(name)
		if got := string(r.Append(nil, col, &row[col.Offset])); got != w {
			t.Errorf("%s: %s, want %s", name, got, w)
		}
	}
	// The session's time zone is where TIMESTAMP values are written.
	ts := tbl.Column("ts")
	if got := string(Renderer{Loc: plus2}.Append(nil, ts, &row[ts.Offset])); got != "'2024-01-02 03:04:05'" {
		t.Errorf("ts in +02:00: %s", got)
	}
	// NO_BACKSLASH_ESCAPES: only the quote is doubled.
	s := tbl.Column("s")
	if got := string(Renderer{NoBackslashEscapes: true}.Append(nil, s, &row[s.Offset])); got != "'it''s \\ \"q\"\n\x00\x1a'" {
		t.Errorf("no backslash escapes: %q", got)
	}
	var n datum.Datum
	if got := string(r.Append(nil, s, &n)); got != "NULL" {
		t.Errorf("NULL: %s", got)
	}
}

func TestChecksumRow(t *testing.T) {
	tbl, row := convert(t, time.UTC,
		num("7"), null, str("1.5"), num("0.1"), num("2"),
		str("x"), str("ab  "), null, null, null,
		num("5"), null, str("a"), str(""),
		str("2024-02-29"), null, null, null, num("2006"),
	)
	c := NewChecksum(tbl)
	if got := strings.Join(c.Excluded(), ";"); got != "f (floating point);g (floating point);gen (generated)" {
		t.Errorf("excluded: %s", got)
	}
	sum, text := c.Row(row, nil)
	// i,u,d,s,c,l,b,bl,bt,j,e,st,dt,tm,ts,du,y then the NULL flags.
	want := "7,1.500,x,ab,5,a,,2024-02-29,2006,01000111010001110"
	if string(text) != want {
		t.Errorf("text %q, want %q", text, want)
	}
	if sum != crc32.ChecksumIEEE([]byte(want)) {
		t.Error("crc is not CRC32 of the text")
	}
	q := c.Query("db", "t")
	for _, part := range []string{"CAST(CAST(`bt` AS UNSIGNED) AS BINARY)", "CAST(CONVERT(`l` USING utf8mb4) AS BINARY)", "ISNULL(`y`)", "FROM `db`.`t`", "BIT_XOR(h)"} {
		if !strings.Contains(q, part) {
			t.Errorf("query lacks %s: %s", part, q)
		}
	}
	if strings.Contains(q, "`gen`") || strings.Contains(q, "`f`") {
		t.Errorf("query reads an excluded column: %s", q)
	}
}

func TestHexAndNames(t *testing.T) {
	if got := string(AppendHex(nil, []byte("A\x00"))); got != "0x4100" {
		t.Error(got)
	}
	if got := TableName("a`b", "t"); got != "`a``b`.`t`" {
		t.Error(got)
	}
}

func TestChecksumForTarget(t *testing.T) {
	tbl, row := convert(t, time.UTC,
		num("7"), null, str("1.5"), num("0.1"), num("2"),
		str("x"), str("ab  "), null, null, null,
		num("5"), null, str("a"), str(""),
		str("2024-02-29"), null, null, null, num("2006"),
	)
	target := map[string]TargetColumn{}
	for _, col := range tbl.Columns {
		tc := TargetColumn{NotNull: col.Name == "i"}
		if tablemodel.TypeNeedsCharset(col.Tp) {
			tc.Charset, tc.Collation = "utf8mb4", "utf8mb4_bin"
			if col.Name == "l" {
				tc.Charset, tc.Collation = "latin1", "latin1_swedish_ci"
			}
		}
		target[strings.ToLower(col.Name)] = tc
	}
	full, fast := NewChecksum(tbl), NewChecksum(tbl).ForTarget(target)
	// The rows' text is the same; only the query changes.
	a, _ := full.Row(row, nil)
	b, _ := fast.Row(row, nil)
	if a != b {
		t.Fatalf("row checksum changed: %d, %d", a, b)
	}
	q := fast.Query("db", "t")
	for _, part := range []string{"CAST(CAST(`bt` AS UNSIGNED) AS BINARY)", "CAST(CONVERT(`l` USING utf8mb4) AS BINARY)",
		"CONCAT_WS(',', `i`,", "ISNULL(`y`)", "CONCAT('0', ISNULL(`u`)", "`dt`,"} {
		if !strings.Contains(q, part) {
			t.Errorf("query lacks %s: %s", part, q)
		}
	}
	if strings.Contains(q, "ISNULL(`i`)") || strings.Contains(q, "CAST(`i`") {
		t.Errorf("query reads the NOT NULL integer i through a cast or ISNULL: %s", q)
	}
	// A column the target does not describe keeps the full form.
	if q := NewChecksum(tbl).ForTarget(nil).Query("db", "t"); q != full.Query("db", "t") {
		t.Errorf("without the target's columns: %s", q)
	}
}

// TestAppendQuotedRuns: the run-copying AppendQuoted escapes every byte
// as the byte-by-byte rule does.
func TestAppendQuotedRuns(t *testing.T) {
	ref := func(noBackslash bool, b []byte) string {
		out := []byte{'\''}
		for _, c := range b {
			switch {
			case noBackslash && c == '\'':
				out = append(out, '\'', '\'')
			case noBackslash:
				out = append(out, c)
			case c == 0:
				out = append(out, '\\', '0')
			case c == '\n':
				out = append(out, '\\', 'n')
			case c == '\r':
				out = append(out, '\\', 'r')
			case c == 0x1a:
				out = append(out, '\\', 'Z')
			case c == '\\' || c == '\'' || c == '"':
				out = append(out, '\\', c)
			default:
				out = append(out, c)
			}
		}
		return string(append(out, '\''))
	}
	inputs := [][]byte{nil, []byte("plain"), []byte("it's \\ \"q\"\n\x00\x1a\r"), []byte("''"), []byte("x\\")}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	inputs = append(inputs, all)
	for _, in := range inputs {
		for _, nb := range []bool{false, true} {
			if got, want := string(Renderer{NoBackslashEscapes: nb}.AppendQuoted([]byte("pre"), in)), "pre"+ref(nb, in); got != want {
				t.Errorf("%q (no backslash %v): %q, want %q", in, nb, got, want)
			}
		}
	}
}

// appendQuotedBytewise is AppendQuoted as it was before the word-at-a-time
// scan: a byte loop over the escapes table, copying runs. The tests
// compare the two.
func appendQuotedBytewise(r Renderer, dst, b []byte) []byte {
	dst = append(dst, '\'')
	esc := &bytewiseEscapes
	if r.NoBackslashEscapes {
		esc = &bytewiseQuoteOnly
	}
	start := 0
	for i, c := range b {
		if !esc[c] {
			continue
		}
		dst = append(dst, b[start:i]...)
		start = i + 1
		switch c {
		case 0:
			dst = append(dst, '\\', '0')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0x1a:
			dst = append(dst, '\\', 'Z')
		case '\'':
			if r.NoBackslashEscapes {
				dst = append(dst, '\'', '\'')
			} else {
				dst = append(dst, '\\', '\'')
			}
		default: // '\\', '"'
			dst = append(dst, '\\', c)
		}
	}
	dst = append(dst, b[start:]...)
	return append(dst, '\'')
}

// bytewiseEscapes are the bytes appendQuotedBytewise escapes;
// bytewiseQuoteOnly those it escapes under NO_BACKSLASH_ESCAPES.
var bytewiseEscapes, bytewiseQuoteOnly = func() (e, q [256]bool) {
	for _, c := range []byte{0, '\n', '\r', 0x1a, '\\', '\'', '"'} {
		e[c] = true
	}
	q['\''] = true
	return e, q
}()

// TestAppendQuotedWords: every byte value at every position of strings
// of 0-40 bytes, over fillers that are clean, UTF-8, flagged without an
// escape (a tab) and all escapes, in both modes, renders as the byte loop
// does.
func TestAppendQuotedWords(t *testing.T) {
	for _, nb := range []bool{false, true} {
		r := Renderer{NoBackslashEscapes: nb}
		check := func(b []byte) {
			t.Helper()
			got := r.AppendQuoted([]byte("pre"), b)
			if want := appendQuotedBytewise(r, []byte("pre"), b); string(got) != string(want) {
				t.Fatalf("%q (no backslash %v): %q, want %q", b, nb, got, want)
			}
		}
		check(nil)
		b := make([]byte, 40)
		for _, fill := range []byte{'a', 0xe4, '\t', '\'', 0} {
			for n := 1; n <= len(b); n++ {
				for p := range n {
					for v := range 256 {
						for k := range n {
							b[k] = fill
						}
						b[p] = byte(v)
						check(b[:n])
					}
				}
			}
		}
	}
}

// FuzzAppendQuoted compares AppendQuoted with the byte loop.
func FuzzAppendQuoted(f *testing.F) {
	f.Add([]byte("42543893326-90836846183-08001080236-"), false)
	f.Add([]byte("it's \\ \"q\"\n\x00\x1a\r and then some more text"), false)
	f.Add([]byte("it's 'quoted' twice''"), true)
	f.Fuzz(func(t *testing.T, b []byte, nb bool) {
		r := Renderer{NoBackslashEscapes: nb}
		if got, want := r.AppendQuoted(nil, b), appendQuotedBytewise(r, nil, b); string(got) != string(want) {
			t.Fatalf("%q (no backslash %v): %q, want %q", b, nb, got, want)
		}
	})
}
