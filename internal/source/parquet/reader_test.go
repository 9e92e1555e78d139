package parquet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	pqgo "github.com/parquet-go/parquet-go"
)

// memOpener serves files from memory, as an object store's ranged reads
// would: the Opener boundary.
type memOpener map[string][]byte

type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

func (o memOpener) Open(path string) (File, error) {
	b, ok := o[path]
	if !ok {
		return nil, os.ErrNotExist
	}
	return memFile{bytes.NewReader(b)}, nil
}

// sampleFile is 50 rows in row groups of 9, with a string, a nullable
// decimal and a timestamp column.
func sampleFile(t testing.TB) []byte {
	var rows [][]any
	for i := range 50 {
		var dec any = int64(i * 101)
		if i%7 == 3 {
			dec = nil
		}
		rows = append(rows, []any{int64(i), fmt.Sprintf("name-%d", i), dec, int64(1603963672356 + i)})
	}
	path := writeFile(t, t.TempDir(), "sample.parquet", pqgo.Group{
		"a_id":   pqgo.Int(64),
		"b_name": pqgo.String(),
		"c_dec":  pqgo.Optional(pqgo.Decimal(2, 12, pqgo.Int64Type)),
		"d_ts":   pqgo.TimestampAdjusted(pqgo.Millisecond, false),
	}, rows, pqgo.MaxRowsPerRowGroup(9))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every row of the selection, as "id|name|dec|ts" lines.
func readAll(op Opener, path string, opts Options) ([]string, *Reader, error) {
	r, err := Open(op, path, opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var out []string
	last := r.Pos()
	var prev RowPos
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		if p := r.Pos(); p < last || p > r.stop || p < r.start {
			return out, r, fmt.Errorf("Pos %d after %d, outside [%d, %d]", p, last, r.start, r.stop)
		}
		// Row numbers count on by one, within the group and the file.
		at := r.Row()
		if prev != (RowPos{}) && (at.InFile != prev.InFile+1 || (at.RowGroup == prev.RowGroup) != (at.InGroup == prev.InGroup+1) ||
			(at.RowGroup != prev.RowGroup && (at.RowGroup != prev.RowGroup+1 || at.InGroup != 1))) {
			return out, r, fmt.Errorf("row at %+v after %+v", at, prev)
		}
		prev = at
		last = r.Pos()
		var vals []string
		for _, f := range row {
			if f.Bytes == nil {
				vals = append(vals, `\N`)
				continue
			}
			vals = append(vals, string(f.Bytes))
		}
		out = append(out, strings.Join(vals, "|"))
	}
}

func TestRowGroups(t *testing.T) {
	op := memOpener{"s.parquet": sampleFile(t)}
	meta, err := ReadMeta(op, "s.parquet")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Rows != 50 || len(meta.RowGroups) != 6 || strings.Join(meta.Names(), ",") != "a_id,b_name,c_dec,d_ts" {
		t.Fatalf("meta: %d rows, %d row groups, columns %q", meta.Rows, len(meta.RowGroups), meta.Names())
	}
	for i, g := range meta.RowGroups {
		if i > 0 && g.Start < meta.RowGroups[i-1].End {
			t.Errorf("row group %d starts at %d, before the previous one ends (%d)", i, g.Start, meta.RowGroups[i-1].End)
		}
	}
	all, r, err := readAll(op, "s.parquet", Options{})
	if err != nil || len(all) != 50 || r.Parsed() != 50 {
		t.Fatalf("all: %d rows, %v", len(all), err)
	}
	if all[3] != `3|name-3|\N|2020-10-29 09:27:52.359` || all[11] != "11|name-11|11.11|2020-10-29 09:27:52.367" {
		t.Errorf("rows 3 and 11: %q %q", all[3], all[11])
	}
	if at := r.Row(); at != (RowPos{}) {
		t.Errorf("after the end: row %+v", at)
	}
	// Row groups 2 and 3 are rows 18 to 35; runs cover the file exactly.
	part, _, err := readAll(op, "s.parquet", Options{FirstRowGroup: 2, RowGroups: 2})
	if err != nil || len(part) != 18 || part[0] != all[18] || part[17] != all[35] {
		t.Fatalf("row groups 2-3: %d rows, %v", len(part), err)
	}
	// A run's rows are numbered in the file: row group 2 starts at row 19.
	r, err = Open(op, "s.parquet", Options{FirstRowGroup: 2, RowGroups: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := range 18 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		want := RowPos{RowGroup: 2 + i/9, InGroup: int64(i%9 + 1), InFile: int64(19 + i)}
		if at := r.Row(); at != want {
			t.Fatalf("row %d of the run at %+v, want %+v", i, at, want)
		}
	}
	if s := (RowPos{RowGroup: 3, InGroup: 9, InFile: 36}).String(); s != "row 36 (row group 3, row 9 of it)" {
		t.Errorf("RowPos text %q", s)
	}
	if _, err := Open(op, "s.parquet", Options{FirstRowGroup: 5, RowGroups: 2}); err == nil {
		t.Error("row groups past the end opened")
	}
	if _, err := Open(op, "missing.parquet", Options{}); err == nil || !strings.Contains(err.Error(), "missing.parquet") {
		t.Errorf("missing file: %v", err)
	}
}

// TestDamagedFiles: every cut of a file, and bytes flipped in each place,
// give an error naming the file or read fine, never a panic.
func TestDamagedFiles(t *testing.T) {
	good := sampleFile(t)
	for n := 0; n < len(good); n += max(1, len(good)/200) {
		op := memOpener{"cut.parquet": good[:n]}
		_, _, err := readAll(op, "cut.parquet", Options{})
		if err == nil {
			t.Fatalf("cut at %d of %d: read without error", n, len(good))
		}
		if !strings.Contains(err.Error(), "cut.parquet") || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
	for i := 0; i < len(good); i += max(1, len(good)/300) {
		bad := bytes.Clone(good)
		bad[i] ^= 0xa5
		op := memOpener{"flip.parquet": bad}
		rows, _, err := readAll(op, "flip.parquet", Options{})
		if err != nil && !strings.Contains(err.Error(), "flip.parquet") {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
		// A file read without error reads every row the footer counts:
		// a byte that loses or adds rows silently must fail here.
		if err == nil && len(rows) != 50 {
			t.Fatalf("byte %d flipped: %d rows read without error, want 50", i, len(rows))
		}
	}
}

// FuzzReader feeds damaged files to the reader: it must return rows or an
// error, never panic or hang.
func FuzzReader(f *testing.F) {
	good := sampleFile(f)
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		op := memOpener{"f.parquet": b}
		rows, _, err := readAll(op, "f.parquet", Options{})
		if err != nil && !strings.Contains(err.Error(), "f.parquet") {
			t.Fatalf("error without the file name: %v", err)
		}
		if len(rows) > 1<<20 {
			t.Fatalf("%d rows from %d bytes", len(rows), len(b))
		}
	})
}

// TestNestedRepeated: nested and repeated columns are refused, naming the
// column.
func TestNestedRepeated(t *testing.T) {
	dir := t.TempDir()
	for name, g := range map[string]pqgo.Group{
		"list":     {"id": pqgo.Int(64), "tags": pqgo.List(pqgo.String())},
		"repeated": {"id": pqgo.Int(64), "tags": pqgo.Repeated(pqgo.String())},
		"group":    {"id": pqgo.Int(64), "tags": pqgo.Group{"a": pqgo.String()}},
	} {
		path := writeFile(t, dir, name+".parquet", g, nil)
		_, err := ReadMeta(Local{}, path)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `"tags"`) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRowErrorPlace: a value the reader cannot convert names its row: the
// row group, the row in it and the row in the file.
func TestRowErrorPlace(t *testing.T) {
	var rows [][]any
	for i := range 7 {
		v := pqgo.ByteArrayValue([]byte{byte(i)})
		if i == 4 {
			v = pqgo.ByteArrayValue([]byte{})
		}
		rows = append(rows, []any{v, int64(i)}) // fields in name order: d, id
	}
	path := writeFile(t, t.TempDir(), "dec.parquet", pqgo.Group{"id": pqgo.Int(64), "d": pqgo.Decimal(2, 20, pqgo.ByteArrayType)},
		rows, pqgo.MaxRowsPerRowGroup(3))
	got, _, err := readAll(Local{}, path, Options{})
	if err == nil || len(got) != 4 {
		t.Fatalf("%d rows, %v", len(got), err)
	}
	for _, want := range []string{path, "row 5 (row group 1, row 2 of it)", `column "d"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
