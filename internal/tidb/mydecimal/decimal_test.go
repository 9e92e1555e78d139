package mydecimal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
)

func mustParse(t testing.TB, s string) Decimal {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return d
}

// TestVectors checks the shared golden decimal_bin vectors.
func TestVectors(t *testing.T) {
	raw := golden.Vectors()
	var file struct {
		Vectors []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
			What     struct {
				Value     string `json:"value"`
				Precision int    `json:"precision"`
				Frac      int    `json:"frac"`
			} `json:"what"`
			BytesHex string `json:"bytes_hex"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range file.Vectors {
		if v.Category != "decimal_bin" {
			continue
		}
		n++
		want, _ := hex.DecodeString(v.BytesHex)
		got, err := ConvertToColumn([]byte(v.What.Value), v.What.Precision, v.What.Frac, false, nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: got %x, %v; want %x", v.ID, got, err, want)
		}
		s, err := BinToString(want, v.What.Precision, v.What.Frac)
		if err != nil || s != v.What.Value {
			t.Errorf("%s: BinToString = %q, %v", v.ID, s, err)
		}
	}
	if n == 0 {
		t.Fatal("no decimal_bin vectors")
	}
}

func TestToBinDocExample(t *testing.T) {
	// TiDB's ToBin doc comment: -1234567890.1234 as (14,4).
	got, err := mustParse(t, "-1234567890.1234").ToBin(14, 4, nil)
	if err != nil || hex.EncodeToString(got) != "7ef204c72dfb2d" {
		t.Fatalf("got %x %v", got, err)
	}
}

// Cases from TiDB pkg/types/mydecimal_test.go TestToBinFromBin.
func TestToBinFromBin(t *testing.T) {
	tests := []struct {
		in         string
		prec, frac int
		out        string
		err        error
	}{
		{"-10.55", 4, 2, "-10.55", nil},
		{"0.0123456789012345678912345", 30, 25, "0.0123456789012345678912345", nil},
		{"12345", 5, 0, "12345", nil},
		{"12345", 10, 3, "12345.000", nil},
		{"123.45", 10, 3, "123.450", nil},
		{"-123.45", 20, 10, "-123.4500000000", nil},
		{".00012345000098765", 15, 14, "0.00012345000098", ErrTruncated},
		{".00012345000098765", 22, 20, "0.00012345000098765000", nil},
		{".12345000098765", 30, 20, "0.12345000098765000000", nil},
		{"-.000000012345000098765", 30, 20, "-0.00000001234500009876", ErrTruncated},
		{"1234500009876.5", 30, 5, "1234500009876.50000", nil},
		{"111111111.11", 10, 2, "", ErrOverflow},
		{"000000000.01", 7, 3, "0.010", nil},
		{"123.4", 10, 2, "123.40", nil},
		{"1000", 3, 0, "", ErrOverflow},
		{"0.1", 1, 1, "0.1", nil},
		{"0.100", 1, 1, "0.1", nil}, // only zeros cut: no information lost
		{"0.1", 2, 2, "0.10", nil},
		{"0.10", 3, 3, "0.100", nil},
		{"0.1", 3, 1, "0.1", nil},
		{"0.0000000000001234", 32, 17, "0.00000000000012340", nil},
		{"0.0000000000001234", 20, 20, "0.00000000000012340000", nil},
		{"0", 1, 0, "0", nil},
		{"-0.000", 5, 3, "0.000", nil},
		{"99999999999999999999", 21, 1, "99999999999999999999.0", nil},
		{"-" + strings.Repeat("9", 65), 65, 0, "-" + strings.Repeat("9", 65), nil},
		{"0." + strings.Repeat("9", 30), 35, 30, "0." + strings.Repeat("9", 30), nil},
	}
	for _, tt := range tests {
		d := mustParse(t, tt.in)
		bin, err := d.ToBin(tt.prec, tt.frac, []byte{0xAA})
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s (%d,%d): err %v want %v", tt.in, tt.prec, tt.frac, err, tt.err)
			continue
		}
		if errors.Is(err, ErrOverflow) {
			continue
		}
		if bin[0] != 0xAA || len(bin)-1 != BinSize(tt.prec, tt.frac) {
			t.Errorf("%s: bad append/size %x", tt.in, bin)
		}
		back, n, err := FromBin(bin[1:], tt.prec, tt.frac)
		if err != nil || n != BinSize(tt.prec, tt.frac) || back.String() != tt.out {
			t.Errorf("%s (%d,%d): FromBin = %s, %d, %v; want %s", tt.in, tt.prec, tt.frac, back, n, err, tt.out)
		}
	}
	for _, pf := range [][2]int{{82, 1}, {-1, 1}, {10, 31}, {10, -1}, {3, 5}} {
		if _, err := FromInt(1).ToBin(pf[0], pf[1], nil); !errors.Is(err, ErrBadNumber) {
			t.Errorf("ToBin%v err %v", pf, err)
		}
	}
	if BinSize(3, 1) != 2 || BinSize(10, 0) != 5 || BinSize(65, 30) != 30 || BinSize(3, 5) != 0 {
		t.Error("BinSize")
	}
	if _, _, err := FromBin([]byte{0x80}, 10, 2); !errors.Is(err, ErrBadNumber) {
		t.Error("short bin accepted")
	}
	// 0x80|0x0a = ten in a 1-digit group: out of range.
	if _, _, err := FromBin([]byte{0x8a}, 1, 0); !errors.Is(err, ErrBadNumber) {
		t.Error("digit 10 accepted")
	}
}

func TestParseString(t *testing.T) {
	tests := []struct {
		in, out string
		err     error
	}{
		{"123.123", "123.123", nil},
		{"123.1230", "123.1230", nil},
		{"00123.123", "123.123", nil},
		{"  -0.5000 ", "-0.5000", nil},
		{"-0", "0", nil},
		{"-0.00", "0.00", nil},
		{"+1", "1", nil},
		{".5", "0.5", nil},
		{"5.", "5", nil},
		{"1.5e3", "1500", nil},
		{"-2E-2", "-0.02", nil},
		{"1.50e1", "15", nil},
		{"0.4e5", "40000", nil},
		{"123E-2", "1.23", nil},
		{"0.00100E1", "0.01", nil},
		{"12300E-5", "0.123", nil},
		{"1e00", "1", nil},
		{"99999999999999999999", "99999999999999999999", nil},
		{"12abc", "12", ErrTruncated},
		{"1.5x", "1.5", ErrTruncated},
		{"1e", "1", ErrTruncated},
		{"abc", "0", ErrBadNumber},
		{"", "0", ErrBadNumber},
		{"-", "0", ErrBadNumber},
		{".", "0", ErrBadNumber},
		{"1" + strings.Repeat("0", 81), strings.Repeat("9", 81), ErrOverflow},
		{"1e1000", strings.Repeat("9", 81), ErrOverflow},
		{"1e-1000", "0", ErrTruncated},
		{"0e1000", "0", nil},
	}
	for _, tt := range tests {
		d, err := Parse([]byte(tt.in))
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Parse(%q) err %v want %v", tt.in, err, tt.err)
		}
		if d.String() != tt.out {
			t.Errorf("Parse(%q) = %s want %s", tt.in, d, tt.out)
		}
	}
}

// Cases from TiDB TestRoundWithHalfEven (which uses ModeHalfUp).
func TestRound(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		out   string
	}{
		{"123456789.987654321", 1, "123456790.0"},
		{"15.1", 0, "15"}, {"15.5", 0, "16"}, {"15.9", 0, "16"},
		{"-15.1", 0, "-15"}, {"-15.5", 0, "-16"}, {"-15.9", 0, "-16"},
		{"15.1", 1, "15.1"}, {"-15.1", 1, "-15.1"}, {"15.17", 1, "15.2"},
		{"15.4", -1, "20"}, {"-15.4", -1, "-20"}, {"5.4", -1, "10"},
		{".999", 0, "1"}, {"999999999", -9, "1000000000"},
		{"1.5", 3, "1.500"}, {"-0.4", 0, "0"}, {"0.05", 1, "0.1"}, {"-0.05", 1, "-0.1"},
		{"99.995", 2, "100.00"}, {"4.4", -2, "0"},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.in).Round(tt.scale).String(); got != tt.out {
			t.Errorf("Round(%s, %d) = %s want %s", tt.in, tt.scale, got, tt.out)
		}
	}
}

func TestConvertToColumn(t *testing.T) {
	tests := []struct {
		in         string
		prec, frac int
		unsigned   bool
		out        string
		err        error
	}{
		{"14.112", 6, 4, false, "14.1120", nil},
		{"-99.999", 6, 4, false, "-99.9990", nil},
		{"1.23456", 6, 4, false, "1.2346", nil},
		{"-1.23455", 6, 4, false, "-1.2346", nil},
		{"99.99995", 6, 4, false, "", ErrOverflow}, // rounds to 100.0000
		{"100", 6, 4, false, "", ErrOverflow},
		{"-1", 5, 2, true, "", ErrOverflow},
		{"-0.001", 5, 2, true, "0.00", nil}, // rounds to 0 first
		{"99999999999999999999", 21, 1, false, "99999999999999999999.0", nil},
		{"1e2", 10, 0, false, "100", nil},
		{"x", 10, 0, false, "", ErrBadNumber},
		{"1x", 10, 0, false, "", ErrTruncated},
		{" 7 ", 10, 2, false, "7.00", nil},
	}
	for _, tt := range tests {
		bin, err := ConvertToColumn([]byte(tt.in), tt.prec, tt.frac, tt.unsigned, nil)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%q: err %v want %v", tt.in, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		s, err := BinToString(bin, tt.prec, tt.frac)
		if err != nil || s != tt.out {
			t.Errorf("%q: %s %v want %s", tt.in, s, err, tt.out)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		c    int
	}{
		{"12", "13", -1}, {"13", "12", 1}, {"-10", "10", -1}, {"10", "-10", 1},
		{"-12", "-13", 1}, {"0", "12", -1}, {"-10", "0", -1}, {"4", "4", 0},
		{"-1.1", "-1.2", 1}, {"1.2", "1.1", 1}, {"1.1", "1.2", -1},
		{"1.50", "1.5", 0}, {"0.00", "-0", 0}, {"0.001", "0", 1}, {"100", "99.999", 1},
	}
	for _, tt := range tests {
		if c := Compare(mustParse(t, tt.a), mustParse(t, tt.b)); c != tt.c {
			t.Errorf("Compare(%s,%s)=%d want %d", tt.a, tt.b, c, tt.c)
		}
	}
}

func TestIntFloat(t *testing.T) {
	for _, v := range []int64{0, 1, -1, -12345, math.MaxInt64, math.MinInt64} {
		d := FromInt(v)
		if got, err := d.ToInt64(); err != nil || got != v {
			t.Errorf("FromInt(%d) round trip %d %v (%s)", v, got, err, d)
		}
	}
	if FromUint(math.MaxUint64).String() != "18446744073709551615" || FromUint(0).String() != "0" {
		t.Error("FromUint")
	}
	toInt := []struct {
		in  string
		out int64
		err error
	}{
		{"18446744073709551615", math.MaxInt64, ErrOverflow},
		{"-1.23", -1, nil}, {"-1.5", -2, nil}, {"2.5", 3, nil},
		{"9223372036854775808", math.MaxInt64, ErrOverflow},
		{"-9223372036854775809", math.MinInt64, ErrOverflow},
		{"-9223372036854775808", math.MinInt64, nil},
	}
	for _, tt := range toInt {
		got, err := mustParse(t, tt.in).ToInt64()
		if got != tt.out || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("ToInt64(%s) = %d %v", tt.in, got, err)
		}
	}
	// TiDB TestFromFloat.
	for s, f := range map[string]float64{"12345": 12345, "123.45": 123.45, "-123.45": -123.45,
		"0.00012345000098765": 0.00012345000098765, "1234500009876.5": 1234500009876.5, "0.1": 0.1} {
		d, err := FromFloat64(f)
		if err != nil || d.String() != s {
			t.Errorf("FromFloat64(%v) = %s %v", f, d, err)
		}
		if d.ToFloat64() != f {
			t.Errorf("ToFloat64(%s) = %v", d, d.ToFloat64())
		}
	}
	if _, err := FromFloat64(math.NaN()); !errors.Is(err, ErrBadNumber) {
		t.Error("NaN accepted")
	}
	if mustParse(t, "1.00000000000000011102230246251565404236316680908203126").ToFloat64() != 1.0000000000000002 {
		t.Error("ToFloat64 rounding")
	}
}

// Cases from TiDB TestAddMyDecimal, TestSubMyDecimal, TestMulMyDecimal, TestDivModMyDecimal.
func TestArith(t *testing.T) {
	type c struct{ a, b, out string }
	run := func(name string, f func(a, b Decimal) (Decimal, error), cases []c) {
		for _, tt := range cases {
			got, err := f(mustParse(t, tt.a), mustParse(t, tt.b))
			if err != nil || got.String() != tt.out {
				t.Errorf("%s(%s, %s) = %s %v want %s", name, tt.a, tt.b, got, err, tt.out)
			}
		}
	}
	run("Add", Add, []c{
		{".00012345000098765", "123.45", "123.45012345000098765"},
		{"1234500009876.5", ".00012345000098765", "1234500009876.50012345000098765"},
		{"9999909999999.5", ".555", "9999910000000.055"},
		{"999999999", "1", "1000000000"},
		{"-12345", "123.45", "-12221.55"},
		{"5", "-6.0", "-1.0"},
		{"-1234.1234", "1234.1234", "0.0000"},
		{"2" + strings.Repeat("1", 71), strings.Repeat("8", 81), "8888888890" + strings.Repeat("9", 71)},
	})
	run("Sub", Sub, []c{
		{".00012345000098765", "123.45", "-123.44987654999901235"},
		{"1111.5551", "1111.555", "0.0001"},
		{".555", ".555", "0.000"},
		{"1000000000", ".1", "999999999.9"},
		{"-123.45", "-12345", "12221.55"},
	})
	run("Mul", Mul, []c{
		{"12", "10", "120"},
		{"-123.456", "98765.4321", "-12193185.1853376"},
		{"-123456000000", "98765432100000", "-12193185185337600000000000"},
		{"123", "0.01", "1.23"},
		{"0.5999991229316", "0.918755041726043", "0.5512522192246113614062276588"},
		{"0.000", "-1", "0.000"},
	})
	div := func(a, b Decimal) (Decimal, error) { return Div(a, b, DivFracIncr) }
	run("Div", div, []c{
		{"1", "1", "1.0000"}, {"1.00", "1", "1.000000"}, {"1", "1.000", "1.0000"},
		{"2", "3", "0.6667"}, {"51", "0.003430", "14868.8047"}, {"0.000", "0.1", "0.0000000"},
		{"-7", "2", "-3.5000"},
	})
	if _, err := Div(FromInt(1), FromInt(0), 4); !errors.Is(err, ErrDivByZero) {
		t.Error("div by zero")
	}
	big := mustParse(t, "1"+strings.Repeat("0", 60))
	if _, err := Mul(big, big); !errors.Is(err, ErrOverflow) {
		t.Error("Mul overflow")
	}
}

func TestMaxOrMin(t *testing.T) {
	for _, tt := range []struct {
		neg        bool
		prec, frac int
		out        string
	}{{true, 2, 1, "-9.9"}, {false, 1, 1, "0.9"}, {true, 1, 0, "-9"}, {false, 4, 2, "99.99"}, {false, 20, 20, "0.99999999999999999999"}} {
		if got := MaxOrMin(tt.neg, tt.prec, tt.frac).String(); got != tt.out {
			t.Errorf("MaxOrMin%v = %s", tt, got)
		}
	}
}

// TestCorpusDecimal checks the lightning_various_types decimal expectations:
// 50 rows, min -99.9990, max 99.9912, sum -9.9123 for DECIMAL(6,4).
func TestCorpusDecimal(t *testing.T) {
	raw := golden.ReadShared(t, "corpora/lightning-cases/lightning_various_types/data/vt.decimal.sql")
	var bins [][]byte
	sum := Decimal{}
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "(") {
			continue
		}
		v := strings.TrimRight(line, "),;")
		v = v[strings.Index(v, ",")+1:]
		b, err := ConvertToColumn([]byte(strings.TrimSpace(v)), 6, 4, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		bins = append(bins, b)
		d, _, _ := FromBin(b, 6, 4)
		sum, _ = Add(sum, d)
	}
	minB, maxB := bins[0], bins[0]
	for _, b := range bins {
		if bytes.Compare(b, minB) < 0 {
			minB = b
		}
		if bytes.Compare(b, maxB) > 0 {
			maxB = b
		}
	}
	lo, _ := BinToString(minB, 6, 4)
	hi, _ := BinToString(maxB, 6, 4)
	if len(bins) != 50 || lo != "-99.9990" || hi != "99.9912" || sum.String() != "-9.9123" {
		t.Errorf("rows %d min %s max %s sum %s", len(bins), lo, hi, sum)
	}
}
