package dumpgen

import (
	"errors"
	"testing"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"1GiB", 1 << 30},
		{"500MiB", 500 << 20},
		{"64MB", 64_000_000},
		{"1000000", 1_000_000},
		{"1000000 bytes", 1_000_000},
		{"4 MiB", 4 << 20},
		{"256mib", 256 << 20},
		{"1.5GiB", 3 << 29},
		{"10k", 10_000},
		{"10KiB", 10240},
		{"7b", 7},
		{"2TiB", 2 << 40},
	}
	for _, c := range cases {
		got, err := ParseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "x", "1..2GB", "1e30GiB", "NaN"} {
		if _, err := ParseSize(bad); !errors.Is(err, ErrBadSize) {
			t.Errorf("ParseSize(%q) err = %v, want ErrBadSize", bad, err)
		}
	}
}
