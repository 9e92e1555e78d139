package rowparse

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// tupleEnds reads every tuple of in and lists where each starts, where the
// reader stands after it, its statement's offset and the tuple count; the
// error (if any) ends the list. Skim must list the same for any input the
// full reader accepts.
func tupleEnds(t testing.TB, r io.Reader, opts SQLOptions) ([]string, error) {
	t.Helper()
	sr := NewSQLReader(r, opts)
	var out []string
	for {
		_, err := sr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%d-%d stmt %d #%d %s %s", sr.Pos(), sr.Offset(), sr.Statement().Offset, sr.Tuples(), sr.Names(), sr.TimeZone()))
	}
}

// skimInputs are tuples skim steps over and tuples it leaves to the value
// reader: escapes, doubled and adjacent quotes, comments, CONVERT, signs.
var skimInputs = []string{
	"INSERT INTO t VALUES (1,'a\\'b',NULL,0x1F,b'1',X'ab',-1.5e3),(2,\"x\",TRUE,DEFAULT);",
	"INSERT INTO t VALUES ('it''s', 'a' 'b', \"q\"\"q\", '\\\\', '\\\\\\'', ')', '(', '--', '#', '/*');",
	"/*!40101 SET NAMES binary*/;\nINSERT t (a) VALUE (/*!50705 0x01,*/2),(3 -- c\n),(4 # c\n),(5 /* ) */);",
	"INSERT INTO t VALUES (_binary 'x' 'y', CONVERT('z' USING utf8mb4)),(-1,- 2,--3\n,+4);",
	"SET time_zone='+08:00';\nINSERT INTO `a``b` VALUES (),( ),(1),\n(2)\n;\nINSERT INTO t VALUES (N'x',_utf8mb4'y',0b01,.5,1e-3)",
	"INSERT INTO t VALUES ('\\\\'),('a\\\nb'),(\"\\\"\"),('x\\'),('y')",
	"INSERT INTO t VALUES ('0123456789abcdefghij\\'klmnopqrstuvwxyz0123456789', \"0123456789abcdefghijklmnop\"\"q\", '0123456789abcdefghij\\\\')",
	// A ')' inside a comment, and a backslash that escapes only without
	// NO_BACKSLASH_ESCAPES.
	"INSERT INTO t VALUES (1 # )\n),(2 -- )\n),(3)",
	"INSERT INTO t VALUES ('a\\'),(')'),('b')",
	"INSERT INTO t VALUES ('a long string with \\n escapes \\n far apart \\', still \\' going \\\\'),('x')",
	"INSERT INTO t VALUES ('",
	"INSERT INTO t VALUES (1,'abc",
	"INSERT INTO t VALUES (1,2",
	"INSERT INTO t VALUES (1,-",
}

func TestSkimEndsTuplesWhereValuesDo(t *testing.T) {
	for _, in := range skimInputs {
		for _, nbe := range []bool{false, true} {
			for _, size := range []int{0, 1, 7, 64} {
				opts := SQLOptions{NoBackslashEscapes: nbe, BufferSize: size}
				want, wantErr := tupleEnds(t, strings.NewReader(in), opts)
				opts.Skim = true
				got, gotErr := tupleEnds(t, strings.NewReader(in), opts)
				if wantErr != nil {
					// Refused values may be stepped over; the tuples before
					// the refused one must agree.
					if len(got) < len(want) || strings.Join(got[:len(want)], "\n") != strings.Join(want, "\n") {
						t.Errorf("%q nbe=%v size=%d: skim %q %v, values %q %v", in, nbe, size, got, gotErr, want, wantErr)
					}
					continue
				}
				if gotErr != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%q nbe=%v size=%d:\nskim   %q %v\nvalues %q", in, nbe, size, got, gotErr, want)
				}
			}
		}
	}
}

// TestSkimSteps checks that skim, not the value reader, ends plain tuples:
// the rows it returns are empty.
func TestSkimSteps(t *testing.T) {
	in := "INSERT INTO t VALUES (1,'a\\'b',NULL,-2.5,'x''y'),(2,\"c\",X'0A',_binary'z');"
	sr := NewSQLReader(strings.NewReader(in), SQLOptions{Skim: true})
	for i := 0; i < 2; i++ {
		row, err := sr.Next()
		if err != nil || len(row) != 0 {
			t.Fatalf("tuple %d: %v, %d fields; want skimmed", i, err, len(row))
		}
	}
	if _, err := sr.Next(); err != io.EOF {
		t.Fatalf("after the last tuple: %v", err)
	}
}

// FuzzSkim checks that skimming ends every tuple where reading its values
// does, whatever the window size, on any input the value reader accepts,
// and never panics on the rest.
func FuzzSkim(f *testing.F) {
	for i, s := range skimInputs {
		f.Add(s, i%2 == 1, uint16(7*i))
	}
	f.Fuzz(func(t *testing.T, in string, nbe bool, size uint16) {
		opts := SQLOptions{NoBackslashEscapes: nbe}
		want, wantErr := tupleEnds(t, strings.NewReader(in), opts)
		n := len(want)
		opts.Skim = true
		for _, v := range []struct {
			size int
			r    io.Reader
		}{
			{0, strings.NewReader(in)},
			{1, iotest.OneByteReader(strings.NewReader(in))},
			{int(size), iotest.HalfReader(strings.NewReader(in))},
		} {
			opts.BufferSize = v.size
			got, gotErr := tupleEnds(t, v.r, opts)
			if len(got) < n || strings.Join(got[:n], "\n") != strings.Join(want, "\n") {
				t.Fatalf("window %d: skim differs:\n%q %v\nvalues %q %v", v.size, got, gotErr, want, wantErr)
			}
			if wantErr == nil && (len(got) != n || gotErr != nil) {
				t.Fatalf("window %d: skim reads other tuples than the values reader: %q %v / %q", v.size, got, gotErr, want)
			}
		}
	})
}
