package dumpgen

import (
	"context"
	"testing"
)

// BenchmarkGenerate reports generation speed per table and format; MB/s is
// of uncompressed data bytes.
// go test ./internal/gen -run '^$' -bench Generate -benchtime 2x
func BenchmarkGenerate(b *testing.B) {
	cases := []struct {
		name  string
		table string
		f     Format
		c     Compression
	}{
		{"sbtest-sql", "sbtest", FormatSQL, CompressNone},
		{"orderline-sql", "orderline", FormatSQL, CompressNone},
		{"wide-sql", "wide", FormatSQL, CompressNone},
		{"texts-sql", "texts", FormatSQL, CompressNone},
		{"sbtest-csv", "sbtest", FormatCSV, CompressNone},
		{"sbtest-sql-gzip", "sbtest", FormatSQL, CompressGzip},
		{"sbtest-sql-zstd", "sbtest", FormatSQL, CompressZstd},
	}
	const size = 64 << 20
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			b.SetBytes(size)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Run(context.Background(), Config{Dir: dir, Size: size, Tables: []string{c.table}, Format: c.f, Compress: c.c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
