package mytime

import (
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

func BenchmarkParseTime(b *testing.B) {
	in := []byte("2006-02-15 05:03:42.123456")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTime(in, Datetime, 6, sqlmode.StrictAll); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTimestampToUTC(b *testing.B) {
	in := []byte("2006-02-15 05:03:42")
	b.ReportAllocs()
	for b.Loop() {
		t, err := ParseTime(in, Timestamp, 0, sqlmode.StrictAll)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ToUTC(t, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendFormat(b *testing.B) {
	t := Time{2006, 2, 15, 5, 3, 42, 123456}
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFormat(buf[:0], t, Datetime, 6)
	}
}

func BenchmarkParseDuration(b *testing.B) {
	in := []byte("-12:34:56.789")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDuration(in, 3); err != nil {
			b.Fatal(err)
		}
	}
}
