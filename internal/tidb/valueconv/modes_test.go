package valueconv

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

func convFor(t testing.TB, schema string, s Session) *Converter {
	t.Helper()
	tbl, _, err := tablemodel.ParseCreateTable(schema, tablemodel.DBDefaults{Name: "d"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewConverter(tbl, s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestJSONCorpus converts Lightning's JSON test documents: every one but
// the 127-deep document 1764 (over jsonbin.MaxDepth, as current TiDB
// rejects it) converts, prints back as text that parses to the same
// binary, and the upstream checks hold.
func TestJSONCorpus(t *testing.T) {
	dir := golden.Shared(t, "corpora/lightning-cases/lightning_various_types/data") + "/"
	schema, err := os.ReadFile(dir + "vt.json-schema.sql")
	if err != nil {
		golden.Missing(t, "corpus not present")
	}
	data, err := os.ReadFile(dir + "vt.json.sql")
	if err != nil {
		t.Fatal(err)
	}
	c := convFor(t, string(schema), Session{Mode: sqlmode.StrictAll})
	js := c.Table().Column("js")
	r := rowparse.NewSQLReader(bytes.NewReader(data), rowparse.SQLOptions{File: "vt.json.sql"})
	distinct := map[string]bool{}
	rows := 0
	var d datum.Datum
	for {
		fields, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		pk := string(fields[0].Bytes)
		err = c.Convert(js.Offset, fields[1], &d)
		if pk == "1764" {
			if !errors.Is(err, jsonbin.ErrTooDeep) || !errors.Is(err, ErrInvalidValue) {
				t.Errorf("1764: err %v, want too deep", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", pk, err)
			continue
		}
		distinct[string(d.B)] = true
		text := FormatText(js, &d, time.UTC, nil)
		again, err := jsonbin.Parse(text, nil)
		if err != nil || !bytes.Equal(again, d.B) {
			t.Errorf("%s: text %s does not parse back to the same binary (%v)", pk, text, err)
		}
		switch pk {
		case "1089":
			if string(text) != "[1, 2, 3]" {
				t.Errorf("1089: %s", text)
			}
		case "2000":
			for _, want := range []string{"{", `"52": 1`, `"54": 1`, `"68": 1`, `"126": 1`} {
				if !strings.Contains(string(text), want) {
					t.Errorf("2000: %s lacks %s", text, want)
				}
			}
		case "742":
			if string(text) != `"Σ"` {
				t.Errorf("742: %s", text)
			}
		}
	}
	if rows != 92 || len(distinct) != 91 {
		t.Errorf("%d rows, %d distinct documents; want 92 and 91", rows, len(distinct))
	}
}

func TestCharsets(t *testing.T) {
	schema := "create table t (g varchar(2) charset gbk, g18 varchar(3) charset gb18030, l varchar(2) charset latin1, a char(2) charset ascii, u3 varchar(5) charset utf8mb3)"
	cases := []struct {
		col  string
		in   string
		want string // "" with err
		err  error
	}{
		{"g", "中文", "中文", nil},
		{"g", "中文字", "", ErrTruncated},  // characters, not bytes
		{"g", "😀", "", ErrInvalidValue}, // GBK has no emoji
		{"g", "\xff", "", ErrInvalidValue},
		{"g18", "😀ab", "😀ab", nil}, // GB18030 covers all of Unicode
		{"l", "\xff\xfe", "\xff\xfe", nil},
		{"l", "abc", "", ErrTruncated},
		{"a", "é", "", ErrInvalidValue},
		{"a", "ab  ", "ab", nil},
		{"u3", "ab😀", "", ErrInvalidValue},
	}
	c := convFor(t, schema, Session{Mode: sqlmode.StrictAll})
	var d datum.Datum
	for _, tc := range cases {
		col := c.Table().Column(tc.col)
		err := c.Convert(col.Offset, str(tc.in), &d)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s %q: err %v, want %v", tc.col, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || string(d.B) != tc.want {
			t.Errorf("%s %q: %q %v, want %q", tc.col, tc.in, d.B, err, tc.want)
		}
	}
	// Non-strict: each character the charset cannot hold becomes '?'
	// (Datum.GetStringWithCheck, Transform with OpReplace), without the
	// length rule; a valid value is cut to the length.
	var warned []string
	c = convFor(t, schema, Session{Warn: func(col string, err error) { warned = append(warned, col) }})
	for _, tc := range []struct{ col, in, want string }{
		{"g", "a😀b", "a?b"},
		{"g", "中文字", "中文"},
		{"u3", "abc😀", "abc?"},
		{"a", "xé", "x?"},
	} {
		col := c.Table().Column(tc.col)
		if err := c.Convert(col.Offset, str(tc.in), &d); err != nil || string(d.B) != tc.want {
			t.Errorf("non-strict %s %q: %q %v, want %q", tc.col, tc.in, d.B, err, tc.want)
		}
	}
	if strings.Join(warned, ",") != "g,g,u3,a" {
		t.Errorf("warnings for %v", warned)
	}
}

// TestNonStrict checks the values MySQL/TiDB store, with a warning each,
// when the SQL mode is not strict (table.CastValue + HandleTruncate).
func TestNonStrictValues(t *testing.T) {
	var warned []string
	c := newConv(t, 0)
	c.s.Warn = func(col string, err error) {
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Column != col {
			t.Errorf("warning %v does not name column %s", err, col)
		}
		warned = append(warned, col)
	}
	loc := time.FixedZone("+08", 8*3600)
	cases := []struct {
		col  string
		in   literal.Field
		text string
	}{
		{"ti", str("12abc"), "12"},
		{"ti", str("abc"), "0"},
		{"ti", num("-300"), "-128"},
		{"tu", num("-1"), "0"},
		{"d", str("1.5e3xyz"), "1500"},
		{"dec1", num("10000"), "9999.99"},
		{"dec1", num("-123456"), "-9999.99"},
		{"dec1", str("3.14159abc"), "3.14"},
		{"dec1", str("x"), "0.00"},
		{"dt", str("2006-02-30"), "0000-00-00 00:00:00.000"},
		{"dt", str("not a date"), "0000-00-00 00:00:00.000"},
		{"ts", str("1900-01-01 00:00:00"), "0000-00-00 00:00:00.000000"},
		{"tm", str("839:00:00"), "838:59:59.0"},
		{"y", num("1900"), "1901"},
		{"e", str("zz"), ""},
		{"e", num("9"), ""},
		{"st", str("p,x"), ""},
		{"st", num("8"), ""},
		{"b", hexf(0x04, 0x00), "\x03\xff"},
		{"vc", str("abcdef"), "abcd"},
		{"nn", literal.Field{Kind: literal.FieldNull}, "0"},
	}
	var d datum.Datum
	for i, tc := range cases {
		col := c.Table().Column(tc.col)
		if err := c.Convert(col.Offset, tc.in, &d); err != nil {
			t.Errorf("%s %q: %v", tc.col, tc.in.Bytes, err)
			continue
		}
		if got := string(FormatText(col, &d, loc, nil)); got != tc.text {
			t.Errorf("%s %q: %q, want %q", tc.col, tc.in.Bytes, got, tc.text)
		}
		if len(warned) != i+1 {
			t.Errorf("%s %q: %d warnings after %d bad values", tc.col, tc.in.Bytes, len(warned), i+1)
			warned = warned[:0]
			for j := 0; j <= i; j++ {
				warned = append(warned, "")
			}
		}
	}
	// The same values are errors in strict mode.
	s := newConv(t, sqlmode.StrictAll)
	for _, tc := range cases {
		if err := s.Convert(s.Table().Column(tc.col).Offset, tc.in, &d); err == nil {
			t.Errorf("strict %s %q: no error", tc.col, tc.in.Bytes)
		}
	}
}

func TestEnumSetCollation(t *testing.T) {
	c := convFor(t, "create table t (ci enum('a','B c') collate utf8mb4_general_ci, bn enum('x','Y') collate utf8mb4_bin, uc set('ä','b') collate utf8mb4_unicode_ci, nn enum('p','q') not null, sb set('m','n') collate utf8mb4_bin)", Session{Mode: sqlmode.StrictAll})
	cases := []struct {
		col string
		in  literal.Field
		u   uint64
		ok  bool
	}{
		{"ci", str("b C"), 2, true},
		{"ci", str("A   "), 1, true}, // PAD SPACE
		{"ci", str(" a"), 0, false},  // leading spaces count
		{"bn", str("x "), 1, true},   // _bin is PAD SPACE too
		{"bn", str("y"), 0, false},
		{"bn", str("0x2"), 2, true}, // strconv.ParseUint base 0, as types.ParseEnum
		{"bn", hexf('Y'), 2, true},  // a hex literal is a string here
		{"bn", num("1.5"), 0, false},
		{"uc", str("A,B"), 3, true}, // unicode_ci: ä = a
		{"uc", str("b,ä,b"), 3, true},
		{"sb", str("n ,m"), 3, true},
		{"sb", str("M"), 0, false},
		{"sb", str("3"), 3, true},
		{"sb", literal.Field{Kind: literal.FieldBool, Bytes: []byte("1")}, 1, true},
	}
	var d datum.Datum
	for _, tc := range cases {
		err := c.Convert(c.Table().Column(tc.col).Offset, tc.in, &d)
		if !tc.ok {
			if !errors.Is(err, ErrInvalidValue) {
				t.Errorf("%s %q: err %v, want invalid", tc.col, tc.in.Bytes, err)
			}
			continue
		}
		if err != nil || d.U != tc.u {
			t.Errorf("%s %q: %d %v, want %d", tc.col, tc.in.Bytes, d.U, err, tc.u)
		}
	}
	// A NOT NULL ENUM without a default takes its first member, even in
	// strict mode (table.getColDefaultValueFromNil).
	if err := c.Default(c.Table().Column("nn").Offset, &d); err != nil || d.Kind != datum.Enum || d.U != 1 {
		t.Errorf("enum implicit default: %+v %v", d, err)
	}
}

// TestAutoRandomLeftToEncoder: an omitted or NULL AUTO_RANDOM handle stays
// NULL for kvenc to compose from shard and row ID (SPEC §8; the cli test
// checks the resulting key against the golden vector); a given value is
// kept.
func TestAutoRandomLeftToEncoder(t *testing.T) {
	c := convFor(t, "create table t (id bigint unsigned not null auto_random primary key clustered, a varchar(100))", Session{Mode: sqlmode.StrictAll})
	row := make([]datum.Datum, 2)
	rb, err := NewRowBuilder(c, []string{"a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := rb.Build([]literal.Field{str("")}, 70, row); err != nil || id != 70 || !row[0].IsNull() {
		t.Errorf("omitted: id %d %v %+v", id, err, row[0])
	}
	rb, _ = NewRowBuilder(c, nil, nil)
	if _, err := rb.Build([]literal.Field{{Kind: literal.FieldNull}, str("")}, 70, row); err != nil || !row[0].IsNull() {
		t.Errorf("NULL: %v %+v", err, row[0])
	}
	if _, err := rb.Build([]literal.Field{num("12345"), str("")}, 70, row); err != nil || row[0].Kind != datum.Uint64 || row[0].U != 12345 {
		t.Errorf("given: %v %+v", err, row[0])
	}
}
