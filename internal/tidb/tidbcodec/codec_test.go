package tidbcodec

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
)

func TestCmpFloatExamples(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1.0, "bff0000000000000"},
		{0, "8000000000000000"},
		{math.Copysign(0, -1), "8000000000000000"}, // -0 == +0 (SPEC §2.2)
		{-1.8, "4003333333333332"},                 // from tikv-rowv2-mixed-types
	} {
		eqHex(t, "float", AppendCmpFloat(nil, c.f), c.want)
	}
}

func TestRowV2LargeLayout(t *testing.T) {
	var e RowEncoder
	// A null column id > 255 alone switches to the large layout.
	got, err := e.Encode(nil, []int64{1, 300}, []datum.Datum{datum.NewInt(7), {}})
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "large by null id", got, "8001"+"0100"+"0100"+"01000000"+"2c010000"+"01000000"+"07")
	// Data over 65535 bytes switches too.
	big := bytes.Repeat([]byte{'x'}, 70000)
	got, err = e.Encode(nil, []int64{2, 1}, []datum.Datum{datum.NewBytes(big), datum.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got[1] != 1 {
		t.Fatalf("flags %x, want large", got[1])
	}
	var r RowV2
	if err := ParseRowV2(got, &r); err != nil {
		t.Fatal(err)
	}
	raw, ok, _ := r.Value(2)
	if !ok || !bytes.Equal(raw, big) {
		t.Fatal("large value lost")
	}
	raw, _, _ = r.Value(1)
	if !bytes.Equal(raw, []byte{1}) {
		t.Fatalf("col 1 = %x", raw)
	}
	// Empty row.
	got, _ = e.Encode(nil, nil, nil)
	eqHex(t, "empty row", got, "800000000000")
}

func TestRowV2ChecksumTrailer(t *testing.T) {
	var e RowEncoder
	row, _ := e.Encode(nil, []int64{1}, []datum.Datum{datum.NewInt(127)})
	row[1] |= rowFlagCksum
	row = append(row, 0x01)
	row = binary.LittleEndian.AppendUint32(row, 0xdeadbeef)
	var r RowV2
	if err := ParseRowV2(row, &r); err != nil {
		t.Fatal(err)
	}
	if !r.HasChecksum || r.Checksum != 0xdeadbeef || r.ChecksumHeader != 1 {
		t.Fatalf("%+v", r)
	}
	if raw, _, _ := r.Value(1); !bytes.Equal(raw, []byte{0x7f}) {
		t.Fatalf("value %x", raw)
	}
	if err := ParseRowV2(row[:len(row)-1], &r); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated trailer: %v", err)
	}
}

func TestIndexValueLayouts(t *testing.T) {
	restored := unhex(t, "80000100000003010041")
	for _, c := range []struct {
		name   string
		layout IndexLayout
		v      IndexValue
		want   string
	}{
		{"old non-distinct", LayoutOld, IndexValue{Handle: IntHandle(5)}, "30"},
		{"old distinct negative handle", LayoutOld, IndexValue{Distinct: true, Handle: IntHandle(-1)}, "ffffffffffffffff"},
		{"v0 non-unique restored (SPEC 7.3)", LayoutVersion0, IndexValue{Handle: IntHandle(1), Restored: restored}, "0080000100000003010041"},
		{"v0 unique restored (SPEC 7.3)", LayoutVersion0, IndexValue{Distinct: true, Handle: IntHandle(1), Restored: restored}, "08800001000000030100410000000000000001"},
		{"v0 padding", LayoutVersion0, IndexValue{Global: true, PartitionID: 1, Handle: IntHandle(1)}, "007e8000000000000001"},
		{"v1 non-unique", LayoutClusteredV1, IndexValue{Handle: CommonHandle([]byte{3, 0x80, 0, 0, 0, 0, 0, 0, 1})}, "007d01"},
	} {
		got := AppendIndexValue(nil, c.layout, &c.v)
		eqHex(t, c.name, got, c.want)
		p, err := ParseIndexValue(got)
		if err != nil || p.Layout != c.layout {
			t.Errorf("%s: parse layout %v err %v", c.name, p.Layout, err)
		}
	}
	if ChooseIndexLayout(false, true, false, false, false) != LayoutOld ||
		ChooseIndexLayout(false, true, true, false, false) != LayoutVersion0 ||
		ChooseIndexLayout(true, false, true, false, false) != LayoutClusteredV1 ||
		ChooseIndexLayout(false, false, false, false, true) != LayoutVersion0 {
		t.Error("ChooseIndexLayout")
	}
}

