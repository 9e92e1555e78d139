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

// BatchBuffer builds the wire form of one KVMessage carrying a KVBatch in
// place: the pairs are appended after room kept for the message's header,
// and Seal writes the header in front of them, so producing a batch copies
// no pair a second time (proto.Marshal of a KVMessage copies the whole
// pairs field into a new buffer). Seal's output is byte for byte what
// proto.Marshal gives for the same message: KVBatch.pairs is its last
// field, and batch the last field of KVMessage.
type BatchBuffer struct {
	buf   []byte // room bytes of header space, then the packed pairs
	room  int
	count uint32
	rows  []byte // KVBatch.row_offsets (AppendAt)
}

// batchHeaderMax bounds the header of a KVMessage{version, batch} apart from
// its chunk id and attempt: version (2 bytes), batch's tag and length (6),
// chunk_id's and attempt's tags and lengths (6 each), seq and count (6
// each), pairs' tag and length (6).
const batchHeaderMax = 2 + 6 + 6 + 6 + 6 + 6 + 6

// NewBatchBuffer returns an empty buffer for pairs of chunkID's attempt,
// with room for about capacity bytes of pairs.
func NewBatchBuffer(chunkID, attempt string, capacity int) *BatchBuffer {
	return NewBatchBufferIn(nil, chunkID, attempt, capacity)
}

// NewBatchBufferIn is NewBatchBuffer building in spare's memory (a sealed
// batch whose message is written and no longer used) when it has about
// capacity bytes of room, so that a steady stream of batches does not
// allocate and clear a fresh buffer for each.
func NewBatchBufferIn(spare []byte, chunkID, attempt string, capacity int) *BatchBuffer {
	room := batchHeaderMax + len(chunkID) + len(attempt)
	if cap(spare) >= room+capacity-capacity/8 {
		return &BatchBuffer{buf: spare[:room], room: room}
	}
	return &BatchBuffer{buf: make([]byte, room, room+capacity), room: room}
}

// Append adds one pair.
func (b *BatchBuffer) Append(key, value []byte) {
	b.buf = AppendPair(b.buf, key, value)
	b.count++
}

// AppendAt adds one pair of the row at rowOffset in its file
// (KVBatch.row_offsets: every pair of a batch is given one, or none is).
func (b *BatchBuffer) AppendAt(key, value []byte, rowOffset int64) {
	b.Append(key, value)
	b.rows = binary.AppendUvarint(b.rows, uint64(rowOffset))
}

// Len is the size of the packed pairs so far; Count their number.
func (b *BatchBuffer) Len() int      { return len(b.buf) - b.room }
func (b *BatchBuffer) Count() uint32 { return b.count }

// Pairs are the packed pairs so far (KVBatch.pairs).
func (b *BatchBuffer) Pairs() []byte { return b.buf[b.room:] }

// Seal returns the marshalled KVMessage{version 1, batch{chunkID, attempt,
// seq, count, pairs}}. The result aliases the buffer, which must not be
// appended to afterwards. chunkID and attempt must be those the buffer was
// made for (their lengths sized its header room).
func (b *BatchBuffer) Seal(chunkID, attempt string, seq uint32) []byte {
	pairs := b.Len()
	// The batch's length comes before its first byte: measure it first.
	body := bytesFieldLen(len(chunkID)) + bytesFieldLen(len(attempt)) + bytesFieldLen(pairs)
	if len(b.rows) > 0 {
		// row_offsets (70) follows pairs: a two-byte tag.
		body += 1 + bytesFieldLen(len(b.rows))
	}
	if seq != 0 {
		body += 1 + uvarintLen(uint64(seq))
	}
	if b.count != 0 {
		body += 1 + uvarintLen(uint64(b.count))
	}
	var tmp [128]byte
	hdr := append(tmp[:0], 0x08, 0x01, 0x12) // version = 1; batch
	hdr = binary.AppendUvarint(hdr, uint64(body))
	if chunkID != "" {
		hdr = appendTagBytesLen(hdr, 1, len(chunkID))
		hdr = append(hdr, chunkID...)
	}
	if attempt != "" {
		hdr = appendTagBytesLen(hdr, 2, len(attempt))
		hdr = append(hdr, attempt...)
	}
	if seq != 0 {
		hdr = binary.AppendUvarint(append(hdr, 3<<3), uint64(seq))
	}
	if b.count != 0 {
		hdr = binary.AppendUvarint(append(hdr, 4<<3), uint64(b.count))
	}
	if pairs != 0 {
		hdr = appendTagBytesLen(hdr, 5, pairs)
	}
	start := b.room - len(hdr)
	copy(b.buf[start:], hdr)
	if len(b.rows) > 0 {
		b.buf = binary.AppendUvarint(b.buf, 70<<3|2)
		b.buf = append(binary.AppendUvarint(b.buf, uint64(len(b.rows))), b.rows...)
	}
	return b.buf[start:]
}

// bytesFieldLen is the wire size of a non-empty length-delimited field of
// n bytes with a one-byte tag, 0 for an empty one (proto3 omits it).
func bytesFieldLen(n int) int {
	if n == 0 {
		return 0
	}
	return 1 + uvarintLen(uint64(n)) + n
}

// appendTagBytesLen appends the tag of length-delimited field num and a
// length.
func appendTagBytesLen(dst []byte, num, n int) []byte {
	dst = append(dst, byte(num<<3|2))
	return binary.AppendUvarint(dst, uint64(n))
}
