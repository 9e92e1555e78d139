package parquet

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// int96 builds an INT96 timestamp as Spark and Impala write it.
func int96(t time.Time) pqgo.Value {
	day := t.Unix()/86400 + julianUnixEpoch
	nanos := t.UnixNano() - t.Unix()/86400*86400*int64(time.Second)
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(nanos))
	binary.LittleEndian.PutUint32(b[8:], uint32(day))
	return pqgo.Int96Value(deprecated.Int96{binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])})
}

// twos is the big-endian two's complement of n in size bytes.
func twos(n *big.Int, size int) []byte {
	v := new(big.Int).Set(n)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(size)*8))
	}
	return v.FillBytes(make([]byte, size))
}

func bigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return n
}

// TestTypes checks every type mapping against the values Lightning's own
// tests expect (pkg/lightning/mydump/parquet_parser_test.go) or, where
// Lightning has none, the value's definition in the Parquet format spec.
func TestTypes(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	const tsMillis, tsMicros = int64(1603963672356), int64(1603963672356956) // 2020-10-29T09:27:52.356956Z
	num := literal.FieldNumber
	str := literal.FieldString
	cases := []struct {
		name  string
		node  pqgo.Node
		value any
		loc   *time.Location
		kind  literal.FieldKind
		want  string
	}{
		{"int32 plain", pqgo.Leaf(pqgo.Int32Type), int32(-7), nil, num, "-7"},
		{"int64 plain", pqgo.Leaf(pqgo.Int64Type), int64(math.MinInt64), nil, num, "-9223372036854775808"},
		{"int8", pqgo.Int(8), int32(-128), nil, num, "-128"},
		{"int16", pqgo.Int(16), int32(32767), nil, num, "32767"},
		{"int32", pqgo.Int(32), int32(math.MinInt32), nil, num, "-2147483648"},
		{"int64", pqgo.Int(64), int64(math.MaxInt64), nil, num, "9223372036854775807"},
		{"uint8", pqgo.Uint(8), int32(255), nil, num, "255"},
		{"uint32 high bit", pqgo.Uint(32), int32(-1), nil, num, "4294967295"},
		{"uint64 high bit", pqgo.Uint(64), int64(-1), nil, num, "18446744073709551615"},
		{"boolean true", pqgo.Leaf(pqgo.BooleanType), true, nil, num, "1"},
		{"boolean false", pqgo.Leaf(pqgo.BooleanType), false, nil, num, "0"},
		// FLOAT is widened to float64 before it is written, as
		// Lightning's Datum.SetFloat32: a DOUBLE column gets the
		// float32's exact value.
		{"float", pqgo.Leaf(pqgo.FloatType), float32(0.1), nil, num, "0.10000000149011612"},
		{"float large", pqgo.Leaf(pqgo.FloatType), float32(3.4e38), nil, num, "339999995214436420000000000000000000000"},
		{"float exact", pqgo.Leaf(pqgo.FloatType), float32(-2.5), nil, num, "-2.5"},
		{"float Inf", pqgo.Leaf(pqgo.FloatType), float32(math.Inf(1)), nil, str, "+Inf"},
		{"double", pqgo.Leaf(pqgo.DoubleType), 0.1, nil, num, "0.1"},
		{"double exact", pqgo.Leaf(pqgo.DoubleType), 1.0 / 3, nil, num, "0.3333333333333333"},
		// Without an exponent, as TiDB turns a float datum into a string.
		{"double large", pqgo.Leaf(pqgo.DoubleType), 1e20, nil, num, "100000000000000000000"},
		{"double small", pqgo.Leaf(pqgo.DoubleType), -1.5e-7, nil, num, "-0.00000015"},
		{"double NaN", pqgo.Leaf(pqgo.DoubleType), math.NaN(), nil, str, "NaN"},
		{"string", pqgo.String(), "héllo", nil, str, "héllo"},
		{"enum", pqgo.Enum(), "red", nil, str, "red"},
		{"json", pqgo.JSON(), `{"a": [1, 2]}`, nil, str, `{"a": [1, 2]}`},
		{"bytes", pqgo.Leaf(pqgo.ByteArrayType), []byte{0, 0xff, 'a'}, nil, str, "\x00\xffa"},
		{"fixed", pqgo.Leaf(pqgo.FixedLenByteArrayType(3)), pqgo.FixedLenByteArrayValue([]byte("abc")), nil, str, "abc"},
		{"uuid", pqgo.UUID(), pqgo.FixedLenByteArrayValue([]byte("0123456789abcdef")), nil, str, "0123456789abcdef"},
		{"decimal int32", pqgo.Decimal(2, 9, pqgo.Int32Type), int32(-12345678), nil, num, "-123456.78"},
		{"decimal int32 small", pqgo.Decimal(4, 4, pqgo.Int32Type), int32(456), nil, num, "0.0456"},
		{"decimal int32 negative small", pqgo.Decimal(4, 4, pqgo.Int32Type), int32(-1), nil, num, "-0.0001"},
		{"decimal int32 zero", pqgo.Decimal(3, 5, pqgo.Int32Type), int32(0), nil, num, "0.000"},
		{"decimal scale 0", pqgo.Decimal(0, 5, pqgo.Int32Type), int32(-42), nil, num, "-42"},
		{"decimal int64", pqgo.Decimal(2, 18, pqgo.Int64Type), int64(123456789012345678), nil, num, "1234567890123456.78"},
		{"decimal int64 min", pqgo.Decimal(5, 18, pqgo.Int64Type), int64(math.MinInt64), nil, num, "-92233720368547.75808"},
		{"decimal fixed", pqgo.Decimal(3, 38, pqgo.FixedLenByteArrayType(16)), pqgo.FixedLenByteArrayValue(twos(bigInt("-12345678901234567890123"), 16)), nil, num, "-12345678901234567890.123"},
		{"decimal fixed positive", pqgo.Decimal(10, 38, pqgo.FixedLenByteArrayType(16)), pqgo.FixedLenByteArrayValue(twos(bigInt("99999999999999999999999999999999999999"), 16)), nil, num, "9999999999999999999999999999.9999999999"},
		{"decimal fixed short", pqgo.Decimal(2, 4, pqgo.FixedLenByteArrayType(2)), pqgo.FixedLenByteArrayValue(twos(big.NewInt(-1), 2)), nil, num, "-0.01"},
		{"decimal bytes", pqgo.Decimal(2, 20, pqgo.ByteArrayType), pqgo.ByteArrayValue(twos(bigInt("-100"), 1)), nil, num, "-1.00"},
		{"date", pqgo.Date(), int32(18564), nil, str, "2020-10-29"},
		{"date before epoch", pqgo.Date(), int32(-1), nil, str, "1969-12-31"},
		{"time millis utc", pqgo.TimeAdjusted(pqgo.Millisecond, true), int32(62775123), nil, str, "17:26:15.123"},
		// A UTC-adjusted TIME is not moved into the session's zone.
		{"time millis utc in +08", pqgo.TimeAdjusted(pqgo.Millisecond, true), int32(62775123), shanghai, str, "17:26:15.123"},
		{"time micros utc in +08", pqgo.TimeAdjusted(pqgo.Microsecond, true), int64(62775123456), shanghai, str, "17:26:15.123456"},
		{"time micros local", pqgo.TimeAdjusted(pqgo.Microsecond, false), int64(123456789), shanghai, str, "00:02:03.456789"},
		{"time nanos local", pqgo.TimeAdjusted(pqgo.Nanosecond, false), int64(62775123456789), nil, str, "17:26:15.123456"},
		{"time nanos truncated", pqgo.TimeAdjusted(pqgo.Nanosecond, true), int64(86399999999999), shanghai, str, "23:59:59.999999"},
		{"timestamp millis utc", pqgo.TimestampAdjusted(pqgo.Millisecond, true), tsMillis, nil, str, "2020-10-29 09:27:52.356"},
		{"timestamp millis utc in +08", pqgo.TimestampAdjusted(pqgo.Millisecond, true), tsMillis, shanghai, str, "2020-10-29 17:27:52.356"},
		{"timestamp micros utc in +08", pqgo.TimestampAdjusted(pqgo.Microsecond, true), tsMicros, shanghai, str, "2020-10-29 17:27:52.356956"},
		{"timestamp millis local", pqgo.TimestampAdjusted(pqgo.Millisecond, false), tsMillis, shanghai, str, "2020-10-29 09:27:52.356"},
		{"timestamp micros local", pqgo.TimestampAdjusted(pqgo.Microsecond, false), tsMicros, shanghai, str, "2020-10-29 09:27:52.356956"},
		// Nanoseconds are truncated to microseconds (Lightning's
		// ".999999"), not rounded: .9999996 stays in its second.
		{"timestamp nanos utc", pqgo.TimestampAdjusted(pqgo.Nanosecond, true), tsMicros*1000 + 789, shanghai, str, "2020-10-29 17:27:52.356956"},
		{"timestamp nanos local", pqgo.TimestampAdjusted(pqgo.Nanosecond, false), tsMicros*1000 + 789, shanghai, str, "2020-10-29 09:27:52.356956"},
		{"timestamp nanos truncated", pqgo.TimestampAdjusted(pqgo.Nanosecond, true), int64(1603963672999999600), nil, str, "2020-10-29 09:27:52.999999"},
		{"timestamp nanos before epoch", pqgo.TimestampAdjusted(pqgo.Nanosecond, true), int64(-1), nil, str, "1969-12-31 23:59:59.999999"},
		{"timestamp before epoch", pqgo.TimestampAdjusted(pqgo.Millisecond, false), int64(-1), nil, str, "1969-12-31 23:59:59.999"},
		{"int96", pqgo.Leaf(pqgo.Int96Type), int96(time.UnixMicro(tsMicros)), nil, str, "2020-10-29 09:27:52.356956"},
		{"int96 in +08", pqgo.Leaf(pqgo.Int96Type), int96(time.Date(2020, 10, 29, 9, 27, 52, 999999600, time.UTC)), shanghai, str, "2020-10-29 17:27:52.999999"},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, "t"+string(rune('a'+i%26))+c.name+".parquet", pqgo.Group{"c": pqgo.Optional(c.node), "n": pqgo.Optional(c.node)},
				[][]any{{c.value, nil}})
			r, err := Open(Local{}, path, Options{Location: c.loc})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			row, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if row[0].Kind != c.kind || string(row[0].Bytes) != c.want {
				t.Errorf("got kind %d %q, want kind %d %q (%s)", row[0].Kind, row[0].Bytes, c.kind, c.want, r.Meta().Columns[0].Type)
			}
			if row[1].Kind != literal.FieldNull {
				t.Errorf("null column: kind %d %q", row[1].Kind, row[1].Bytes)
			}
		})
	}
}

