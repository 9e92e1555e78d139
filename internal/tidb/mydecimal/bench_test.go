package mydecimal

import "testing"

func BenchmarkConvertToColumn(b *testing.B) {
	in := []byte("-1234567890.123456")
	dst := make([]byte, 0, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ConvertToColumn(in, 20, 4, false, dst[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
