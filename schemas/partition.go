package schemas

import "encoding/binary"

// KVPartition says which partition of a table's KV topic a pair goes to.
//
// Ingest writes each partition's sorted pairs into the store as one range
// sweep, so partitions should own contiguous key ranges rather than
// interleaved keys (hash partitioning would make every partition span the
// whole table, and every ingest touch every region). A table's keys are
// the record range t{id}_r... and one range per index t{id}_i{idx}...:
//
//   - index keys go to partition (indexID mod n): a partition owns whole
//     index ranges;
//   - record keys are cut by source order: the pairs of chunk k of m go to
//     partition k*n/m. Dumps are written in primary-key order (dumpling and
//     mydumper both select by key), so consecutive chunks hold neighbouring
//     handles, and _tidb_rowid handles follow the chunks' row-ID bases.
//
// Correctness does not depend on the order assumption: a key always lands
// in one partition because it comes from one chunk (a primary key given
// twice in the dump is a duplicate the checksum comparison reports).
func KVPartition(key []byte, chunkOrdinal, totalChunks uint32, partitions int) int {
	if partitions <= 1 {
		return 0
	}
	// t + 8-byte table id + "_i" + 8-byte index id
	if len(key) >= 19 && key[0] == 't' && key[9] == '_' && key[10] == 'i' {
		idx := binary.BigEndian.Uint64(key[11:19]) ^ (1 << 63)
		return int(idx % uint64(partitions))
	}
	if totalChunks == 0 {
		return 0
	}
	return int(uint64(chunkOrdinal) * uint64(partitions) / uint64(totalChunks))
}

// ChunkFeedsPartition reports whether chunk ordinal of totalChunks may send
// pairs to partition p of partitions, for a table whose index ids are
// indexIDs: it is KVPartition read backwards. A partition that owns an
// index range receives from every chunk; any other receives only the
// record keys of its own chunks. Sorters use it to know that a partition
// is complete once its own chunks' end-of-chunk markers are in, so that it
// is ingested while later chunks are still being encoded. (indexIDs may
// list more ids than have keys: that only makes the answer more often
// true.)
func ChunkFeedsPartition(ordinal, totalChunks uint32, partitions, p int, indexIDs []int64) bool {
	if partitions <= 1 {
		return true
	}
	for _, id := range indexIDs {
		if id >= 0 && int(uint64(id)%uint64(partitions)) == p {
			return true
		}
	}
	if totalChunks == 0 {
		return p == 0
	}
	return int(uint64(ordinal)*uint64(partitions)/uint64(totalChunks)) == p
}
