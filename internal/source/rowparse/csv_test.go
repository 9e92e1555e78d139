package rowparse

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

func readAllCSV(t testing.TB, r io.Reader, opts CSVOptions) ([]string, error) {
	t.Helper()
	cr, err := NewCSVReader(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for {
		row, err := cr.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, render(row))
	}
}

func TestCSVRecords(t *testing.T) {
	def := DefaultCSVOptions()
	custom := def
	custom.Separator, custom.Delimiter, custom.Terminator = "||", "'", "|+|\n"
	noEsc := def
	noEsc.BackslashEscape = false
	trim := def
	trim.TrimLastSeparator = true
	nulls := def
	nulls.Null = []string{`\N`, "NULL"}
	notNull := def
	notNull.NotNull = true
	cases := []struct {
		name, in string
		opts     CSVOptions
		want     []string
	}{
		{"basic", "1,\"a\",b\n2,\"\",\n", def, []string{`s"1"|s"a"|s"b"`, `s"2"|s""|s""`}},
		{"crlf and empty lines", "1,2\r\n\r\n\n3,4\r5,6", def, []string{`s"1"|s"2"`, `s"3"|s"4"`, `s"5"|s"6"`}},
		{"whitespace line skipped", "1\n   \n2\n", def, []string{`s"1"`, `s"2"`}},
		{"doubled quotes", `"a""b","""",""` + "\n", def, []string{`s"a\"b"|s"\""|s""`}},
		{"null", `\N,"\N",\\N,N,"NULL",` + "\n", def, []string{`NULL|NULL|s"\\N"|s"N"|s"NULL"|s""`}},
		{"null list", `\N,NULL,"NULL",null` + "\n", nulls, []string{`NULL|NULL|NULL|s"null"`}},
		{"not null", `\N,x` + "\n", notNull, []string{`s"N"|s"x"`}},
		{"escapes", `"\\\"\0\b\n\r\t\Z\q",a\,b` + "\n", def, []string{`s"\\\"\x00\b\n\r\t\x1aq"|s"a,b"`}},
		{"escaped line break", "\"a\\\nb\",c\\\r\n", def, []string{`s"a\nb"|s"c\r"`}},
		{"quoted line break", "\"a\nb\",\"c\r\nd\"\n", def, []string{`s"a\nb"|s"c\r\nd"`}},
		{"no backslash escape", `"a\",\N` + "\n", noEsc, []string{`s"a\\"|NULL`}},
		{"multi-byte", "'a||b'||c|+|\n||'x''y'|+|\n", custom, []string{`s"a||b"|s"c"`, `s""|s"x'y"`}},
		{"partial multi-byte", "a|b||c|+d|+|\n", custom, []string{`s"a|b"|s"c|+d"`}},
		{"trim last separator", "a,b,\nc,,\n", trim, []string{`s"a"|s"b"`, `s"c"|s""`}},
		{"no trailing newline", "a,b", def, []string{`s"a"|s"b"`}},
		{"fast path edges", "1,\"a\",\\N\r\n\r\n2,\"b\"\"c\",x\\,y\n3,\"d\\\"e\",\"\\N\"\n   \n4,,\n", def,
			[]string{`s"1"|s"a"|NULL`, `s"2"|s"b\"c"|s"x,y"`, `s"3"|s"d\"e"|NULL`, `s"4"|s""|s""`}},
		{"utf8", "中文,\"İnegöl\"\n", def, []string{`s"中文"|s"İnegöl"`}},
	}
	for _, tc := range cases {
		for _, size := range []int{0, 1, 2} {
			t.Run(fmt.Sprintf("%s/buf%d", tc.name, size), func(t *testing.T) {
				opts := tc.opts
				opts.BufferSize = size
				var r io.Reader = strings.NewReader(tc.in)
				if size > 0 {
					r = iotest.OneByteReader(r)
				}
				got, err := readAllCSV(t, r, opts)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
			})
		}
	}
}

