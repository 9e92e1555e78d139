package rowparse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
)

// benchRand is a small deterministic generator (xorshift) so benchmark
// inputs are the same on every run without math/rand's global state.
type benchRand uint64

func (r *benchRand) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = benchRand(x)
	return x
}

func (r *benchRand) intn(n int) int { return int(r.next() % uint64(n)) }

// sysbenchText writes n characters shaped like sysbench's c and pad columns
// (groups of 11 digits joined by '-'), with an escaped quote, backslash or
// newline in about one value in 20 when esc is set.
func sysbenchText(b *bytes.Buffer, r *benchRand, n int, esc bool) {
	for i := 0; i < n; i++ {
		if i%12 == 11 {
			b.WriteByte('-')
			continue
		}
		b.WriteByte(byte('0' + r.intn(10)))
	}
	if esc && r.intn(20) == 0 {
		switch r.intn(3) {
		case 0:
			b.WriteString(`\'`)
		case 1:
			b.WriteString(`\\`)
		default:
			b.WriteString(`\n`)
		}
	}
}

// genSysbenchSQL is a sysbench-like table (id, k, c CHAR(120), pad
// CHAR(60)) with a DECIMAL and a nullable column added, written as
// mydumper/dumpling do: multi-row INSERTs of about 1 MiB.
func genSysbenchSQL(rows int) []byte {
	var b bytes.Buffer
	r := benchRand(88172645463325252)
	b.WriteString("/*!40101 SET NAMES binary*/;\n/*!40014 SET FOREIGN_KEY_CHECKS=0*/;\n")
	for i := 0; i < rows; i++ {
		if i%4000 == 0 {
			if i > 0 {
				b.WriteString(";\n")
			}
			b.WriteString("INSERT INTO `sbtest1` VALUES\n")
		} else {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "(%d,%d,'", i+1, r.intn(1000000))
		sysbenchText(&b, &r, 120, true)
		b.WriteString("','")
		sysbenchText(&b, &r, 60, false)
		fmt.Fprintf(&b, "',%d.%02d,", r.intn(100000)-50000, r.intn(100))
		if r.intn(4) == 0 {
			b.WriteString("NULL)")
		} else {
			fmt.Fprintf(&b, "%d)", r.intn(1<<31))
		}
	}
	b.WriteString(";\n")
	return b.Bytes()
}

var sakilaWords = []string{"ACADEMY", "DINOSAUR", "Epic", "Drama", "of", "a", "Feminist",
	"And", "Mad", "Scientist", "who", "must", "Battle", "Teacher", "in", "The", "Canadian",
	"Rockies", "Astounding", "Epistle", "Database", "Administrator", "O'Brien", "Car"}

func sakilaText(b *bytes.Buffer, r *benchRand, words int) {
	for i := 0; i < words; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := sakilaWords[r.intn(len(sakilaWords))]
		if w == "O'Brien" {
			w = `O\'Brien`
		}
		b.WriteString(w)
	}
}

// genSakilaSQL mixes sakila's shapes: short integer tables (film_actor),
// payment (ints, quoted decimals, datetimes), film (long text, NULLs,
// sets) and address (a /*!50705 ... */ hex geometry, utf8 text).
func genSakilaSQL(rows int) []byte {
	var b bytes.Buffer
	r := benchRand(0x9E3779B97F4A7C15)
	b.WriteString("/*!40101 SET NAMES binary*/;\n")
	for i := 0; i < rows; {
		table := i / 500 % 4
		n := 500
		if i+n > rows {
			n = rows - i
		}
		switch table {
		case 0:
			b.WriteString("INSERT INTO `film_actor` VALUES\n")
		case 1:
			b.WriteString("INSERT INTO `payment` VALUES\n")
		case 2:
			b.WriteString("INSERT INTO `film` VALUES\n")
		case 3:
			b.WriteString("INSERT INTO `address` VALUES\n")
		}
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(",\n")
			}
			id := i + j + 1
			switch table {
			case 0:
				fmt.Fprintf(&b, "(%d,%d,'2006-02-15 05:05:03')", r.intn(200)+1, r.intn(1000)+1)
			case 1:
				fmt.Fprintf(&b, "(%d,%d,%d,%d,'%d.99','2005-05-25 11:30:37','2006-02-15 22:12:30')",
					id, r.intn(599)+1, r.intn(2)+1, r.intn(16000)+1, r.intn(10))
			case 2:
				fmt.Fprintf(&b, "(%d,'", id)
				sakilaText(&b, &r, 2)
				b.WriteString("','")
				sakilaText(&b, &r, 16)
				fmt.Fprintf(&b, "',2006,1,NULL,%d,'%d.99',%d,'%d.99','PG-13','Trailers,Deleted Scenes','2006-02-15 05:03:42')",
					r.intn(5)+3, r.intn(5), r.intn(150)+40, r.intn(20)+10)
			case 3:
				fmt.Fprintf(&b, "(%d,'%d ", id, r.intn(2000))
				sakilaText(&b, &r, 2)
				fmt.Fprintf(&b, " Boulevard','','İstanbul',%d,'%05d','%d',/*!50705 0x0000000001010000003E0A325D63345CC0761FDB8D99D94040,*/'2014-09-25 22:30:27')",
					r.intn(600)+1, r.intn(99999), r.int63())
			}
		}
		b.WriteString(";\n")
		i += n
	}
	return b.Bytes()
}

