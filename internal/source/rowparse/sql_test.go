package rowparse

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// render prints a row compactly: kinds and values, for comparisons.
func render(row []literal.Field) string {
	var b strings.Builder
	for i, f := range row {
		if i > 0 {
			b.WriteByte('|')
		}
		switch f.Kind {
		case literal.FieldNull:
			b.WriteString("NULL")
		case literal.FieldDefault:
			b.WriteString("DEFAULT")
		case literal.FieldString:
			if f.Charset != "" {
				b.WriteString("_" + f.Charset)
			}
			fmt.Fprintf(&b, "s%q", f.Bytes)
		case literal.FieldNumber:
			fmt.Fprintf(&b, "n%s", f.Bytes)
		case literal.FieldHex:
			fmt.Fprintf(&b, "x%X", f.Bytes)
		case literal.FieldBit:
			fmt.Fprintf(&b, "b%X", f.Bytes)
		case literal.FieldBool:
			fmt.Fprintf(&b, "t%s", f.Bytes)
		}
	}
	return b.String()
}

func readAllSQL(t testing.TB, r io.Reader, opts SQLOptions) ([]string, *SQLReader, error) {
	t.Helper()
	sr := NewSQLReader(r, opts)
	var rows []string
	for {
		row, err := sr.Next()
		if err == io.EOF {
			return rows, sr, nil
		}
		if err != nil {
			return rows, sr, err
		}
		rows = append(rows, render(row))
	}
}

func TestSQLValues(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
		opts     SQLOptions
	}{
		{"basic", "INSERT INTO `t` VALUES (1,'a',NULL),(-2.5e3,\"b\",DEFAULT);", []string{`n1|s"a"|NULL`, `n-2.5e3|s"b"|DEFAULT`}, SQLOptions{}},
		{"escapes", `insert into t values ('\0\'\"\b\n\r\t\Z\\\%\_\q');`, []string{`s"\x00'\"\b\n\r\t\x1a\\\\%\\_q"`}, SQLOptions{}},
		{"doubled quotes", `INSERT t VALUES ('it''s',"say ""hi""",'',"",'''',"""");`, []string{`s"it's"|s"say \"hi\""|s""|s""|s"'"|s"\""`}, SQLOptions{}},
		{"no backslash escapes", `INSERT t VALUES ('a\nb\','x');`, []string{`s"a\\nb\\"|s"x"`}, SQLOptions{NoBackslashEscapes: true}},
		{"hex and bit", `INSERT t VALUES (X'0aFf',x'',0x1,0xABC,b'01',0b101,B'111111111');`, []string{`x0AFF|x|x01|x0ABC|b01|b05|b01FF`}, SQLOptions{}},
		{"introducers", `INSERT t VALUES (_binary 'x',_utf8mb4'y',_binary 0x41,N'z');`, []string{`_binarys"x"|_utf8mb4s"y"|x41|_utf8s"z"`}, SQLOptions{}},
		{"numbers", `INSERT t VALUES (.5,+3,- 4,--5,1E10,1.,18446744073709551614,-9223372036854775808);`, []string{`n.5|n3|n-4|n5|n1E10|n1.|n18446744073709551614|n-9223372036854775808`}, SQLOptions{}},
		{"bools", `INSERT t VALUES (TRUE,false,null,Default);`, []string{`t1|t0|NULL|DEFAULT`}, SQLOptions{}},
		{"comments", "-- c\n# c\n/* c */INSERT /* x */ INTO t -- y\n VALUES(1 /*z*/ , 2)#w\n,(3,4)", []string{`n1|n2`, `n3|n4`}, SQLOptions{}},
		{"exec comment value", "INSERT INTO `address` VALUES (1,'',/*!50705 0x0101,*/'2014')", []string{`n1|s""|x0101|s"2014"`}, SQLOptions{}},
		{"convert", `INSERT t VALUES (CONVERT("{\"a\": 1}" USING UTF8MB4), convert ( 'x' using binary ));`, []string{`_utf8mb4s"{\"a\": 1}"|_binarys"x"`}, SQLOptions{}},
		{"adjacent strings", `INSERT t VALUES ('a' 'b' "c", 'd');`, []string{`s"abc"|s"d"`}, SQLOptions{}},
		{"value keyword and replace", `REPLACE INTO t VALUE (1);INSERT IGNORE t VALUES (2)`, []string{`n1`, `n2`}, SQLOptions{}},
		{"other statements", "/*!40101 SET NAMES binary*/;\nSET FOREIGN_KEY_CHECKS=0;\nUSE `x;y`;\nLOCK TABLES t WRITE;\nINSERT INTO t VALUES (1);\nUNLOCK TABLES;", []string{`n1`}, SQLOptions{}},
		{"empty tuple", `INSERT INTO t VALUES ();`, []string{``}, SQLOptions{}},
		// One row per (): every column defaulted (MySQL's INSERT ... VALUES ()).
		{"empty tuples, empty column list", "INSERT INTO t () VALUES (), ();", []string{``, ``}, SQLOptions{}},
		{"empty tuples, no column list", "INSERT INTO `t` VALUES (),( ) ,();", []string{``, ``, ``}, SQLOptions{}},
		{"empty tuples mixed", "INSERT INTO t VALUES (),(1),();INSERT INTO t () VALUE ()", []string{``, `n1`, ``, ``}, SQLOptions{}},
		{"utf8", `INSERT INTO t VALUES ('İnegöl','中文');`, []string{`s"İnegöl"|s"中文"`}, SQLOptions{}},
		{"fast path edges", "INSERT t VALUES ('a' ,\"b\" ),('c''d','e\\'f',''),(-5,- 5,+5,-.5,5.,1e3,0x41,nUlL,NULL ),(1)",
			[]string{`s"a"|s"b"`, `s"c'd"|s"e'f"|s""`, `n-5|n-5|n5|n-.5|n5.|n1e3|x41|NULL|NULL`, `n1`}, SQLOptions{}},
		{"many escapes", `INSERT t VALUES ('a\tb\nc\\d\'e"f\\\\','\\');`, []string{`s"a\tb\nc\\d'e\"f\\\\"|s"\\"`}, SQLOptions{}},
		{"header resume", `(3),(4);`, []string{`n3`, `n4`}, SQLOptions{Header: []byte("INSERT INTO t VALUES\n")}},
		{"cut after tuple", `(3),(4),`, []string{`n3`, `n4`}, SQLOptions{Header: []byte("INSERT INTO t VALUES "), CutAfterTuple: true}},
	}
	for _, tc := range cases {
		for _, size := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("%s/buf%d", tc.name, size), func(t *testing.T) {
				opts := tc.opts
				opts.BufferSize = size
				var r io.Reader = strings.NewReader(tc.in)
				if size > 0 {
					r = iotest.OneByteReader(r)
				}
				got, sr, err := readAllSQL(t, r, opts)
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if len(got) != len(tc.want) || strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
				if sr.Tuples() != uint64(len(tc.want)) {
					t.Fatalf("Tuples() = %d, want %d", sr.Tuples(), len(tc.want))
				}
			})
		}
	}
}