func TestRecordKeyDecode(t *testing.T) {
	k := AppendRecordKeyInt(nil, 1, -5)
	tid, h, err := DecodeRecordKey(k)
	if err != nil || tid != 1 || !h.IsInt() || h.IntValue() != -5 {
		t.Fatalf("%d %v %v", tid, h, err)
	}
	ch := []byte{1, 'a', 0, 0, 0, 0, 0, 0, 0, 0xf8}
	k = AppendRecordKeyCommon(nil, 7, ch)
	tid, h, err = DecodeRecordKey(k)
	if err != nil || tid != 7 || h.IsInt() || !bytes.Equal(h.Encoded(), ch) {
		t.Fatalf("%d %v %v", tid, h, err)
	}
	if _, _, err := DecodeRecordKey([]byte("t")); !errors.Is(err, ErrCorrupt) {
		t.Fatal(err)
	}
	eqHex(t, "record key t1 h1", AppendRecordKeyInt(nil, 1, 1), "7480000000000000015f728000000000000001")
}

func TestValueDatumRoundTrip(t *testing.T) {
	for _, d := range []datum.Datum{
		{}, datum.NewInt(-300), datum.NewUint(1 << 60), {Kind: datum.Float64, F: -2.5},
		datum.NewBytes([]byte("hello")), {Kind: datum.Decimal, Prec: 14, Frac: 4, B: unhex(t, "810dfb38d204d2")},
		{Kind: datum.JSON, B: []byte{4, 1}},
	} {
		b, err := AppendValueDatum(nil, &d)
		if err != nil {
			t.Fatal(err)
		}
		back, rest, err := DecodeDatum(b, nil)
		if err != nil || len(rest) != 0 || !sameDatum(back, d) {
			t.Errorf("%+v -> %x -> %+v %v", d, b, back, err)
		}
	}
	// EncodeValue of int64 1 is 08 02 (zigzag).
	one := datum.NewInt(1)
	b, _ := AppendValueDatum(nil, &one)
	eqHex(t, "varint 1", b, "0802")
}

func keyOf(t testing.TB, d datum.Datum) []byte {
	b, err := AppendKeyDatum(nil, &d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkOrder(t *testing.T, a, b datum.Datum, want int) {
	ka, kb := keyOf(t, a), keyOf(t, b)
	if got := bytes.Compare(ka, kb); got != want {
		t.Fatalf("order of %+v vs %+v: keys compare %d, values %d (%x vs %x)", a, b, got, want, ka, kb)
	}
	for _, d := range []datum.Datum{a, b} {
		k := keyOf(t, d)
		back, rest, err := DecodeKeyDatum(k, nil)
		if err != nil || len(rest) != 0 {
			t.Fatalf("decode %x: %v", k, err)
		}
		if d.Kind == datum.Float64 && math.IsNaN(d.F) {
			continue
		}
		if back.Kind != d.Kind || back.I != d.I || back.U != d.U || back.F != d.F || !bytes.Equal(back.B, d.B) && len(d.B)+len(back.B) > 0 {
			t.Fatalf("round trip %+v -> %+v", d, back)
		}
	}
}

func FuzzKeyOrderInt(f *testing.F) {
	f.Add(int64(-1), int64(0))
	f.Add(int64(math.MinInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, a, b int64) {
		checkOrder(t, datum.NewInt(a), datum.NewInt(b), cmp.Compare(a, b))
		da, db := datum.Datum{Kind: datum.Duration, I: a}, datum.Datum{Kind: datum.Duration, I: b}
		checkOrder(t, da, db, cmp.Compare(a, b))
	})
}

func FuzzKeyOrderUint(f *testing.F) {
	f.Add(uint64(0), uint64(1<<63))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		checkOrder(t, datum.NewUint(a), datum.NewUint(b), cmp.Compare(a, b))
	})
}

