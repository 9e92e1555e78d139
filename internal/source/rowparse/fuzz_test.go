package rowparse

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzSQLReader checks the SQL reader never panics or hangs, that errors
// carry positions inside the input, and that the window size does not
// change the result.
func FuzzSQLReader(f *testing.F) {
	for _, s := range []string{
		"INSERT INTO t VALUES (1,'a\\'b',NULL,0x1F,b'1',X'ab',-1.5e3),(2,\"x\",TRUE,DEFAULT);",
		"/*!40101 SET NAMES binary*/;\nINSERT t (a) VALUE (/*!50705 0x01,*/2)",
		"INSERT INTO t VALUES (_binary 'x' 'y', CONVERT('z' USING utf8mb4))",
		"-- c\n# d\n/* e */ REPLACE INTO `a``b` VALUES ('",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, _, errA := readAllSQL(t, strings.NewReader(in), SQLOptions{})
		b, _, errB := readAllSQL(t, iotest.OneByteReader(strings.NewReader(in)), SQLOptions{BufferSize: 1})
		if strings.Join(a, "\n") != strings.Join(b, "\n") || errPlace(errA) != errPlace(errB) {
			t.Fatalf("window size changes the result: %q %v / %q %v", a, errA, b, errB)
		}
		checkPos(t, errA, len(in))
	})
}

// errPlace describes an error without its excerpt, which depends on how
// much text the window holds: the place and the reason must not.
func errPlace(err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%d:%d:%d %s", se.Offset, se.Line, se.Column, se.Msg)
	}
	return fmt.Sprint(err)
}

// FuzzCSVReader is the same for the CSV reader.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"1,\"a\"\"b\",\\N\n2,\"x\\\ny\",\r\n",
		"1111,\",7,8\n",
		"a||b|+|\n",
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, custom bool) {
		opts := DefaultCSVOptions()
		if custom {
			opts.Separator, opts.Delimiter, opts.Terminator = "||", "'", "|+|"
		}
		opts.TrimLastSeparator = len(in)%2 == 1
		a, errA := readAllCSV(t, strings.NewReader(in), opts)
		opts.BufferSize = 1
		b, errB := readAllCSV(t, iotest.OneByteReader(strings.NewReader(in)), opts)
		if strings.Join(a, "\n") != strings.Join(b, "\n") || errPlace(errA) != errPlace(errB) {
			t.Fatalf("window size changes the result: %q %v / %q %v", a, errA, b, errB)
		}
		checkPos(t, errA, len(in))
	})
}

func checkPos(t *testing.T, err error, n int) {
	if err == nil || err == io.EOF {
		return
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error is not a SyntaxError: %v", err)
	}
	if se.Offset < 0 || se.Offset > int64(n) || se.Line < 1 || se.Column < 1 {
		t.Fatalf("bad position in %+v (input %d bytes)", se, n)
	}
}
