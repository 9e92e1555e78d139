package jsonbin

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics; an accepted document prints, validates and
// re-parses to the identical binary.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a": [1, "2", {"aa": "bb"}, 4.0], "b": true}`, `[1e308, -0.0, 18446744073709551615]`,
		`"\ud83c\udf95\u0000"`, `{"b":1,"a":2,"b":3}`, `[[[[]]]]`, `null`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		bin, err := Parse(in, nil)
		if err != nil {
			return
		}
		if err := Validate(bin); err != nil {
			t.Fatalf("Validate(%q): %v", in, err)
		}
		text, err := ToText(bin, nil)
		if err != nil {
			t.Fatalf("ToText(%q): %v", in, err)
		}
		again, err := Parse(text, nil)
		if err != nil || !bytes.Equal(again, bin) {
			t.Fatalf("%q -> %s -> %v differs", in, text, err)
		}
	})
}

// FuzzBinary: decoding arbitrary bytes never panics.
func FuzzBinary(f *testing.F) {
	f.Add([]byte{TypeObject, 1, 0, 0, 0, 0x1c, 0, 0, 0, 0x13, 0, 0, 0, 3, 0, 0x0c, 0x16, 0, 0, 0, 'k', 'e', 'y', 5, 'v', 'a', 'l', 'u', 'e'})
	f.Add([]byte{TypeArray, 0, 0, 0, 0, 8, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = Validate(in)
		_, _ = ToText(in, nil)
		_ = Type(in)
		_, _ = Length(in)
		_, _ = Keys(in)
		_, _ = Unquote(in)
		p, _ := ParsePath("$**.a[*]")
		_, _, _ = Extract(in, p)
		_, _ = Contains(in, in)
		_, _ = Contains(in, FromInt64(1))
		_, _ = Depth(in)
		one, _ := ParsePath("$[0].a")
		_, _ = Modify(in, []Path{one}, [][]byte{in}, ModifySet)
		_, _ = Modify(FromInt64(1), []Path{one}, [][]byte{in}, ModifyInsert)
		_, _ = ArrayAppend(in, one, in)
		_, _ = MergePatch([][]byte{in, in, nil})
		_, _ = Search(in, false, func([]byte) bool { return true }, []Path{p})
	})
}

// FuzzModify: JSON_SET / JSON_ARRAY_APPEND / JSON_MERGE_PATCH of valid
// documents never panic, and what they build is valid binary JSON that
// prints and parses back to the same bytes, within the depth limit.
func FuzzModify(f *testing.F) {
	f.Add(`{"a": 1, "b": [2, 3]}`, "$.c", `[true, false]`)
	f.Add(`["a", ["b", "c"], "d"]`, "$[1][0]", `3`)
	f.Add(`[[[]]]`, "$[0][0][5]", `{"x": null}`)
	f.Add(`1`, "$[last]", `"s"`)
	f.Fuzz(func(t *testing.T, doc, path, val string) {
		d, err := Parse([]byte(doc), nil)
		if err != nil {
			return
		}
		v, err := Parse([]byte(val), nil)
		if err != nil {
			return
		}
		check := func(what string, out []byte, err error) {
			if err != nil || out == nil {
				return
			}
			if err := Validate(out); err != nil {
				t.Fatalf("%s(%s, %s, %s): invalid result: %v", what, doc, path, val, err)
			}
			if err := CheckDepth(out); err != nil {
				t.Fatalf("%s(%s, %s, %s): %v", what, doc, path, val, err)
			}
			text, err := ToText(out, nil)
			if err != nil {
				t.Fatalf("%s: ToText: %v", what, err)
			}
			again, err := Parse(text, nil)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("%s(%s, %s, %s) = %s: does not parse back (%v)", what, doc, path, val, text, err)
			}
		}
		out, err := MergePatch([][]byte{d, v})
		check("MergePatch", out, err)
		p, err := ParsePath(path)
		if err != nil {
			return
		}
		for _, mode := range []ModifyMode{ModifySet, ModifyInsert, ModifyReplace} {
			out, err := Modify(d, []Path{p}, [][]byte{v}, mode)
			check("Modify", out, err)
		}
		out, err = ArrayAppend(d, p, v)
		check("ArrayAppend", out, err)
		_, _ = Search(d, false, func(s []byte) bool { return len(s) > 0 }, []Path{p})
	})
}
