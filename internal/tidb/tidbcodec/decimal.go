package tidbcodec

import "fmt"

// dig2bytes is the byte count of a partial 9-digit word with n digits
// (MySQL decimal2bin, TiDB pkg/types/mydecimal.go).
var dig2bytes = [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}

const digitsPerWord = 9

// DecimalBinSize returns the length of MySQL's decimal binary form for
// (precision, frac) (TiDB mydecimal.go DecimalBinSize).
func DecimalBinSize(precision, frac int) (int, error) {
	if precision <= 0 || precision > 65 || frac < 0 || frac > 30 || frac > precision {
		return 0, fmt.Errorf("decimal precision %d frac %d: %w", precision, frac, ErrCorrupt)
	}
	intg := precision - frac
	size := intg/digitsPerWord*4 + dig2bytes[intg%digitsPerWord]
	size += frac/digitsPerWord*4 + dig2bytes[frac%digitsPerWord]
	return size, nil
}

// binSizes[prec][frac] is DecimalBinSize(prec, frac), 0 where it is an
// error.
var binSizes = func() (t [66][31]uint8) {
	for p := range t {
		for f := range t[p] {
			if n, err := DecimalBinSize(p, f); err == nil {
				t[p][f] = uint8(n)
			}
		}
	}
	return t
}()

// appendDecimal writes precision, frac and the binary (TiDB codec
// EncodeDecimal). The datum already carries the binary for (Prec, Frac);
// its length is checked so that a wrong datum cannot produce unreadable keys.
func appendDecimal(dst []byte, prec uint8, frac int8, bin []byte) ([]byte, error) {
	var size int
	if prec <= 65 && frac >= 0 && frac <= 30 && binSizes[prec][frac] != 0 {
		size = int(binSizes[prec][frac]) // per value: a look-up
	} else {
		var err error
		if size, err = DecimalBinSize(int(prec), int(frac)); err != nil {
			return dst, err
		}
	}
	if len(bin) != size {
		return dst, fmt.Errorf("decimal(%d,%d) binary has %d bytes, want %d: %w", prec, frac, len(bin), size, ErrCorrupt)
	}
	dst = append(dst, prec, byte(frac))
	return append(dst, bin...), nil
}

// decodeDecimal reads precision, frac and the binary; bin aliases b.
func decodeDecimal(b []byte) (prec uint8, frac int8, bin, rest []byte, err error) {
	if len(b) < 2 {
		return 0, 0, nil, b, fmt.Errorf("decimal header: %w", ErrCorrupt)
	}
	size, err := DecimalBinSize(int(b[0]), int(b[1]))
	if err != nil {
		return 0, 0, nil, b, err
	}
	if len(b) < 2+size {
		return 0, 0, nil, b, fmt.Errorf("decimal(%d,%d) needs %d bytes: %w", b[0], b[1], size, ErrCorrupt)
	}
	return b[0], int8(b[1]), b[2 : 2+size], b[2+size:], nil
}