func (r *benchRand) int63() int64 { return int64(r.next() >> 1) }

// genSysbenchCSV is genSysbenchSQL's table as dumpling writes CSV.
func genSysbenchCSV(rows int) []byte {
	var b bytes.Buffer
	r := benchRand(88172645463325252)
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "%d,%d,\"", i+1, r.intn(1000000))
		sysbenchText(&b, &r, 120, true)
		b.WriteString("\",\"")
		sysbenchText(&b, &r, 60, false)
		fmt.Fprintf(&b, "\",%d.%02d,", r.intn(100000)-50000, r.intn(100))
		if r.intn(4) == 0 {
			b.WriteString("\\N\n")
		} else {
			fmt.Fprintf(&b, "%d\n", r.intn(1<<31))
		}
	}
	return b.Bytes()
}

// corpusFiles concatenates the files of a corpus folder matching pattern;
// nil when the corpus is not on this machine.
func corpusFiles(tb testing.TB, pattern string) [][]byte {
	names, _ := filepath.Glob(filepath.Join(golden.Shared(tb, "corpora"), pattern))
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func benchSQL(b *testing.B, files [][]byte, opts SQLOptions) {
	if len(files) == 0 {
		b.Skip("no input")
	}
	var total int64
	for _, f := range files {
		total += int64(len(f))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			r := NewSQLReader(bytes.NewReader(f), opts)
			for {
				if _, err := r.Next(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func benchCSV(b *testing.B, files [][]byte, opts CSVOptions) {
	if len(files) == 0 {
		b.Skip("no input")
	}
	var total int64
	for _, f := range files {
		total += int64(len(f))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			r, _ := NewCSVReader(bytes.NewReader(f), opts)
			for {
				if _, err := r.Next(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func BenchmarkSQLReader(b *testing.B) {
	// skim is what cutting a file into chunks reads (SQLOptions.Skim).
	for _, mode := range []struct {
		name string
		opts SQLOptions
	}{{"values", SQLOptions{}}, {"skim", SQLOptions{Skim: true}}} {
		b.Run(mode.name+"/sysbench", func(b *testing.B) { benchSQL(b, [][]byte{genSysbenchSQL(40000)}, mode.opts) })
		b.Run(mode.name+"/sakila-mix", func(b *testing.B) { benchSQL(b, [][]byte{genSakilaSQL(60000)}, mode.opts) })
		b.Run(mode.name+"/sakila-corpus", func(b *testing.B) { benchSQL(b, corpusFiles(b, "sakila/sakila.*.0*.sql"), mode.opts) })
		// 64 KiB strings with an escape every 40 bytes (TEXT with newlines):
		// an escape must not make the scan start over (skim once took 37 MB/s).
		b.Run(mode.name+"/long-escaped", func(b *testing.B) { benchSQL(b, [][]byte{genEscapedSQL(8, 64<<10)}, mode.opts) })
	}
}

func BenchmarkCSVReader(b *testing.B) {
	b.Run("sysbench", func(b *testing.B) { benchCSV(b, [][]byte{genSysbenchCSV(40000)}, DefaultCSVOptions()) })
	opts := DefaultCSVOptions()
	opts.Header = true
	b.Run("sakila-corpus", func(b *testing.B) { benchCSV(b, corpusFiles(b, "sakila-csv/sakila.*.0*.csv"), opts) })
}

// genEscapedSQL is one INSERT of rows tuples, each an id and a string of
// about n bytes with a \n escape every 40 bytes.
func genEscapedSQL(rows, n int) []byte {
	var b bytes.Buffer
	b.WriteString("INSERT INTO t VALUES ")
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(%d,'", r)
		for i := 0; i < n; i += 40 {
			b.WriteString("abcdefghijklmnopqrstuvwxyz0123456789\\n ")
		}
		b.WriteString("')")
	}
	b.WriteString(";\n")
	return b.Bytes()
}
