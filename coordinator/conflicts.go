package coordinator

import (
	"fmt"

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

// conflictsOf adds up what a table's partitions report of conflict
// resolution (nil: none detected): the pairs left out, and the losing
// rows and duplicate keys, which every partition counts over the whole
// table (each resolves the table's whole list).
func conflictsOf(parts map[uint32]*lsv1.PartitionIngested) *checkpoint.Conflicts {
	var out *checkpoint.Conflicts
	for _, p := range parts {
		r := p.GetConflicts()
		if r == nil {
			continue
		}
		if out == nil {
			out = &checkpoint.Conflicts{}
		}
		out.LosingRows = max(out.LosingRows, r.LosingRows)
		out.DuplicateKeys = max(out.DuplicateKeys, r.DuplicateKeys)
		out.Resolved.Sum ^= r.Checksum
		out.Resolved.KVs += r.Kvs
		out.Resolved.Bytes += r.Bytes
	}
	return out
}

// failureError is a member's reported failure: an encoder's names its
// chunk, a sorter's (conflict.strategy "error", conflict.threshold) its
// table only.
func failureError(f *lsv1.ImportFailed) error {
	if f.ChunkId == "" {
		return fmt.Errorf("%w: %s.%s: %s", ErrImportFailed, f.Db, f.Table, f.Error)
	}
	return fmt.Errorf("%w: %s.%s chunk %s: %s", ErrImportFailed, f.Db, f.Table, f.ChunkId, f.Error)
}
