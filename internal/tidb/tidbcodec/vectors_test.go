package tidbcodec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
)

type vector struct {
	ID       string          `json:"id"`
	Category string          `json:"category"`
	What     json.RawMessage `json:"what"`
	KeyHex   string          `json:"key_hex"`
	ValueHex string          `json:"value_hex"`
	BytesHex string          `json:"bytes_hex"`
	Expected json.RawMessage `json:"expected"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw := golden.Vectors()
	var f struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func eqHex(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if hex.EncodeToString(got) != want {
		t.Errorf("%s:\n got  %x\n want %s", what, got, want)
	}
}

// packTime is SPEC §3.3's formula, written independently of any code here.
func packTime(y, mo, d, h, mi, s, us uint64) uint64 {
	ymd := ((y*13 + mo) << 5) | d
	hms := h<<12 | mi<<6 | s
	return ((ymd<<17 | hms) << 24) | us
}

// TestVectors runs every vector of vectors.json that belongs to this layer;
// the others get a subtest whose name says where they are checked.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		v := v
		switch v.Category {
		case "collation_sort_key":
			t.Run(v.ID+"/checked-in-internal-collate", func(t *testing.T) {})
			continue
		}
		t.Run(v.ID, func(t *testing.T) { runVector(t, v) })
	}
}

func runVector(t *testing.T, v vector) {
	switch v.Category {
	case "key_prefix":
		var w struct{ TableID, IndexID int64 }
		var m map[string]int64
		if err := json.Unmarshal(v.What, &m); err != nil {
			t.Fatal(err)
		}
		w.TableID, w.IndexID = m["table_id"], m["index_id"]
		eqHex(t, "index prefix", AppendIndexPrefix(nil, w.TableID, w.IndexID), v.KeyHex)
	case "memcomparable_bytes":
		var w struct {
			InputHex string `json:"input_hex"`
		}
		_ = json.Unmarshal(v.What, &w)
		in := unhex(t, w.InputHex)
		enc := AppendBytesGroup(nil, in)
		eqHex(t, "EncodeBytes", enc, v.BytesHex)
		dec, rest, err := DecodeBytesGroup(enc, nil)
		if err != nil || !bytes.Equal(dec, in) || len(rest) != 0 {
			t.Errorf("decode: %x %x %v", dec, rest, err)
		}
	case "decimal_bin":
		var w struct {
			Value     string
			Precision int
			Frac      int
		}
		_ = json.Unmarshal(v.What, &w)
		want := unhex(t, v.BytesHex)
		if n, _ := DecimalBinSize(w.Precision, w.Frac); n != len(want) {
			t.Errorf("DecimalBinSize(%d,%d) = %d, want %d", w.Precision, w.Frac, n, len(want))
		}
		bin, err := mydecimal.ConvertToColumn([]byte(w.Value), w.Precision, w.Frac, false, nil)
		if err != nil {
			t.Fatalf("mydecimal: %v", err)
		}
		eqHex(t, "mydecimal bin", bin, v.BytesHex)
		d := datum.Datum{Kind: datum.Decimal, Prec: uint8(w.Precision), Frac: int8(w.Frac), B: want}
		key, err := AppendKeyDatum(nil, &d, nil)
		if err != nil {
			t.Fatal(err)
		}
		eqHex(t, "key datum", key, "06"+hex.EncodeToString([]byte{byte(w.Precision), byte(w.Frac)})+v.BytesHex)
		back, rest, err := DecodeKeyDatum(key, nil)
		if err != nil || len(rest) != 0 || back.Kind != datum.Decimal || !bytes.Equal(back.B, want) || back.Prec != d.Prec || back.Frac != d.Frac {
			t.Errorf("decode: %+v %x %v", back, rest, err)
		}
	case "time_packed":
		// '2011-11-10 11:11:11.999999', packed decimal 1840446893366133311.
		p := packTime(2011, 11, 10, 11, 11, 11, 999999)
		var w map[string]string
		_ = json.Unmarshal(v.What, &w)
		if strconv.FormatUint(p, 10) != w["packed_uint64_decimal"] {
			t.Fatalf("formula gives %d, vector %s", p, w["packed_uint64_decimal"])
		}
		d := datum.Datum{Kind: datum.Time, U: p, Frac: 6}
		key, _ := AppendKeyDatum(nil, &d, nil)
		eqHex(t, "key", key, "04"+v.BytesHex)
		val, _ := AppendValueV2(nil, &d)
		rev := make([]byte, len(val))
		for i := range val {
			rev[i] = val[len(val)-1-i]
		}
		eqHex(t, "row v2 (reversed LE)", rev, v.BytesHex)
	case "duration":
		d := datum.Datum{Kind: datum.Duration, I: 4 * 3600 * 1e9}
		val, _ := AppendValueV2(nil, &d)
		eqHex(t, "row v2", val, v.BytesHex)
		got, err := DecodeValueV2(val, datum.Duration, 0)
		if err != nil || got.I != d.I {
			t.Errorf("decode %v %v", got, err)
		}
		key, _ := AppendKeyDatum(nil, &d, nil)
		eqHex(t, "key", key, "07"+hex.EncodeToString(AppendCmpInt(nil, d.I)))
	case "json_binary":
		b := unhex(t, v.BytesHex)
		n, err := JSONBinaryLen(append(b, 0xee))
		if err != nil || n != len(b) {
			t.Errorf("JSONBinaryLen = %d %v, want %d", n, err, len(b))
		}
	case "row_v2_value":
		checkRowV2Vector(t, v)
	case "record_kv_row_v1", "record_kv_row_v2":
		checkRecordVector(t, v)
	case "index_value_untouched":
		val := unhex(t, v.ValueHex)
		p, err := ParseIndexValue(val)
		if err != nil || !p.Untouched || !p.HasIntHandle || p.IntHandle != 1 || p.Layout != LayoutOld {
			t.Fatalf("parse %+v %v", p, err)
		}
		got := AppendIndexValue(nil, LayoutOld, &IndexValue{Distinct: true, Handle: IntHandle(1), Untouched: true})
		eqHex(t, "re-encode", got, v.ValueHex)
	case "checksum":
		var w struct {
			KVPairs []struct{ Key, Value string } `json:"kv_pairs"`
		}
		var e struct {
			Sum   string `json:"checksum_u64"`
			KVs   uint64 `json:"total_kvs"`
			Bytes uint64 `json:"total_bytes"`
		}
		_ = json.Unmarshal(v.What, &w)
		_ = json.Unmarshal(v.Expected, &e)
		var c Checksum
		for _, p := range w.KVPairs {
			var one Checksum
			one.Update([]byte(p.Key), []byte(p.Value))
			c.Add(one)
		}
		if strconv.FormatUint(c.Sum, 10) != e.Sum || c.KVs != e.KVs || c.Bytes != e.Bytes {
			t.Errorf("checksum %+v, want %+v", c, e)
		}
	default:
		if len(v.Category) > 9 && v.Category[:9] == "index_kv_" {
			checkIndexVector(t, v)
			return
		}
		t.Fatalf("no check for category %q", v.Category)
	}
}

// checkRowV2Vector rebuilds the TiKV test rows from their typed datums.
func checkRowV2Vector(t *testing.T, v vector) {
	var ids []int64
	var ds []datum.Datum
	switch v.ID {
	case "tikv-rowv2-mixed-types":
		ids = []int64{1, 12, 33, 3, 8, 7, 9, 6, 13, 14, 15, 16}
		jsonBin := unhex(t, "01010000001c0000001300000003000c160000006b65790576616c7565")
		ds = []datum.Datum{
			datum.NewInt(1000), datum.NewInt(2), {}, datum.NewUint(3), datum.NewInt(32767),
			datum.NewBytes([]byte("abc")), {Kind: datum.Float64, F: 1.8}, {Kind: datum.Float64, F: -1.8},
			{Kind: datum.Time, U: packTime(2018, 1, 19, 3, 14, 7, 0)},
			{Kind: datum.Decimal, Prec: 1, Frac: 0, B: []byte{0x81}},
			{Kind: datum.JSON, B: jsonBin},
			{Kind: datum.Duration, I: 1e9},
		}
	case "tikv-rowv2-unsigned-max":
		ids = []int64{1, 2}
		ds = []datum.Datum{datum.NewUint(^uint64(0)), datum.NewInt(-1)}
	default:
		t.Fatalf("row v2 vector %s has no datum list here", v.ID)
	}
	var e RowEncoder
	got, err := e.Encode(nil, ids, ds)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "row v2", got, v.ValueHex)
	var r RowV2
	if err := ParseRowV2(got, &r); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		raw, found, isNull := r.Value(id)
		if !found || isNull != (ds[i].Kind == datum.Null) {
			t.Errorf("col %d: found %v null %v", id, found, isNull)
			continue
		}
		if isNull {
			continue
		}
		back, err := DecodeValueV2(raw, ds[i].Kind, ds[i].Frac)
		if err != nil || !sameDatum(back, ds[i]) {
			t.Errorf("col %d: decoded %+v (%v), want %+v", id, back, err, ds[i])
		}
	}
}

func sameDatum(a, b datum.Datum) bool {
	return a.Kind == b.Kind && a.I == b.I && a.U == b.U && a.F == b.F && bytes.Equal(a.B, b.B) &&
		(a.Kind != datum.Decimal || a.Prec == b.Prec && a.Frac == b.Frac)
}

// checkRecordVector decodes key and value and re-encodes them.
func checkRecordVector(t *testing.T, v vector) {
	key, val := unhex(t, v.KeyHex), unhex(t, v.ValueHex)
	tid, h, err := DecodeRecordKey(key)
	if err != nil || !h.IsInt() {
		t.Fatalf("record key: %v %v", h, err)
	}
	eqHex(t, "record key", AppendRecordKeyInt(nil, tid, h.IntValue()), v.KeyHex)
	if v.Category == "record_kv_row_v1" {
		cols, err := DecodeRowV1(val, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(cols))
		ds := make([]datum.Datum, len(cols))
		for i, c := range cols {
			ids[i], ds[i] = c.ID, c.Datum
		}
		got, err := AppendRowV1(nil, ids, ds)
		if err != nil {
			t.Fatal(err)
		}
		eqHex(t, "row v1 re-encode", got, v.ValueHex)
		return
	}
	var r RowV2
	if err := ParseRowV2(val, &r); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var ds []datum.Datum
	for _, id := range r.NotNullIDs {
		raw, _, _ := r.Value(id)
		ids = append(ids, id)
		ds = append(ds, datum.NewBytes(raw)) // bytes: re-encode is byte-exact
	}
	var e RowEncoder
	got, err := e.Encode(nil, ids, ds)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "row v2 re-encode", got, v.ValueHex)
}

// checkIndexVector parses index keys/values and re-encodes the value from
// the parsed parts.
func checkIndexVector(t *testing.T, v vector) {
	key, val := unhex(t, v.KeyHex), unhex(t, v.ValueHex)
	_, _, rest, err := DecodeIndexKeyPrefix(key)
	if err != nil {
		t.Fatal(err)
	}
	for len(rest) > 0 {
		if _, rest, err = DecodeKeyDatum(rest, nil); err != nil {
			t.Fatalf("index key datums: %v", err)
		}
	}
	p, err := ParseIndexValue(val)
	if err != nil {
		t.Fatal(err)
	}
	iv := IndexValue{Restored: p.Restored, Global: p.HasPartitionID, PartitionID: p.PartitionID}
	switch {
	case p.HasIntHandle:
		iv.Distinct, iv.Handle = true, IntHandle(p.IntHandle)
	case p.CommonHandle != nil:
		iv.Distinct, iv.Handle = true, CommonHandle(p.CommonHandle)
	}
	if p.Restored != nil {
		var r RowV2
		if err := ParseRowV2(p.Restored, &r); err != nil {
			t.Errorf("restored data: %v", err)
		}
	}
	eqHex(t, "index value re-encode", AppendIndexValue(nil, p.Layout, &iv), v.ValueHex)
}
