package mydecimal

import (
	"bytes"
	"errors"
	"testing"
)

func fuzzPrecFrac(p, f uint8) (int, int) {
	prec := int(p)%MaxPrecision + 1
	frac := int(f) % (min(prec, MaxScale) + 1)
	return prec, frac
}

// FuzzDecimalBin: parse -> round -> ToBin -> FromBin -> String equals the
// rounded text; Parse never panics.
func FuzzDecimalBin(f *testing.F) {
	for _, s := range []string{"1234567890.1234", "-0.5", "99999999999999999999", "1e5", "-1.5e-3", "0", "abc", ".9999"} {
		f.Add([]byte(s), uint8(14), uint8(4))
	}
	f.Fuzz(func(t *testing.T, s []byte, p, fr uint8) {
		d, err := Parse(s)
		if err != nil && !errors.Is(err, ErrTruncated) {
			return
		}
		prec, frac := fuzzPrecFrac(p, fr)
		r := d.Round(frac)
		bin, err := ConvertDecimalToColumn(d, prec, frac, false, nil)
		if err != nil {
			if !errors.Is(err, ErrOverflow) || r.IntDigits() <= prec-frac {
				t.Fatalf("%q (%d,%d): %v", s, prec, frac, err)
			}
			return
		}
		if len(bin) != BinSize(prec, frac) {
			t.Fatalf("size %d", len(bin))
		}
		back, _, err := FromBin(bin, prec, frac)
		if err != nil || back.String() != r.String() {
			t.Fatalf("%q (%d,%d): %s != %s (%v)", s, prec, frac, back, r, err)
		}
		// Text round trip is exact.
		again, err := Parse([]byte(r.String()))
		if err != nil || Compare(again, r) != 0 || again.String() != r.String() {
			t.Fatalf("reparse %s: %s %v", r, again, err)
		}
	})
}

// FuzzDecimalOrder: for one (prec, frac), bytes.Compare of the bins orders
// like Compare of the values.
func FuzzDecimalOrder(f *testing.F) {
	f.Add([]byte("1.5"), []byte("-1.5"), uint8(10), uint8(2))
	f.Add([]byte("0"), []byte("-0.001"), uint8(5), uint8(3))
	f.Fuzz(func(t *testing.T, a, b []byte, p, fr uint8) {
		prec, frac := fuzzPrecFrac(p, fr)
		da, err1 := Parse(a)
		db, err2 := Parse(b)
		if err1 != nil || err2 != nil {
			return
		}
		da, db = da.Round(frac), db.Round(frac)
		ba, err1 := da.ToBin(prec, frac, nil)
		bb, err2 := db.ToBin(prec, frac, nil)
		if err1 != nil || err2 != nil {
			return
		}
		if c1, c2 := bytes.Compare(ba, bb), Compare(da, db); c1 != c2 {
			t.Fatalf("%s vs %s (%d,%d): bytes %d values %d (%x %x)", da, db, prec, frac, c1, c2, ba, bb)
		}
	})
}
