package dumpgen

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrBadSize is returned by ParseSize for text that is not a size.
var ErrBadSize = errors.New("invalid size")

// sizeUnits maps a lower-case unit suffix to its multiplier. A suffix with
// an "i" is binary (KiB = 1024), one without is decimal (KB = 1000), as in
// SI and IEC; "b", "byte" and "bytes" are plain bytes.
var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	// Longest suffixes first so "kib" is not read as "b".
	{"bytes", 1}, {"byte", 1},
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"ki", 1 << 10}, {"mi", 1 << 20}, {"gi", 1 << 30}, {"ti", 1 << 40},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12},
	{"b", 1},
}

// ParseSize reads a byte size such as "1GiB", "500MiB", "64MB", "1.5GiB",
// "1000000" or "1000000 bytes". Units are case-insensitive.
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			mult = u.mult
			break
		}
	}
	if t == "" {
		return 0, fmt.Errorf("%w: %q", ErrBadSize, s)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n < 0 || float64(n)*mult > math.MaxInt64 {
			return 0, fmt.Errorf("%w: %q out of range", ErrBadSize, s)
		}
		return n * int64(mult), nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f*mult > math.MaxInt64 {
		return 0, fmt.Errorf("%w: %q", ErrBadSize, s)
	}
	return int64(f * mult), nil
}
