package tidbcodec

import (
	"encoding/binary"
	"fmt"
)

// JSON binary type codes (TiDB pkg/types/json_binary.go).
const (
	jsonObject    = 0x01
	jsonArray     = 0x03
	jsonLiteral   = 0x04
	jsonInt64     = 0x09
	jsonUint64    = 0x0a
	jsonFloat64   = 0x0b
	jsonString    = 0x0c
	jsonOpaque    = 0x0d
	jsonDate      = 0x0e
	jsonDatetime  = 0x0f
	jsonTimestamp = 0x10
	jsonTime      = 0x11
)

// JSONBinaryLen returns the length of the binary JSON value (type code
// included) at the start of b, as TiDB's PeekBytesAsJSON does for keys and
// row v1 values where nothing else delimits it.
func JSONBinaryLen(b []byte) (int, error) {
	if len(b) < 1 {
		return 0, fmt.Errorf("json: empty: %w", ErrCorrupt)
	}
	body := b[1:]
	n := -1
	switch b[0] {
	case jsonObject, jsonArray:
		if len(body) >= 8 {
			n = int(binary.LittleEndian.Uint32(body[4:8]))
		}
	case jsonLiteral:
		n = 1
	case jsonInt64, jsonUint64, jsonFloat64, jsonDate, jsonDatetime, jsonTimestamp:
		n = 8
	case jsonTime:
		n = 12
	case jsonString:
		l, k := binary.Uvarint(body)
		if k > 0 {
			n = k + int(l)
		}
	case jsonOpaque:
		if len(body) >= 1 {
			l, k := binary.Uvarint(body[1:])
			if k > 0 {
				n = 1 + k + int(l)
			}
		}
	default:
		return 0, fmt.Errorf("json type code %#x: %w", b[0], ErrCorrupt)
	}
	if n < 0 || n > len(body) {
		return 0, fmt.Errorf("json type %#x: truncated: %w", b[0], ErrCorrupt)
	}
	return 1 + n, nil
}
