package dumpgen

import (
	"bytes"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// FuzzEscapeRoundTrip: any string or binary value written by the SQL and
// CSV encoders reads back unchanged through the dump readers.
func FuzzEscapeRoundTrip(f *testing.F) {
	f.Add([]byte("plain"), []byte{0, 1})
	f.Add([]byte("a'b\"c\\d\n\r\x00\x1a"), []byte(`\N`))
	f.Add([]byte(`\N`), []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, s, b []byte) {
		var r row
		st := r.begin()
		r.buf = append(r.buf, s...)
		r.end(kindString, st)
		st = r.begin()
		r.buf = append(r.buf, b...)
		r.end(kindBytes, st)
		r.int(-5)
		r.null()

		sqlText := append([]byte(insertPrefix("t")), appendSQLTuple(nil, &r)...)
		sqlText = append(sqlText, statementEnd...)
		fs, err := rowparse.NewSQLReader(bytes.NewReader(sqlText), rowparse.SQLOptions{}).Next()
		if err != nil {
			t.Fatalf("sql %q: %v", sqlText, err)
		}
		checkRoundTrip(t, "sql", &r, fs)

		csvText := append(appendCSVRecord(nil, &r), csvTerminator...)
		cr, err := rowparse.NewCSVReader(bytes.NewReader(csvText), rowparse.DefaultCSVOptions())
		if err != nil {
			t.Fatal(err)
		}
		fs, err = cr.Next()
		if err != nil {
			t.Fatalf("csv %q: %v", csvText, err)
		}
		checkRoundTrip(t, "csv", &r, fs)
	})
}

func checkRoundTrip(t *testing.T, what string, r *row, fs []literal.Field) {
	t.Helper()
	if len(fs) != len(r.vals) {
		t.Fatalf("%s: %d fields, want %d", what, len(fs), len(r.vals))
	}
	for i, v := range r.vals {
		if (v.kind == kindNull) != (fs[i].Kind == literal.FieldNull) {
			t.Fatalf("%s field %d: kind %d", what, i, fs[i].Kind)
		}
		if v.kind != kindNull && !bytes.Equal(fs[i].Bytes, r.value(i)) {
			t.Fatalf("%s field %d: %q, want %q", what, i, fs[i].Bytes, r.value(i))
		}
	}
}

// FuzzParseSize: ParseSize never panics and never returns a negative size.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1GiB", "64MB", "1000000", "1.5 tib", "-1", "9e18gib"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}
