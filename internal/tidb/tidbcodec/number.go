package tidbcodec

import (
	"encoding/binary"
	"fmt"
	"math"
)

const signMask uint64 = 0x8000000000000000

// EncodeIntToCmpUint maps an int64 onto a uint64 that sorts the same way
// (TiDB pkg/util/codec/number.go EncodeIntToCmpUint).
func EncodeIntToCmpUint(v int64) uint64 { return uint64(v) ^ signMask }

// DecodeCmpUintToInt is the inverse of EncodeIntToCmpUint.
func DecodeCmpUintToInt(u uint64) int64 { return int64(u ^ signMask) }

// AppendCmpInt appends the 8-byte comparable form of v (CmpInt in SPEC).
func AppendCmpInt(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, EncodeIntToCmpUint(v))
}

// AppendCmpUint appends v as 8 bytes big-endian.
func AppendCmpUint(dst []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(dst, v)
}

// DecodeCmpInt reads an 8-byte comparable int.
func DecodeCmpInt(b []byte) (v int64, rest []byte, err error) {
	if len(b) < 8 {
		return 0, b, fmt.Errorf("comparable int needs 8 bytes, have %d: %w", len(b), ErrCorrupt)
	}
	return DecodeCmpUintToInt(binary.BigEndian.Uint64(b)), b[8:], nil
}

// DecodeCmpUint reads an 8-byte big-endian uint.
func DecodeCmpUint(b []byte) (v uint64, rest []byte, err error) {
	if len(b) < 8 {
		return 0, b, fmt.Errorf("comparable uint needs 8 bytes, have %d: %w", len(b), ErrCorrupt)
	}
	return binary.BigEndian.Uint64(b), b[8:], nil
}

// EncodeFloatToCmpUint maps a float64 onto a uint64 that sorts the same way
// (TiDB pkg/util/codec/float.go encodeFloatToCmpUint64): non-negative values
// get the sign bit set, negative values are inverted. -0 and +0 are equal.
func EncodeFloatToCmpUint(f float64) uint64 {
	u := math.Float64bits(f)
	if f >= 0 {
		u |= signMask
	} else {
		u = ^u
	}
	return u
}

// DecodeCmpUintToFloat is the inverse of EncodeFloatToCmpUint.
func DecodeCmpUintToFloat(u uint64) float64 {
	if u&signMask > 0 {
		u &= ^signMask
	} else {
		u = ^u
	}
	return math.Float64frombits(u)
}

// AppendCmpFloat appends the 8-byte comparable float.
func AppendCmpFloat(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(dst, EncodeFloatToCmpUint(f))
}

// DecodeCmpFloat reads an 8-byte comparable float.
func DecodeCmpFloat(b []byte) (f float64, rest []byte, err error) {
	if len(b) < 8 {
		return 0, b, fmt.Errorf("comparable float needs 8 bytes, have %d: %w", len(b), ErrCorrupt)
	}
	return DecodeCmpUintToFloat(binary.BigEndian.Uint64(b)), b[8:], nil
}

// DecodeVarint reads a zigzag varint (Go encoding/binary Varint).
func DecodeVarint(b []byte) (v int64, rest []byte, err error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, b, fmt.Errorf("bad varint: %w", ErrCorrupt)
	}
	return v, b[n:], nil
}

// DecodeUvarint reads an unsigned LEB128 varint.
func DecodeUvarint(b []byte) (v uint64, rest []byte, err error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, b, fmt.Errorf("bad uvarint: %w", ErrCorrupt)
	}
	return v, b[n:], nil
}

// appendCompactInt appends v in the smallest of 1/2/4/8 little-endian bytes
// that holds it (TiDB pkg/util/rowcodec/common.go encodeInt).
func appendCompactInt(dst []byte, v int64) []byte {
	switch {
	case int64(int8(v)) == v:
		return append(dst, byte(v))
	case int64(int16(v)) == v:
		return binary.LittleEndian.AppendUint16(dst, uint16(v))
	case int64(int32(v)) == v:
		return binary.LittleEndian.AppendUint32(dst, uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(dst, uint64(v))
	}
}

// appendCompactUint is appendCompactInt for unsigned values (rowcodec encodeUint).
func appendCompactUint(dst []byte, v uint64) []byte {
	switch {
	case uint64(uint8(v)) == v:
		return append(dst, byte(v))
	case uint64(uint16(v)) == v:
		return binary.LittleEndian.AppendUint16(dst, uint16(v))
	case uint64(uint32(v)) == v:
		return binary.LittleEndian.AppendUint32(dst, uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(dst, v)
	}
}

// DecodeCompactInt reads a row-v2 signed int of 1, 2, 4 or 8 bytes.
func DecodeCompactInt(b []byte) (int64, error) {
	switch len(b) {
	case 1:
		return int64(int8(b[0])), nil
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(b))), nil
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(b))), nil
	case 8:
		return int64(binary.LittleEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("compact int of %d bytes: %w", len(b), ErrCorrupt)
}

// DecodeCompactUint reads a row-v2 unsigned int of 1, 2, 4 or 8 bytes.
func DecodeCompactUint(b []byte) (uint64, error) {
	switch len(b) {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("compact uint of %d bytes: %w", len(b), ErrCorrupt)
}
