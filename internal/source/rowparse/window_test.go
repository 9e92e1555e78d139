package rowparse

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestWindowSizesAgree reads realistic inputs through windows of several
// sizes. With a large window most values take the fast paths; with a
// one-byte window they almost never fit and the general lexer reads them;
// with a small window fed in halves, the window moves in the middle of
// tuples after fast-path values were taken. All must give the same rows.
func TestWindowSizesAgree(t *testing.T) {
	type reader func(r io.Reader, size int) ([]string, error)
	readSQL := func(r io.Reader, size int) ([]string, error) {
		rows, _, err := readAllSQL(t, r, SQLOptions{BufferSize: size})
		return rows, err
	}
	readCSV := func(r io.Reader, size int) ([]string, error) {
		opts := DefaultCSVOptions()
		opts.BufferSize = size
		return readAllCSV(t, r, opts)
	}
	inputs := []struct {
		name string
		data []byte
		read reader
	}{
		{"sysbench.sql", genSysbenchSQL(300), readSQL},
		{"sakila-mix.sql", genSakilaSQL(2100), readSQL},
		{"sysbench.csv", genSysbenchCSV(300), readCSV},
	}
	for i, f := range corpusFiles(t, "sakila/sakila.address.0*.sql") {
		inputs = append(inputs, struct {
			name string
			data []byte
			read reader
		}{"corpus" + string(rune('0'+i)), f, readSQL})
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			want, err := in.read(iotest.OneByteReader(bytes.NewReader(in.data)), 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no rows")
			}
			for _, size := range []int{0, 64, 1000} {
				got, err := in.read(iotest.HalfReader(bytes.NewReader(in.data)), size)
				if err != nil {
					t.Fatalf("window %d: %v", size, err)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("window %d: rows differ from the one-byte window", size)
				}
			}
		})
	}
}
