package jsonbin

import (
	"errors"
	"strings"
	"testing"
)

func nested(n int, inner string) string {
	return strings.Repeat("[", n) + inner + strings.Repeat("]", n)
}

// TestDepthLimit: TiDB rejects a document when GetElemDepth()-1 exceeds
// maxJSONDepth (100, pkg/types/json_binary.go CreateBinaryJSONWithCheck and
// BinaryJSON.Modify) with ErrJSONDocumentTooDeep. An empty array counts 1 and
// a scalar counts 1, so 101 empty nested arrays are the deepest accepted
// document, and 100 arrays around a scalar.
func TestDepthLimit(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{nested(101, ""), true},
		{nested(102, ""), false},
		{nested(100, "1"), true},
		{nested(101, "1"), false},
		{strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), true},
		{strings.Repeat(`{"a":`, 101) + "1" + strings.Repeat("}", 101), false},
	} {
		_, err := Parse([]byte(tc.text), nil)
		if tc.ok && err != nil {
			t.Errorf("%.20s...: %v", tc.text, err)
		}
		if !tc.ok && !errors.Is(err, ErrTooDeep) {
			t.Errorf("%.20s...: %v, want ErrTooDeep", tc.text, err)
		}
	}
	doc := mustParse(t, nested(100, ""))
	if d, err := Depth(doc); err != nil || d != 100 {
		t.Errorf("Depth = %d, %v", d, err)
	}
	if err := CheckDepth(doc); err != nil {
		t.Error(err)
	}
	// JSON_SET building a document one level deeper: [[...[]...]] with the
	// innermost empty array set to [1] gains one level.
	path := "$" + strings.Repeat("[0]", 100)
	p, err := ParsePath(path)
	if err != nil {
		t.Fatal(err)
	}
	// 101 arrays deep (depth 101): setting the innermost to an array of a
	// scalar makes depth 102, over the limit.
	doc101 := mustParse(t, nested(101, ""))
	if _, err := Modify(doc101, []Path{p}, [][]byte{mustParse(t, "[1]")}, ModifySet); !errors.Is(err, ErrTooDeep) {
		t.Errorf("JSON_SET to depth 102: %v", err)
	}
	// Setting it to a scalar keeps depth 101: accepted.
	if _, err := Modify(doc101, []Path{p}, [][]byte{mustParse(t, "1")}, ModifySet); err != nil {
		t.Errorf("JSON_SET to depth 101: %v", err)
	}
	if _, err := ArrayAppend(doc101, p, mustParse(t, "1")); !errors.Is(err, ErrTooDeep) {
		t.Errorf("JSON_ARRAY_APPEND to depth 102: %v", err)
	}
}

// TestModify: the MySQL 8.0 manual's JSON_SET / JSON_INSERT / JSON_REPLACE
// example (json-modification-functions).
func TestModify(t *testing.T) {
	doc := mustParse(t, `{ "a": 1, "b": [2, 3]}`)
	p1, _ := ParsePath("$.a")
	p2, _ := ParsePath("$.c")
	vals := [][]byte{FromInt64(10), FromString("[true, false]")}
	for mode, want := range map[ModifyMode]string{
		ModifySet:     `{"a": 10, "b": [2, 3], "c": "[true, false]"}`,
		ModifyInsert:  `{"a": 1, "b": [2, 3], "c": "[true, false]"}`,
		ModifyReplace: `{"a": 10, "b": [2, 3]}`,
	} {
		out, err := Modify(doc, []Path{p1, p2}, vals, mode)
		if err != nil {
			t.Fatal(err)
		}
		if got := String(out); got != want {
			t.Errorf("mode %d: %s, want %s", mode, got, want)
		}
	}
	wild, _ := ParsePath("$[*]")
	if _, err := Modify(doc, []Path{wild}, [][]byte{Null()}, ModifySet); !errors.Is(err, ErrPathWildcard) {
		t.Errorf("wildcard: %v", err)
	}
}
