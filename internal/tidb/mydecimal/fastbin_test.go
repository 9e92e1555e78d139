package mydecimal

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// slowToColumn is ConvertToColumn without the fast path.
func slowToColumn(s []byte, prec, frac int, unsigned bool) ([]byte, error) {
	d, garbage, err := parse(s)
	if err == nil && garbage {
		err = ErrTruncated
	}
	if err != nil && !(err == ErrTruncated && !garbage) {
		return nil, err
	}
	return ConvertDecimalToColumn(d, prec, frac, unsigned, nil)
}

func checkFast(t *testing.T, s string, prec, frac int, unsigned bool) bool {
	t.Helper()
	got, ok := fastToBin([]byte(s), prec, frac, unsigned, []byte("x"))
	if !ok {
		return false
	}
	want, err := slowToColumn([]byte(s), prec, frac, unsigned)
	if err != nil {
		t.Fatalf("%q DECIMAL(%d,%d) unsigned=%v: fast path took a value the general path refuses: %v", s, prec, frac, unsigned, err)
	}
	if !bytes.Equal(got[1:], want) || got[0] != 'x' {
		t.Fatalf("%q DECIMAL(%d,%d) unsigned=%v: fast %x, general %x", s, prec, frac, unsigned, got[1:], want)
	}
	return true
}

func TestFastBinMatches(t *testing.T) {
	cases := []string{"0", "1", "-1", "0.5", "-0.5", ".5", "5.", "-.25", "00012.30", "123456789", "1234567890",
		"999999999999999999", "-999999999999999999.99", "12345.678", "0.000000001", "100000000.000000001",
		"-0", "-0.00", "+1", " 1", "1 ", "1e2", "", "-", ".", "1.2.3", "0x1", "1234567890123456789"}
	took := 0
	for _, s := range cases {
		for _, pf := range [][2]int{{15, 2}, {10, 0}, {12, 4}, {18, 9}, {20, 10}, {30, 18}, {65, 0}, {65, 18}, {9, 9}, {1, 0}, {3, 3}, {27, 17}} {
			for _, u := range []bool{false, true} {
				if checkFast(t, s, pf[0], pf[1], u) {
					took++
				}
			}
		}
	}
	if took < 100 {
		t.Fatalf("fast path took only %d cases", took)
	}
	// Random plain texts over random columns.
	r := rand.New(rand.NewSource(1))
	took = 0
	for n := 0; n < 200000; n++ {
		prec := 1 + r.Intn(40)
		frac := r.Intn(min(prec, 19) + 1)
		if frac > prec {
			frac = prec
		}
		nint, nfrac := r.Intn(20), r.Intn(20)
		var b []byte
		if r.Intn(3) == 0 {
			b = append(b, '-')
		}
		for i := 0; i < nint; i++ {
			b = append(b, byte('0'+r.Intn(10)))
		}
		if nfrac > 0 || r.Intn(4) == 0 {
			b = append(b, '.')
			for i := 0; i < nfrac; i++ {
				b = append(b, byte('0'+r.Intn(10)))
			}
		}
		if checkFast(t, string(b), prec, frac, r.Intn(4) == 0) {
			took++
		}
	}
	if took < 10000 {
		t.Fatalf("fast path took only %d random cases", took)
	}
}

func FuzzFastBin(f *testing.F) {
	for _, s := range []string{"1.5", "-12.25", "0", "999999999.999999999"} {
		f.Add(s, uint8(15), uint8(2), false)
	}
	f.Fuzz(func(t *testing.T, s string, prec, frac uint8, unsigned bool) {
		checkFast(t, s, int(prec%66), int(frac%31), unsigned)
	})
}

func BenchmarkConvertToColumnLineitem(b *testing.B) {
	vals := [][]byte{[]byte("17.00"), []byte("21168.23"), []byte("0.04"), []byte("0.02"), []byte("-901.5"), []byte("36901.00")}
	dst := make([]byte, 0, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ConvertToColumn(vals[i%len(vals)], 15, 2, false, dst[:0]); err != nil {
			b.Fatal(fmt.Sprint(err))
		}
	}
}

func BenchmarkConvertToColumnLineitemGeneral(b *testing.B) {
	vals := [][]byte{[]byte("17.00"), []byte("21168.23"), []byte("0.04"), []byte("0.02"), []byte("-901.5"), []byte("36901.00")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := slowToColumn(vals[i%len(vals)], 15, 2, false); err != nil {
			b.Fatal(err)
		}
	}
}
