package schemas

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorruptPairs is returned for a KVBatch.pairs field that does not
// decode.
var ErrCorruptPairs = errors.New("corrupt packed pairs")

// AppendPair appends one (key, value) pair to a packed pairs buffer in the
// layout of KVBatch.pairs: uvarint len(key), key, uvarint len(value), value.
func AppendPair(dst, key, value []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// PackedPairSize is the number of bytes AppendPair adds.
func PackedPairSize(key, value []byte) int {
	return uvarintLen(uint64(len(key))) + len(key) + uvarintLen(uint64(len(value))) + len(value)
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// RangePairs calls fn for each pair of a packed buffer, in order. The
// slices alias buf.
func RangePairs(buf []byte, fn func(key, value []byte) error) error {
	for off := 0; off < len(buf); {
		k, n, err := readBytes(buf, off)
		if err != nil {
			return err
		}
		off = n
		v, n, err := readBytes(buf, off)
		if err != nil {
			return err
		}
		off = n
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func readBytes(buf []byte, off int) ([]byte, int, error) {
	l, n := binary.Uvarint(buf[off:])
	if n <= 0 || l > uint64(len(buf)-off-n) {
		return nil, 0, fmt.Errorf("%w at byte %d", ErrCorruptPairs, off)
	}
	start := off + n
	return buf[start : start+int(l)], start + int(l), nil
}
