package rowparse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestSkippedStatements: a statement that carries no rows is skipped and
// reported when rows follow it (Lightning imports around it); at the end
// of a file's input it is a syntax error at its offset (Lightning:
// "syntax error: premature EOF"), which is what garbage after the last
// statement is.
func TestSkippedStatements(t *testing.T) {
	for _, c := range []struct {
		name, in  string
		atFileEnd bool
		rows      int
		skipped   []string // heads reported to OnSkip
		errAt     string   // the text whose offset the error names; "" for none
	}{
		{"update between inserts", "INSERT INTO t VALUES (1);\nUPDATE t SET a=1;\nINSERT INTO t VALUES (2);\n", true, 2, []string{"UPDATE t SET a=1;"}, ""},
		{"garbage after last statement", "INSERT INTO t VALUES (1);\ngarbage here\n", true, 1, nil, "garbage here"},
		{"terminated statement last", "INSERT INTO t VALUES (1);\nDELETE FROM t;\n", true, 1, nil, "DELETE FROM t"},
		{"binary garbage last", "INSERT INTO t VALUES (1);\n\x01\x02\xff\n", true, 1, nil, "\x01\x02"},
		{"chunk not at file end", "INSERT INTO t VALUES (1);\nUNLOCK TABLES;\n", false, 1, []string{"UNLOCK TABLES;"}, ""},
		{"set statements last", "INSERT INTO t VALUES (1);\nSET NAMES utf8mb4;\n", true, 1, nil, ""},
		{"comments last", "INSERT INTO t VALUES (1);\n/* the end */ -- bye\n", true, 1, nil, ""},
		{"two statements, the last refused", "INSERT INTO t VALUES (1);\nLOCK TABLES t WRITE;\nINSERT INTO t VALUES (2);\nUNLOCK TABLES;", true, 2, []string{"LOCK TABLES t WRITE;"}, "UNLOCK"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var heads []string
			r := NewSQLReader(strings.NewReader(c.in), SQLOptions{File: "db.t.sql", Offset: 100, AtFileEnd: c.atFileEnd,
				OnSkip: func(off int64, head string) {
					if want := int64(100 + strings.Index(c.in, head[:4])); off != want {
						t.Errorf("skipped %q at offset %d, want %d", head, off, want)
					}
					heads = append(heads, head)
				}})
			rows := 0
			var err error
			for {
				if _, err = r.Next(); err != nil {
					break
				}
				rows++
			}
			if rows != c.rows {
				t.Errorf("%d rows, want %d", rows, c.rows)
			}
			if len(heads) != len(c.skipped) {
				t.Errorf("skipped %q, want %q", heads, c.skipped)
			}
			for i := range min(len(heads), len(c.skipped)) {
				if !strings.HasPrefix(heads[i], c.skipped[i]) {
					t.Errorf("skipped %q, want %q", heads[i], c.skipped[i])
				}
			}
			if c.errAt == "" {
				if err != io.EOF {
					t.Fatalf("err = %v, want io.EOF", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a syntax error", err)
			}
			if want := int64(100 + strings.Index(c.in, c.errAt)); se.Offset != want || se.File != "db.t.sql" || se.Line == 0 {
				t.Errorf("error %v: offset %d line %d, want offset %d", err, se.Offset, se.Line, want)
			}
		})
	}
}
