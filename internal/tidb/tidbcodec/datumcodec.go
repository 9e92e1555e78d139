package tidbcodec

import (
	"encoding/binary"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
)

// Datum flags (TiDB pkg/util/codec/codec.go).
const (
	FlagNil          byte = 0x00
	FlagBytes        byte = 0x01
	FlagCompactBytes byte = 0x02
	FlagInt          byte = 0x03
	FlagUint         byte = 0x04
	FlagFloat        byte = 0x05
	FlagDecimal      byte = 0x06
	FlagDuration     byte = 0x07
	FlagVarint       byte = 0x08
	FlagUvarint      byte = 0x09
	FlagJSON         byte = 0x0a
	FlagMax          byte = 0xfa
)

// AppendKeyDatum appends the memcomparable encoding of d (TiDB codec
// EncodeKey, comparable=true). Non-binary strings go through coll's sort
// key; a nil coll means raw bytes (binary, or new collation disabled).
func AppendKeyDatum(dst []byte, d *datum.Datum, coll collate.Collator) ([]byte, error) {
	switch d.Kind {
	case datum.Null:
		return append(dst, FlagNil), nil
	case datum.Int64:
		return AppendCmpInt(append(dst, FlagInt), d.I), nil
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		return AppendCmpUint(append(dst, FlagUint), d.U), nil
	case datum.Float32, datum.Float64:
		return AppendCmpFloat(append(dst, FlagFloat), d.F), nil
	case datum.Duration:
		return AppendCmpInt(append(dst, FlagDuration), d.I), nil
	case datum.Decimal:
		return appendDecimal(append(dst, FlagDecimal), d.Prec, d.Frac, d.B)
	case datum.JSON:
		if len(d.B) == 0 {
			return dst, fmt.Errorf("json datum without type code: %w", ErrCorrupt)
		}
		return append(append(dst, FlagJSON), d.B...), nil
	case datum.Bytes:
		return AppendBytesGroup(append(dst, FlagBytes), d.B), nil
	case datum.String:
		dst = append(dst, FlagBytes)
		if coll == nil {
			return AppendBytesGroup(dst, d.B), nil
		}
		// The sort key is built in dst's tail, group-encoded after itself,
		// then moved down: no scratch buffer, no allocation once dst is warm.
		start := len(dst)
		dst = coll.Key(dst, d.B)
		end := len(dst)
		dst = AppendBytesGroup(dst, dst[start:end])
		n := copy(dst[start:], dst[end:])
		return dst[:start+n], nil
	}
	return dst, fmt.Errorf("key datum kind %v: %w", d.Kind, ErrUnsupported)
}

// AppendValueDatum appends the value-side encoding of d (TiDB codec
// EncodeValue after tablecodec's flatten), used by row format v1: ints as
// varints, unsigned/time/enum/set/bit as uvarints, strings as compact bytes.
func AppendValueDatum(dst []byte, d *datum.Datum) ([]byte, error) {
	switch d.Kind {
	case datum.Null:
		return append(dst, FlagNil), nil
	case datum.Int64, datum.Duration:
		return binary.AppendVarint(append(dst, FlagVarint), d.I), nil
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		return binary.AppendUvarint(append(dst, FlagUvarint), d.U), nil
	case datum.Float32, datum.Float64:
		return AppendCmpFloat(append(dst, FlagFloat), d.F), nil
	case datum.String, datum.Bytes:
		dst = binary.AppendVarint(append(dst, FlagCompactBytes), int64(len(d.B)))
		return append(dst, d.B...), nil
	case datum.Decimal:
		return appendDecimal(append(dst, FlagDecimal), d.Prec, d.Frac, d.B)
	case datum.JSON:
		if len(d.B) == 0 {
			return dst, fmt.Errorf("json datum without type code: %w", ErrCorrupt)
		}
		return append(append(dst, FlagJSON), d.B...), nil
	}
	return dst, fmt.Errorf("value datum kind %v: %w", d.Kind, ErrUnsupported)
}

