package mytime

import (
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

var fuzzSeeds = []string{
	"2020-01-01 00:00:00", "2020-12-31 23:59:59.9999995", "20230102", "230102", "20230102123456",
	"2020-01-01T10:20:30Z", "2020-01-01 12:00:00.123456-05:00", "0000-00-00", "2011~/.12)_#13T T.12~)12[~12",
	"1701020304.1", "-838:59:59", "1 10:11:12.5", "101112", "2.0.8 hotfix", "99999999999999999999", ".",
	"-", "+", "Z", "1-1-1-1-1-1-1-1", "\xff\x00",
}

// FuzzParseTime: no panics, and a parsed value formats to text that parses
// back to the same value.
func FuzzParseTime(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(6), uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, fsp uint8, tp uint8) {
		fsp %= 7
		typ := Type(tp % 3)
		v, err := ParseTime([]byte(s), typ, int(fsp), sqlmode.StrictAll)
		_, _ = ParseTimeFromNumeric([]byte(s), typ, int(fsp), sqlmode.StrictAll, nil)
		if err != nil {
			return
		}
		text := Format(v, typ, int(fsp))
		w, err := ParseTime([]byte(text), typ, int(fsp), sqlmode.StrictAll)
		if err != nil {
			t.Fatalf("%q -> %s does not parse back: %v", s, text, err)
		}
		if w != v {
			t.Fatalf("%q -> %s -> %+v, want %+v", s, text, w, v)
		}
		if Unpack(v.Pack()) != v {
			t.Fatalf("%+v does not survive Pack/Unpack", v)
		}
	})
}

// FuzzParseDuration: no panics, the value stays in TIME's range, and it
// formats to text that parses back to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(6))
	}
	f.Fuzz(func(t *testing.T, s string, fsp uint8) {
		fsp %= 7
		ns, err := ParseDuration([]byte(s), int(fsp))
		_, _ = ParseDurationFromNumber([]byte(s), int(fsp))
		_, _ = ParseYear([]byte(s), false)
		_, _ = ParseYear([]byte(s), true)
		if ns > MaxDuration || ns < MinDuration {
			t.Fatalf("%q -> %d ns out of range", s, ns)
		}
		if err != nil {
			return
		}
		text := FormatDuration(ns, int(fsp))
		back, err := ParseDuration([]byte(text), int(fsp))
		if err != nil || back != ns {
			t.Fatalf("%q -> %s -> %d, %v; want %d", s, text, back, err, ns)
		}
	})
}