// rewriteFooter decodes the footer of a Parquet file, lets edit change
// it, and writes the file back with the new footer: a damaged schema as
// a broken writer would leave it.
func rewriteFooter(t *testing.T, path string, edit func(*format.FileMetaData)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	body, footer := b[:len(b)-8-n], b[len(b)-8-n:len(b)-8]
	var md format.FileMetaData
	if err := thrift.Unmarshal(&thrift.CompactProtocol{}, footer, &md); err != nil {
		t.Fatal(err)
	}
	edit(&md)
	footer, err = thrift.Marshal(&thrift.CompactProtocol{}, &md)
	if err != nil {
		t.Fatal(err)
	}
	out := append(slices.Clone(body), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	out = append(out, "PAR1"...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTimeUnitMissing: a TIME or TIMESTAMP whose unit names none of
// millis, micros and nanos is a damaged schema, refused naming the file
// and the column (it was read as microseconds).
func TestTimeUnitMissing(t *testing.T) {
	dir := t.TempDir()
	for name, node := range map[string]pqgo.Node{
		"timestamp": pqgo.TimestampAdjusted(pqgo.Microsecond, true),
		"time":      pqgo.TimeAdjusted(pqgo.Microsecond, false),
	} {
		path := writeFile(t, dir, name+".parquet", pqgo.Group{"id": pqgo.Int(64), "at": node}, [][]any{{int64(1603963672356956), int64(1)}})
		rewriteFooter(t, path, func(md *format.FileMetaData) {
			for i := range md.Schema {
				e := &md.Schema[i]
				switch lt := e.LogicalType.Value.(type) {
				case *format.TimestampType:
					lt.Unit = format.TimeUnit{}
				case *format.TimeType:
					lt.Unit = format.TimeUnit{}
				}
				e.ConvertedType.Valid = false
			}
		})
		_, err := ReadMeta(Local{}, path)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `"at"`) {
			t.Errorf("%s without a unit: %v", name, err)
		}
	}
}