func TestSQLStatementInfo(t *testing.T) {
	in := "/*!40101 SET NAMES binary*/;\n/*!40103 SET TIME_ZONE='+00:00' */;\n" +
		"insert `x``f\"n`.`exotic``table````name` (a, b, _tidb_rowid) values ('a',1,2);\n" +
		"REPLACE INTO t VALUES (1);\nINSERT IGNORE INTO `t2` (`c d`) VALUES (1);"
	sr := NewSQLReader(strings.NewReader(in), SQLOptions{Offset: 100})
	type info struct {
		kind   StatementKind
		ignore bool
		table  string
		cols   string
		pos    int64
	}
	want := []info{
		{StatementInsert, false, "exotic`table``name", "a,b,_tidb_rowid", 100 + int64(strings.Index(in, "('a'"))},
		{StatementReplace, false, "t", "", 100 + int64(strings.Index(in, "(1);\nINSERT"))},
		{StatementInsert, true, "t2", "c d", 100 + int64(strings.LastIndex(in, "(1)"))},
	}
	for i, w := range want {
		if _, err := sr.Next(); err != nil {
			t.Fatal(err)
		}
		st := sr.Statement()
		got := info{st.Kind, st.Ignore, st.Table, strings.Join(st.Columns, ","), sr.Pos()}
		if got != w {
			t.Errorf("row %d: got %+v want %+v", i, got, w)
		}
	}
	if sr.Names() != "binary" || sr.TimeZone() != "+00:00" {
		t.Errorf("names %q time zone %q", sr.Names(), sr.TimeZone())
	}
	if sr.Columns() == nil {
		t.Errorf("columns nil")
	}
	if _, err := sr.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestSQLErrors(t *testing.T) {
	cases := []struct {
		name, in  string
		offset    int64
		line, col int
	}{
		{"unterminated string", "INSERT INTO t VALUES\n(1,'abc", 24, 2, 4},
		{"unterminated tuple", "INSERT INTO t VALUES (1,2", 21, 1, 22},
		{"bad separator", "INSERT INTO t VALUES (1 2)", 24, 1, 25},
		{"bad value", "INSERT INTO t VALUES (now())", 22, 1, 23},
		{"missing tuple", "INSERT INTO t VALUES (1),", 25, 1, 26},
		{"odd hex", "INSERT INTO t VALUES (X'abc')", 22, 1, 23},
		{"select", "INSERT INTO t SELECT 1", 14, 1, 15},
		{"unterminated comment", "/* abc", 0, 1, 1},
		{"null prefix", "INSERT INTO t VALUES (NULLx)", 22, 1, 23},
		{"hex after sign", "INSERT INTO t VALUES (1,-0x1)", 24, 1, 25},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAllSQL(t, strings.NewReader(tc.in), SQLOptions{File: "f.sql"})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("want SyntaxError, got %v", err)
			}
			if se.Offset != tc.offset || se.Line != tc.line || se.Column != tc.col || se.File != "f.sql" {
				t.Fatalf("got %+v", se)
			}
			if !strings.Contains(se.Error(), "f.sql") {
				t.Fatalf("message %q", se.Error())
			}
		})
	}
}
