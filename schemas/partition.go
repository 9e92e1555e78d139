package schemas

import (
	"encoding/binary"
	"math/big"
	"sort"
)

// How a table's KV pairs are spread over its KV topic's partitions.
//
// Ingest writes each partition's sorted pairs into the store as one range
// sweep, so partitions should own contiguous key ranges rather than
// interleaved keys (hash partitioning would make every partition span the
// whole table, and every ingest touch every region). A table's keys are
// the record range t{id}_r... and one range per index t{id}_i{idx}...:
//
//   - index keys go to the partition of their index's piece: the
//     producer's partition plan (Layout) cuts an index larger than a
//     partition's share into pieces by key; without a plan an index goes
//     whole to partition (index id mod n);
//   - record keys are cut by source bytes: the table's source is one line
//     of bytes, its chunks one after another (ChunkLine), cut into n
//     segments (equal, or weighted by the plan so that partitions holding
//     index pieces get less); a row goes to the segment its first byte
//     lies in. A chunk may so straddle two (or more) partitions, each
//     getting the rows of its segment. Dumps are written in primary-key
//     order (dumpling and mydumper both select by key), so a partition's
//     rows hold neighbouring handles, and _tidb_rowid handles follow the
//     chunks' row-ID bases.
//
// Every partition's record share is so within one row of its weight's
// share of the table's source, whatever the chunks' sizes (cutting by
// whole chunks left the largest partition up to 2x the smallest). The cut
// depends on the plan, the chunk's place and size and the row's offset
// only, so a re-encoded or replayed chunk sends every pair to the same
// partition. Correctness does not depend on the order assumption: a key
// always lands in one partition because it comes from one row, or, for
// an index key, from its value (a primary key given twice in the dump is
// a duplicate the checksum comparison reports).

// ChunkLine is a chunk's place on its table's line: [Lo, Hi) of Units.
// With the chunks' sizes known the units are source bytes; without them
// (a producer older than the sizes) each chunk is one unit.
type ChunkLine struct {
	Lo, Hi, Units int64
}

// LineOf is the line of chunk ordinal of total whose source bytes start
// at tableOffset of tableBytes and span chunkBytes (0 tableBytes: sizes
// unknown, one unit per chunk).
func LineOf(ordinal, total uint32, tableOffset, chunkBytes, tableBytes int64) ChunkLine {
	if tableBytes > 0 && chunkBytes >= 0 && tableOffset >= 0 && tableOffset+chunkBytes <= tableBytes {
		return ChunkLine{Lo: tableOffset, Hi: tableOffset + chunkBytes, Units: tableBytes}
	}
	return ChunkLine{Lo: int64(ordinal), Hi: int64(ordinal) + 1, Units: int64(max(total, 1))}
}

// ManifestLines are the lines of a table's chunks from its manifest's
// chunk sizes (nil or of another length: one unit per chunk).
func ManifestLines(chunks int, chunkBytes []int64) []ChunkLine {
	out := make([]ChunkLine, chunks)
	var total int64
	sized := len(chunkBytes) == chunks
	for _, b := range chunkBytes {
		if b < 0 {
			sized = false
		}
		total += b
	}
	var off int64
	for i := range out {
		if sized && total > 0 {
			out[i] = LineOf(uint32(i), uint32(chunks), off, chunkBytes[i], total)
			off += chunkBytes[i]
		} else {
			out[i] = LineOf(uint32(i), uint32(chunks), 0, 0, 0)
		}
	}
	return out
}

// RecordSplit says which partition each row of one chunk sends its record
// pair to, by the row's byte offset in the chunk.
type RecordSplit struct {
	first int
	// starts[i] is the chunk-relative byte offset at which partition
	// first+i+1 begins.
	starts []int64
}

// NewRecordSplit is the split of the chunk on line whose source is size
// bytes, over partitions of equal weight (EqualLayout).
func NewRecordSplit(line ChunkLine, size int64, partitions int) RecordSplit {
	return EqualLayout(partitions).RecordSplit(line, size)
}

// Partition is the partition of the record pair of the row starting at
// offset bytes into the chunk.
func (s RecordSplit) Partition(offset int64) int {
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > offset })
	return s.first + i
}

// IndexKeyID is the index id of an index key (t + 8-byte table id + "_i"
// + 8-byte index id ...); ok is false for any other key.
func IndexKeyID(key []byte) (id uint64, ok bool) {
	if len(key) >= IndexKeyPrefix && key[0] == 't' && key[9] == '_' && key[10] == 'i' {
		return binary.BigEndian.Uint64(key[11:19]) ^ (1 << 63), true
	}
	return 0, false
}

// IndexKeyPrefix is the length of an index key's t{table id}_i{index id};
// the index values (and handle) follow it.
const IndexKeyPrefix = 19

// IndexPartition is the partition of an index key without a plan: index
// id mod partitions. ok is false for any other key.
func IndexPartition(key []byte, partitions int) (p int, ok bool) {
	id, ok := IndexKeyID(key)
	if !ok {
		return 0, false
	}
	if partitions <= 1 {
		return 0, true
	}
	return int(id % uint64(partitions)), true
}

// KVPartition is the partition of key without a plan (EqualLayout), from a
// row whose record pair goes to recordPartition (RecordSplit.Partition).
func KVPartition(key []byte, recordPartition, partitions int) int {
	return EqualLayout(partitions).Partition(key, recordPartition)
}

// ChunkFeedsPartition is Layout.Feeds without a plan (EqualLayout).
func ChunkFeedsPartition(line ChunkLine, partitions, p int, indexIDs []int64) bool {
	return EqualLayout(partitions).Feeds(line, p, indexIDs)
}

func mulDiv(a, b, c int64) int64 {
	q := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	return q.Quo(q, big.NewInt(c)).Int64()
}

func mulDivCeil(a, b, c int64) int64 {
	return ceilDiv(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(c))
}

// ceilDiv is ceil(num/den) for den > 0.
func ceilDiv(num, den *big.Int) int64 {
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
