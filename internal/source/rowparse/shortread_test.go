package rowparse

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// TestSQLShortReads: a reader that returns fewer bytes than asked (a
// decompressor, a character-set decoder) moves the window at any byte; a
// statement's INSERT INTO header read across such a move must parse the
// same (a saved buffer index went stale there and mis-parsed it).
func TestSQLShortReads(t *testing.T) {
	var b strings.Builder
	rows := 0
	for i := 0; i < 3000; i++ {
		b.WriteString("INSERT INTO t VALUES (" + strconv.Itoa(i) + ",'中文" + strings.Repeat("x", i%7) + "',1e" + strconv.Itoa(i%3) + ");\n")
		rows++
	}
	for _, size := range []int{64, 100, 1000, 4096} {
		for name, r := range map[string]io.Reader{
			"half":     iotest.HalfReader(strings.NewReader(b.String())),
			"one byte": iotest.OneByteReader(strings.NewReader(b.String())),
		} {
			sr := NewSQLReader(r, SQLOptions{BufferSize: size})
			n := 0
			for {
				f, err := sr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("buffer %d, %s reads: row %d: %v", size, name, n, err)
				}
				if got, want := string(f[0].Bytes), strconv.Itoa(n); got != want {
					t.Fatalf("buffer %d, %s reads: row %d reads id %s", size, name, n, got)
				}
				n++
			}
			if n != rows {
				t.Errorf("buffer %d, %s reads: %d rows, want %d", size, name, n, rows)
			}
		}
	}
}
