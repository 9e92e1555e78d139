package tidbcodec

import (
	"bytes"
	"math/rand"
	"slices"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
)

// refRowV2 is Encode without the in-place path for ascending ids: the
// ids sorted through e.order and the values laid out through the data
// buffer, as every row was before.
func refRowV2(t *testing.T, colIDs []int64, datums []datum.Datum) []byte {
	t.Helper()
	var e RowEncoder
	large := false
	for i, id := range colIDs {
		if id > 255 {
			large = true
		}
		if datums[i].Kind == datum.Null {
			e.nullIDs = append(e.nullIDs, id)
		} else {
			e.order = append(e.order, i)
		}
	}
	sortByID(e.order, colIDs)
	slices.Sort(e.nullIDs)
	out, err := e.encodeLarge([]byte("prefix"), colIDs, datums, large)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRowV2InPlace compares Encode with the reference layout on rows of
// every shape: ids ascending or not, with NULLs or not, byte or wider ids,
// and data areas on both sides of 64 KiB.
func TestRowV2InPlace(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	big := bytes.Repeat([]byte("x"), 40000)
	value := func() datum.Datum {
		switch r.Intn(8) {
		case 0:
			return datum.Datum{}
		case 1:
			return datum.NewInt(r.Int63n(1<<40) - 1<<39)
		case 2:
			return datum.NewUint(uint64(r.Int63()))
		case 3:
			return datum.Datum{Kind: datum.Float64, F: r.NormFloat64()}
		case 4:
			return datum.Datum{Kind: datum.Decimal, Prec: 15, Frac: 2, B: []byte{0x80, 0, 0, 0, 0x0b, 0x15, 0x4d}}
		case 5:
			return datum.Datum{Kind: datum.Time, U: uint64(r.Int63()), Frac: 0}
		case 6:
			if r.Intn(20) == 0 {
				return datum.NewBytes(big)
			}
			return datum.NewString([]byte("along to foxes"))
		}
		return datum.NewString(nil)
	}
	var e RowEncoder
	for n := 0; n < 5000; n++ {
		cols := r.Intn(20)
		var ids []int64
		var row []datum.Datum
		next := int64(1)
		for i := 0; i < cols; i++ {
			next += int64(1 + r.Intn(3))
			if r.Intn(50) == 0 {
				next += 300
			}
			ids = append(ids, next)
			row = append(row, value())
		}
		if r.Intn(4) == 0 {
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		}
		want := refRowV2(t, ids, row)
		got, err := e.Encode([]byte("prefix"), ids, row)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("ids %v: got %x, want %x", ids, got, want)
		}
		var parsed RowV2
		if err := ParseRowV2(got[len("prefix"):], &parsed); err != nil {
			t.Fatalf("ids %v: %v", ids, err)
		}
	}
}

// TestRowV2InPlaceError: a value the row cannot hold leaves dst as it was.
func TestRowV2InPlaceError(t *testing.T) {
	var e RowEncoder
	dst := []byte("prefix")
	out, err := e.Encode(dst, []int64{1, 2}, []datum.Datum{datum.NewInt(1), {Kind: datum.Decimal, Prec: 15, Frac: 2, B: []byte{1}}})
	if err == nil || string(out) != "prefix" {
		t.Fatalf("got %q, %v", out, err)
	}
}

// TestRowV2InPlaceBoundary: a data area of exactly 64 KiB - 1 bytes keeps
// the small layout, one byte more needs the large one.
func TestRowV2InPlaceBoundary(t *testing.T) {
	var e RowEncoder
	for _, n := range []int{65534, 65535, 65536, 65537} {
		row := []datum.Datum{datum.NewInt(1), datum.NewBytes(make([]byte, n-1)), {}}
		ids := []int64{1, 2, 3}
		got, err := e.Encode(nil, ids, row)
		if err != nil {
			t.Fatal(err)
		}
		if want := refRowV2(t, ids, row)[len("prefix"):]; !bytes.Equal(got, want) {
			t.Fatalf("data %d bytes: got %x..., want %x...", n, got[:16], want[:16])
		}
		if large := got[1]&rowFlagLarge != 0; large != (n > 65535) {
			t.Fatalf("data %d bytes: large %v", n, large)
		}
	}
}

// TestDecimalBinSizes: the look-up table appendDecimal uses is
// DecimalBinSize, errors included.
func TestDecimalBinSizes(t *testing.T) {
	for p := 0; p <= 70; p++ {
		for f := -1; f <= 35; f++ {
			bin := make([]byte, 40)
			want, werr := DecimalBinSize(p, f)
			if werr == nil {
				bin = bin[:want]
			}
			got, err := appendDecimal(nil, uint8(p), int8(f), bin)
			if (err != nil) != (werr != nil) || (err == nil && len(got) != 2+want) {
				t.Fatalf("DECIMAL(%d,%d): got %d bytes, %v; want %d, %v", p, f, len(got), err, want, werr)
			}
		}
	}
}
