package csvwriter

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.Header([]string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	w.Field([]byte("x\"y\\z\n\t\x00\x1a"), false)
	w.Field(nil, true)
	w.Field([]byte(""), false)
	w.EndRow()
	w.Flush()
	want := "\"a\",\"b\",\"c\"\n\"x\\\"y\\\\z\\n\\t\\0\\Z\",\\N,\"\"\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
	// Values without escapes are plain RFC 4180 CSV too.
	var p bytes.Buffer
	w = NewWriter(&p)
	w.Field([]byte("plain, text"), false)
	w.Field([]byte("中文"), false)
	w.EndRow()
	w.Flush()
	rec, err := csv.NewReader(strings.NewReader(p.String())).Read()
	if err != nil || rec[0] != "plain, text" || rec[1] != "中文" {
		t.Fatalf("not readable as CSV: %v %q", err, rec)
	}
}
