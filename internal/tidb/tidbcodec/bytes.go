package tidbcodec

import "fmt"

const (
	encGroupSize = 8
	encMarker    = byte(0xff)
	encPad       = byte(0x00)
)

// AppendBytesGroup appends the memcomparable group-of-8 encoding of data
// (TiDB pkg/util/codec/bytes.go EncodeBytes): every 8-byte group is followed
// by a marker 0xff minus the number of pad bytes; the last group is padded
// with zeros, and an input whose length is a multiple of 8 (empty included)
// ends with a whole pad group (marker 0xf7).
//
// data may alias dst's spare capacity only if it lies before len(dst).
func AppendBytesGroup(dst, data []byte) []byte {
	n := len(data)
	dst = growCap(dst, (n/encGroupSize+1)*(encGroupSize+1))
	for idx := 0; idx <= n; idx += encGroupSize {
		remain := n - idx
		if remain >= encGroupSize {
			dst = append(dst, data[idx:idx+encGroupSize]...)
			dst = append(dst, encMarker)
			continue
		}
		pad := encGroupSize - remain
		dst = append(dst, data[idx:]...)
		for i := 0; i < pad; i++ {
			dst = append(dst, encPad)
		}
		dst = append(dst, encMarker-byte(pad))
	}
	return dst
}

// DecodeBytesGroup decodes one group-of-8 encoded byte string from b,
// appending it to buf, and returns the rest of b.
func DecodeBytesGroup(b, buf []byte) (data, rest []byte, err error) {
	data = buf
	for {
		if len(b) < encGroupSize+1 {
			return nil, b, fmt.Errorf("bytes group needs 9 bytes, have %d: %w", len(b), ErrCorrupt)
		}
		group := b[:encGroupSize+1]
		b = b[encGroupSize+1:]
		marker := group[encGroupSize]
		pad := encMarker - marker
		if pad > encGroupSize {
			return nil, b, fmt.Errorf("bytes group marker %#x: %w", marker, ErrCorrupt)
		}
		real := encGroupSize - int(pad)
		data = append(data, group[:real]...)
		if pad != 0 {
			for _, p := range group[real:encGroupSize] {
				if p != encPad {
					return nil, b, fmt.Errorf("bytes group padding %#x: %w", p, ErrCorrupt)
				}
			}
			return data, b, nil
		}
	}
}

// growCap makes sure dst has room for n more bytes.
func growCap(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	nb := make([]byte, len(dst), 2*cap(dst)+n)
	copy(nb, dst)
	return nb
}
