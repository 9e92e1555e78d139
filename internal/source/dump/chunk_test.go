package dump

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

// tricky values put a would-be boundary inside a string, inside an escape,
// inside a multi-byte character and next to "(" and "),(" in text.
var tricky = []string{`a),(b`, `x\'y`, `中文字符`, `İnegöl`, `back\\slash`, `"q"`, `line\nbreak`, `(`, `\',(`}

func writeFile(t *testing.T, dir, name, content string) DataFile {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f := DataFile{Path: p, Size: int64(len(content))}
	if strings.HasSuffix(name, ".csv") {
		f.Format = FormatCSV
	}
	return f
}

func TestChunkBoundariesSQL(t *testing.T) {
	var b strings.Builder
	b.WriteString("/*!40101 SET NAMES binary*/;\n")
	for s := 0; s < 6; s++ {
		fmt.Fprintf(&b, "INSERT INTO `t` (`a`,`b`) VALUES\n")
		for i := 0; i < 7; i++ {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "(%d,'%s')", s*7+i, tricky[(s+i)%len(tricky)])
		}
		b.WriteString(";\n")
	}
	for _, trailing := range []bool{true, false} {
		content := b.String()
		if !trailing {
			content = strings.TrimSuffix(content, ";\n")
		}
		f := writeFile(t, t.TempDir(), "db.t.0.sql", content)
		tb := &Table{DB: "db", Name: "t", DataFiles: []DataFile{f}}
		whole := readChunks(t, []Chunk{{File: f.Path, End: f.Size, Format: FormatSQL}}, rowparse.DefaultCSVOptions())
		if len(whole) != 42 {
			t.Fatalf("whole file: %d rows", len(whole))
		}
		for size := int64(1); size < f.Size; size += 3 {
			chunks, err := MakeChunks(tb, ChunkOptions{ChunkSize: size, Columns: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkContiguous(t, chunks, f.Size)
			got := readChunks(t, chunks, rowparse.DefaultCSVOptions())
			if fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Fatalf("size %d trailing %v: chunks give %d rows, differ from the whole file", size, trailing, len(got))
			}
			for _, c := range chunks[1:] {
				if c.Names != "binary" {
					t.Fatalf("chunk %s lost SET NAMES", c.ID)
				}
			}
		}
	}
}

func TestChunkBoundariesCSV(t *testing.T) {
	var b strings.Builder
	b.WriteString("\"a\",\"b\"\n")
	for i := 0; i < 40; i++ {
		v := strings.ReplaceAll(tricky[i%len(tricky)], `"`, `""`)
		if i%5 == 0 {
			v += "\nreal line break\r\n"
		}
		fmt.Fprintf(&b, "%d,\"%s\"\n", i, v)
	}
	for _, trailing := range []bool{true, false} {
		content := b.String()
		if !trailing {
			content = strings.TrimSuffix(content, "\n")
		}
		f := writeFile(t, t.TempDir(), "db.t.0.csv", content)
		tb := &Table{DB: "db", Name: "t", DataFiles: []DataFile{f}}
		csv := rowparse.DefaultCSVOptions()
		csv.Header = true
		whole := readChunks(t, []Chunk{{File: f.Path, End: f.Size, Format: FormatCSV, HasHeader: true}}, csv)
		if len(whole) != 40 {
			t.Fatalf("whole file: %d rows", len(whole))
		}
		for size := int64(1); size < f.Size; size += 2 {
			chunks, err := MakeChunks(tb, ChunkOptions{ChunkSize: size, Columns: 2, CSV: csv})
			if err != nil {
				t.Fatal(err)
			}
			checkContiguous(t, chunks, f.Size)
			got := readChunks(t, chunks, csv)
			if fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Fatalf("size %d: chunks give %d rows, differ from the whole file", size, len(got))
			}
			for _, c := range chunks {
				if !c.HasHeader && strings.Join(c.Columns, ",") != "a,b" {
					t.Fatalf("chunk %s columns %q", c.ID, c.Columns)
				}
			}
		}
	}
}

// checkContiguous asserts the chunks tile the file and row-ID ranges are
// consecutive and large enough.
func checkContiguous(t *testing.T, chunks []Chunk, size int64) {
	t.Helper()
	var at, rowID int64
	for _, c := range chunks {
		if c.Start != at || c.End <= c.Start || c.RowIDBase != rowID {
			t.Fatalf("chunk %+v does not follow offset %d row ID %d", c, at, rowID)
		}
		at, rowID = c.End, c.RowIDMax
	}
	if at != size {
		t.Fatalf("chunks end at %d, file size %d", at, size)
	}
}

// A compressed CSV file is one chunk, which starts with the header line.
func TestCompressedCSVChunkHasHeader(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("\"a\",\"b\"\n\"1\",\"x\"\n"))
	zw.Close()
	path := filepath.Join(dir, "db.t.000000000.csv.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tbl := &Table{DB: "db", Name: "t", DataFiles: []DataFile{{Path: path, Index: 0, Format: FormatCSV, Compression: CompressionGzip, Size: int64(buf.Len())}}}
	csv := rowparse.DefaultCSVOptions()
	csv.Header = true
	chunks, err := MakeChunks(tbl, ChunkOptions{Columns: 2, CSV: csv})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 1 || !chunks[0].HasHeader {
		t.Fatalf("chunks %+v: want one chunk with HasHeader", chunks)
	}
	rows, err := chunks[0].OpenRows(csv, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	row, err := rows.Next()
	if err != nil || len(row) != 2 || string(row[0].Bytes) != "1" {
		t.Fatalf("first row %v, %v: want the data row after the header", row, err)
	}
	if cols := rows.Columns(); len(cols) != 2 || cols[0] != "a" {
		t.Fatalf("columns %q, want the header's", cols)
	}
}
