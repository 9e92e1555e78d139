package conflict

import (
	"cmp"
	"encoding/binary"
	"fmt"
)

// Pos is a row's place in the dump: Chunk is its chunk's index in the
// table's manifest (chunks are listed in dump order: files in order, each
// file's chunks by offset), Offset the byte offset in the chunk's file at
// which the row starts.
type Pos struct {
	Chunk  uint32
	Offset int64
}

// StorePos stands for a row the store held before an incremental import:
// it comes before every row of the dump, so that the store's row is the
// earlier one of a conflict (strategy ignore keeps it, and drops the new
// row).
var StorePos = Pos{Chunk: 0, Offset: -1}

// Compare orders two places in dump order.
func (p Pos) Compare(q Pos) int {
	if c := cmp.Compare(p.Chunk, q.Chunk); c != 0 {
		return c
	}
	return cmp.Compare(p.Offset, q.Offset)
}

func (p Pos) String() string { return fmt.Sprintf("chunk %d offset %d", p.Chunk, p.Offset) }

// SuffixLen is the bytes AppendSuffix adds to a key.
const SuffixLen = 12

// AppendSuffix appends key and p's place to dst: the key an engine with
// detection stores a pair under. Keys of one table are prefix-free (TiDB's
// memcomparable encoding), so the suffixed keys sort by key, then by
// dump order.
func AppendSuffix(dst, key []byte, p Pos) []byte {
	dst = append(dst, key...)
	dst = binary.BigEndian.AppendUint32(dst, p.Chunk)
	return binary.BigEndian.AppendUint64(dst, uint64(p.Offset))
}

// SplitSuffix is the inverse of AppendSuffix.
func SplitSuffix(k []byte) (key []byte, p Pos, err error) {
	n := len(k) - SuffixLen
	if n <= 0 {
		return nil, Pos{}, fmt.Errorf("conflict: key of %d bytes has no row place", len(k))
	}
	p.Chunk = binary.BigEndian.Uint32(k[n:])
	p.Offset = int64(binary.BigEndian.Uint64(k[n+4:]))
	return k[:n], p, nil
}