// DecodeDatum decodes one flagged datum (key or value side) from b. The
// result's kind follows the flag only: Int64 (03, 08), Uint64 (04, 09),
// Float64, Bytes (01, 02), Decimal, Duration, JSON, Null; callers that know
// the column type re-kind it (see Recast). Bytes from flag 01 are appended
// to buf; other byte results alias b.
func DecodeDatum(b, buf []byte) (d datum.Datum, rest []byte, err error) {
	if len(b) == 0 {
		return d, b, fmt.Errorf("datum: empty input: %w", ErrCorrupt)
	}
	flag, b := b[0], b[1:]
	switch flag {
	case FlagNil:
		return d, b, nil
	case FlagInt:
		d.Kind = datum.Int64
		d.I, b, err = DecodeCmpInt(b)
	case FlagUint:
		d.Kind = datum.Uint64
		d.U, b, err = DecodeCmpUint(b)
	case FlagVarint:
		d.Kind = datum.Int64
		d.I, b, err = DecodeVarint(b)
	case FlagUvarint:
		d.Kind = datum.Uint64
		d.U, b, err = DecodeUvarint(b)
	case FlagFloat:
		d.Kind = datum.Float64
		d.F, b, err = DecodeCmpFloat(b)
	case FlagDuration:
		d.Kind = datum.Duration
		d.I, b, err = DecodeCmpInt(b)
	case FlagBytes:
		d.Kind = datum.Bytes
		d.B, b, err = DecodeBytesGroup(b, buf)
	case FlagCompactBytes:
		d.Kind = datum.Bytes
		var l int64
		l, b, err = DecodeVarint(b)
		if err == nil {
			if l < 0 || int64(len(b)) < l {
				return d, b, fmt.Errorf("compact bytes length %d, have %d: %w", l, len(b), ErrCorrupt)
			}
			d.B, b = b[:l], b[l:]
		}
	case FlagDecimal:
		d.Kind = datum.Decimal
		d.Prec, d.Frac, d.B, b, err = decodeDecimal(b)
	case FlagJSON:
		d.Kind = datum.JSON
		var n int
		n, err = JSONBinaryLen(b)
		if err == nil {
			d.B, b = b[:n], b[n:]
		}
	default:
		return d, b, fmt.Errorf("datum flag %#x: %w", flag, ErrUnsupported)
	}
	if err != nil {
		return datum.Datum{}, b, fmt.Errorf("datum flag %#x: %w", flag, err)
	}
	return d, b, nil
}

// DecodeKeyDatum decodes one memcomparable datum (same as DecodeDatum; the
// name documents intent). String datums come back as Bytes holding the sort
// key, which equals the value only for binary-like collations.
func DecodeKeyDatum(b, buf []byte) (datum.Datum, []byte, error) { return DecodeDatum(b, buf) }

// Recast turns a flag-typed datum from DecodeDatum into the kind a column
// of that kind stores (e.g. Uint64 -> Time, Bytes -> String, Float64 ->
// Float32, Int64 -> Uint64 for an unsigned int handle).
func Recast(d datum.Datum, want datum.Kind, frac int8) (datum.Datum, error) {
	if d.Kind == datum.Null || d.Kind == want {
		if want == datum.Time || want == datum.Duration {
			d.Frac = frac
		}
		return d, nil
	}
	switch want {
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		switch d.Kind {
		case datum.Uint64:
		case datum.Int64:
			d.U = uint64(d.I)
			d.I = 0
		default:
			return d, fmt.Errorf("recast %v to %v: %w", d.Kind, want, ErrCorrupt)
		}
	case datum.Int64, datum.Duration:
		switch d.Kind {
		case datum.Int64, datum.Duration:
		case datum.Uint64:
			d.I = int64(d.U)
			d.U = 0
		default:
			return d, fmt.Errorf("recast %v to %v: %w", d.Kind, want, ErrCorrupt)
		}
	case datum.Float32, datum.Float64:
		if d.Kind != datum.Float32 && d.Kind != datum.Float64 {
			return d, fmt.Errorf("recast %v to %v: %w", d.Kind, want, ErrCorrupt)
		}
	case datum.String, datum.Bytes, datum.JSON:
		if d.Kind != datum.String && d.Kind != datum.Bytes && d.Kind != datum.JSON {
			return d, fmt.Errorf("recast %v to %v: %w", d.Kind, want, ErrCorrupt)
		}
	case datum.Decimal:
		return d, fmt.Errorf("recast %v to %v: %w", d.Kind, want, ErrCorrupt)
	default:
		return d, fmt.Errorf("recast to %v: %w", want, ErrUnsupported)
	}
	d.Kind = want
	if want == datum.Time || want == datum.Duration {
		d.Frac = frac
	}
	return d, nil
}
