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
	})
}