func FuzzKeyOrderFloat(f *testing.F) {
	f.Add(-1.5, 2.0)
	f.Add(math.Inf(-1), -0.0)
	f.Fuzz(func(t *testing.T, a, b float64) {
		if math.IsNaN(a) || math.IsNaN(b) {
			return
		}
		if a == 0 {
			a = 0 // -0 encodes as +0
		}
		if b == 0 {
			b = 0
		}
		checkOrder(t, datum.Datum{Kind: datum.Float64, F: a}, datum.Datum{Kind: datum.Float64, F: b}, cmp.Compare(a, b))
	})
}

func FuzzKeyOrderBytes(f *testing.F) {
	f.Add([]byte{}, []byte{0})
	f.Add([]byte("12345678"), []byte("123456789"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkOrder(t, datum.NewBytes(a), datum.NewBytes(b), bytes.Compare(a, b))
	})
}

// FuzzRowV2RoundTrip encodes typed columns and decodes them back.
func FuzzRowV2RoundTrip(f *testing.F) {
	f.Add(int64(1), uint64(2), 3.5, []byte("x"), int64(400), byte(0))
	f.Fuzz(func(t *testing.T, i int64, u uint64, fl float64, s []byte, id int64, nullMask byte) {
		if math.IsNaN(fl) {
			return
		}
		if fl == 0 {
			fl = 0
		}
		id = id & 0x3ff
		ids := []int64{id + 10, id + 11, id + 12, id + 13, id + 14, 1}
		ds := []datum.Datum{datum.NewInt(i), datum.NewUint(u), {Kind: datum.Float64, F: fl}, datum.NewBytes(s),
			{Kind: datum.Duration, I: i}, {Kind: datum.Time, U: u}}
		for k := range ds {
			if nullMask&(1<<k) != 0 {
				ds[k] = datum.Datum{}
			}
		}
		var e RowEncoder
		row, err := e.Encode(nil, ids, ds)
		if err != nil {
			t.Fatal(err)
		}
		var r RowV2
		if err := ParseRowV2(row, &r); err != nil {
			t.Fatal(err)
		}
		for k, id := range ids {
			raw, found, isNull := r.Value(id)
			if !found || isNull != (ds[k].Kind == datum.Null) {
				t.Fatalf("col %d found %v null %v", id, found, isNull)
			}
			if isNull {
				continue
			}
			back, err := DecodeValueV2(raw, ds[k].Kind, 0)
			if err != nil || !sameDatum(back, ds[k]) {
				t.Fatalf("col %d: %+v -> %+v %v", id, ds[k], back, err)
			}
		}
		// Row v1 round trip of the same columns.
		v1, err := AppendRowV1(nil, ids, ds)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := DecodeRowV1(v1, nil)
		if err != nil || len(cols) != len(ids) {
			t.Fatalf("v1: %d cols %v", len(cols), err)
		}
		for k, c := range cols {
			back, err := Recast(c.Datum, ds[k].Kind, 0)
			if ds[k].Kind == datum.Null {
				back, err = c.Datum, nil
			}
			if err != nil || c.ID != ids[k] || !sameDatum(back, ds[k]) {
				t.Fatalf("v1 col %d: %+v -> %+v %v", ids[k], ds[k], back, err)
			}
		}
	})
}

// FuzzDecoders feeds arbitrary bytes to every decoder: no panics allowed.
func FuzzDecoders(f *testing.F) {
	f.Add(unhexF("8000010000000101007f"))
	f.Add(unhexF("007d017f0031038000000000000001"))
	f.Add(unhexF("0102030000000000fa"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r RowV2
		_ = ParseRowV2(b, &r)
		_, _ = ParseIndexValue(b)
		_, _ = DecodeRowV1(b, nil)
		for rest := b; len(rest) > 0; {
			var err error
			if _, rest, err = DecodeDatum(rest, nil); err != nil {
				break
			}
		}
		_, _, _ = DecodeRecordKey(b)
		_, _ = JSONBinaryLen(b)
	})
}

func unhexF(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

func TestParseIndexValueAmbiguousOld(t *testing.T) {
	// An old-format unique value whose handle starts 00 7d is not versioned.
	v := AppendIndexValue(nil, LayoutOld, &IndexValue{Distinct: true, Handle: IntHandle(0x007d010000000005)})
	p, err := ParseIndexValue(v)
	if err != nil || p.Layout != LayoutOld || !p.HasIntHandle || p.IntHandle != 0x007d010000000005 {
		t.Fatalf("%+v %v", p, err)
	}
}
