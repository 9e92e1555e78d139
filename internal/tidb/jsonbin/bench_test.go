package jsonbin

import "testing"

func BenchmarkParse(b *testing.B) {
	in := []byte(`{"a": [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], "b": true, "c": ["d"], "\"hello\"": "world"}`)
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(in, dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