func TestCSVHeaderAndPos(t *testing.T) {
	opts := DefaultCSVOptions()
	opts.Header = true
	opts.Offset = 1000
	in := "\"a\",\"b c\"\n1,2\n\n3,4\n"
	cr, err := NewCSVReader(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := cr.Header()
	if err != nil || strings.Join(h, ",") != "a,b c" {
		t.Fatalf("header %q %v", h, err)
	}
	for _, want := range []int{strings.Index(in, "1,2"), strings.Index(in, "3,4")} {
		if _, err := cr.Next(); err != nil {
			t.Fatal(err)
		}
		if cr.Pos() != int64(1000+want) {
			t.Fatalf("pos %d want %d", cr.Pos(), 1000+want)
		}
	}
	if _, err := cr.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
	// The header and the empty line are not records.
	if cr.Records() != 2 {
		t.Fatalf("Records() = %d, want 2", cr.Records())
	}
}

func TestCSVErrors(t *testing.T) {
	cases := []struct {
		name, in  string
		offset    int64
		line, col int
		msg       string
	}{
		{"unterminated", "1,2,3,4\n2,10,4,5\n1111,\",7,8\n", 22, 3, 6, "unterminated quoted field"},
		{"text after quote", "\"a\"b,c\n", 3, 1, 4, "consecutive fields"},
		{"quote inside field", "ab\"c\",d\n", 2, 1, 3, "consecutive fields"},
		{"dangling backslash", "a,b\\", 3, 1, 4, "no character after backslash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultCSVOptions()
			opts.File = "db.test.1.csv"
			_, err := readAllCSV(t, strings.NewReader(tc.in), opts)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("want SyntaxError, got %v", err)
			}
			if se.Offset != tc.offset || se.Line != tc.line || se.Column != tc.col || !strings.Contains(se.Msg, tc.msg) {
				t.Fatalf("got %+v", se)
			}
		})
	}
}

// TestLightningCSVCases reads TiDB Lightning's own lightning_csv inputs and
// checks the values its run.sh expects.
func TestLightningCSVCases(t *testing.T) {
	dir := golden.Shared(t, "corpora/lightning-cases/lightning_csv") + "/"
	read := func(name string) [][]literal.Field {
		f, err := os.Open(dir + name)
		if err != nil {
			golden.Missing(t, err.Error())
		}
		defer f.Close()
		cr, _ := NewCSVReader(f, CSVOptions{Separator: ",", Delimiter: `"`, Null: []string{`\N`}, BackslashEscape: true, File: name})
		var rows [][]literal.Field
		for {
			row, err := cr.Next()
			if err == io.EOF {
				return rows
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cp := make([]literal.Field, len(row))
			for i, f := range row {
				cp[i] = literal.Field{Kind: f.Kind, Bytes: append([]byte(nil), f.Bytes...)}
			}
			rows = append(rows, cp)
		}
	}
	threads := read("data/csv.threads.csv")
	notNullTime, stateCount := 0, 0
	for _, r := range threads {
		if len(r) != 18 {
			t.Fatalf("threads row has %d fields", len(r))
		}
	}
	// PROCESSLIST_TIME is field 8, PROCESSLIST_STATE 9, THREAD_OS_ID 16.
	var sumTime, sumOS int64
	for _, r := range threads {
		if r[8].Kind != literal.FieldNull {
			notNullTime++
			var v int64
			fmt.Sscan(string(r[8].Bytes), &v)
			sumTime += v
		}
		if r[9].Kind != literal.FieldNull {
			stateCount++
		}
		var v int64
		fmt.Sscan(string(r[16].Bytes), &v)
		sumOS += v
	}
	if len(threads) != 43 || notNullTime != 12 || stateCount != 3 || sumTime != 322253 || sumOS != 303775702 {
		t.Errorf("threads: %d rows, %d non-null times, %d states, sums %d %d; want 43, 12, 3, 322253, 303775702",
			len(threads), notNullTime, stateCount, sumTime, sumOS)
	}
	esc := read("data/csv.escapes.CSV")
	want := map[string][3]string{
		"1": {"5C", `{"?": []}`, "FFFFFFFF"},
		"2": {"22", `"\n\n\n"`, "0D0A0D0A"},
		"3": {"0A", `[",,,"]`, "5C2C5C2C"},
	}
	if len(esc) != 3 {
		t.Fatalf("escapes: %d rows", len(esc))
	}
	for _, r := range esc {
		w := want[string(r[0].Bytes)]
		got := [3]string{fmt.Sprintf("%X", r[1].Bytes), string(r[2].Bytes), fmt.Sprintf("%X", r[3].Bytes)}
		if got != w {
			t.Errorf("escapes row %s: got %q want %q", r[0].Bytes, got, w)
		}
	}
	es := read("data/csv.empty_strings.csv")
	for _, r := range es {
		if string(r[1].Bytes) == `"` && string(r[0].Bytes) != "3" {
			t.Errorf("empty_strings: a = '\"' for id %s", r[0].Bytes)
		}
		if len(r[2].Bytes) != 0 {
			t.Errorf("empty_strings: b not empty in id %s", r[0].Bytes)
		}
	}

	f, _ := os.Open(dir + "errData/db.test.1.csv")
	defer f.Close()
	cr, _ := NewCSVReader(f, CSVOptions{Separator: ",", Delimiter: `"`, Null: []string{`\N`}, BackslashEscape: true, File: "db.test.1.csv"})
	var err error
	for err == nil {
		_, err = cr.Next()
	}
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 22 || !strings.Contains(se.Error(), ",7,8") {
		t.Errorf("errData: got %v, want a syntax error at offset 22 mentioning ,7,8", err)
	}
}
