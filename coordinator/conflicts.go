package coordinator

import (
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// lessResolved is a table's source checksum less the pairs that conflict
// resolution left out of its partitions (PartitionIngested conflicts):
// the losing rows' pairs, which the encoders counted and the store must
// not hold. A table imported without conflicts is unchanged.
func lessResolved(source checkpoint.Checksum, parts map[uint32]*lsv1.PartitionIngested) checkpoint.Checksum {
	for _, p := range parts {
		if r := p.GetConflicts(); r != nil {
			source.Sum ^= r.Checksum
			source.KVs -= r.Kvs
			source.Bytes -= r.Bytes
		}
	}
	return source
}

// ResolvedConflicts adds up what a table's partitions report of conflict
// resolution: the losing rows and the duplicate keys (the same in every
// partition, which all resolve the table's whole list).
func ResolvedConflicts(parts map[uint32]*lsv1.PartitionIngested) (losingRows, duplicateKeys uint64) {
	for _, p := range parts {
		if r := p.GetConflicts(); r != nil {
			losingRows = max(losingRows, r.LosingRows)
			duplicateKeys = max(duplicateKeys, r.DuplicateKeys)
		}
	}
	return losingRows, duplicateKeys
}
