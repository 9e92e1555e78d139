package dumpgen

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

func TestCivilMatchesTimePackage(t *testing.T) {
	check := func(days int64) {
		t.Helper()
		got := string(appendDate(nil, days))
		want := time.Unix(days*86400, 0).UTC().Format("2006-01-02")
		if got != want {
			t.Fatalf("appendDate(%d) = %s, want %s", days, got, want)
		}
	}
	for d := int64(-700000); d <= 3000000; d += 997 {
		check(d)
	}
	for _, d := range []int64{dateMin, dateMax, 0, -1, 59, 60, 11016, 11017} {
		check(d)
	}
	if s := string(appendDate(nil, dateMin)); s != "1000-01-01" {
		t.Errorf("dateMin = %s", s)
	}
	if s := string(appendDate(nil, dateMax)); s != "9999-12-31" {
		t.Errorf("dateMax = %s", s)
	}
}

func TestAppendDateTime(t *testing.T) {
	cases := []struct {
		secs  int64
		micro uint64
		fsp   int
		want  string
	}{
		{0, 0, 0, "1970-01-01 00:00:00"},
		{loadTime, 123456, 6, "2024-01-01 00:00:00.123456"},
		{loadTime + 86399, 987654, 3, "2024-01-01 23:59:59.987"},
		{-1, 5, 6, "1969-12-31 23:59:59.000005"},
		{dateMin * 86400, 0, 0, "1000-01-01 00:00:00"},
		{dateMin*86400 + 3661, 0, 0, "1000-01-01 01:01:01"},
		{dateMax*86400 + 86399, 999999, 6, "9999-12-31 23:59:59.999999"},
	}
	for _, c := range cases {
		if got := string(appendDateTime(nil, c.secs, c.micro, c.fsp)); got != c.want {
			t.Errorf("appendDateTime(%d,%d,%d) = %s, want %s", c.secs, c.micro, c.fsp, got, c.want)
		}
	}
}

// TestSQLEscape checks dumpling's escapes (dumpling/export/sql_type.go
// escapeBackslashSQL) byte by byte.
func TestSQLEscape(t *testing.T) {
	in := []byte("a\x00b\nc\rd\\e'f\"g\x1ah\ti%_")
	want := `a\0b\nc\rd\\e\'f\"g\Zh` + "\ti%_"
	if got := string(appendSQLEscaped(nil, in)); got != want {
		t.Errorf("appendSQLEscaped = %q, want %q", got, want)
	}
	wantCSV := `a\0b\nc\rd\\e'f\"g` + "\x1ah\ti%_"
	if got := string(appendCSVEscaped(nil, in)); got != wantCSV {
		t.Errorf("appendCSVEscaped = %q, want %q", got, wantCSV)
	}
	if got := string(appendHexLiteral(nil, []byte{0, 0xab, 0x10})); got != "x'00ab10'" {
		t.Errorf("appendHexLiteral = %s", got)
	}
}

// TestEncodingRoundTrip writes random rows of every value kind and reads
// them back with the dump readers (an independent parser).
func TestEncodingRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var rows []row
	for i := 0; i < 300; i++ {
		var r row
		r.int(int64(i))
		r.null()
		s := r.begin()
		r.buf = appendRandomBytes(r.buf, rng, rng.IntN(40))
		r.end(kindString, s)
		s = r.begin()
		r.buf = appendRandomBytes(r.buf, rng, rng.IntN(40))
		r.end(kindBytes, s)
		r.str(`\N`)
		r.str("")
		rows = append(rows, r)
	}
	var sqlText, csvText []byte
	sqlText = append(sqlText, insertPrefix("t")...)
	for i := range rows {
		if i > 0 {
			sqlText = append(sqlText, rowSeparator...)
		}
		sqlText = appendSQLTuple(sqlText, &rows[i])
		csvText = appendCSVRecord(csvText, &rows[i])
		csvText = append(csvText, csvTerminator...)
	}
	sqlText = append(sqlText, statementEnd...)

	sr := rowparse.NewSQLReader(bytes.NewReader(sqlText), rowparse.SQLOptions{File: "t.sql"})
	cr, err := rowparse.NewCSVReader(bytes.NewReader(csvText), rowparse.DefaultCSVOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		sf, err := sr.Next()
		if err != nil {
			t.Fatalf("sql row %d: %v", i, err)
		}
		compareFields(t, "sql", i, &rows[i], sf)
		cf, err := cr.Next()
		if err != nil {
			t.Fatalf("csv row %d: %v", i, err)
		}
		compareFields(t, "csv", i, &rows[i], cf)
	}
	if _, err := sr.Next(); err != io.EOF {
		t.Errorf("sql: after last row: %v", err)
	}
	if _, err := cr.Next(); err != io.EOF {
		t.Errorf("csv: after last row: %v", err)
	}
}

func compareFields(t *testing.T, what string, i int, r *row, got []literal.Field) {
	t.Helper()
	if len(got) != len(r.vals) {
		t.Fatalf("%s row %d: %d fields, want %d", what, i, len(got), len(r.vals))
	}
	for j, v := range r.vals {
		if (v.kind == kindNull) != (got[j].Kind == literal.FieldNull) {
			t.Fatalf("%s row %d field %d: kind %d, want null=%v", what, i, j, got[j].Kind, v.kind == kindNull)
		}
		if v.kind != kindNull && !bytes.Equal(got[j].Bytes, r.value(j)) {
			t.Fatalf("%s row %d field %d: %q, want %q", what, i, j, got[j].Bytes, r.value(j))
		}
	}
}
