package coordinator

import (
	"bytes"
	"context"
	"sort"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// SpanPlan composes a table's store checksum from what its sorters read
// right after each partition's ingest (PartitionIngested store_checksum
// over the partition's key spans). If the spans of all partitions are
// disjoint and inside table's ranges, every key of the table lies in exactly one
// span or in one of the gaps between them: the table's store checksum is
// the sum of the partitions' plus a read of the gaps, which is all that is
// left to read at the end (the gaps hold nothing when the store holds only
// what was ingested, and a stray key there shows as a mismatch).
//
// A partition's span checksum says what the store held when its sorter
// read it; no later ingest of this table writes inside that span, since
// the spans are disjoint, so it is still what the store holds.
//
// ok is false when the spans cannot be used: a partition reported no store
// checksum (the sorter was not asked for one, or is older), or two spans
// overlap (partitions whose keys interleave, such as a clustered primary
// key the dump is not sorted by). The caller then reads the whole table.
func SpanPlan(parts map[uint32]*lsv1.PartitionIngested, table []store.KeyRange) (sum store.Checksum, gaps []store.KeyRange, ok bool) {
	var spans []*lsv1.KeySpan
	for _, p := range parts {
		if p.StoreChecksum == nil {
			return sum, nil, false
		}
		sum.Add(store.Checksum{Sum: p.StoreChecksum.Checksum, KVs: p.StoreChecksum.Kvs, Bytes: p.StoreChecksum.Bytes})
		spans = append(spans, p.Spans...)
	}
	sort.Slice(spans, func(i, j int) bool { return bytes.Compare(spans[i].First, spans[j].First) < 0 })
	// table's ranges are sorted and disjoint; every span must lie inside
	// one of them.
	for _, r := range table {
		from := r.Start // the least key of r not yet covered
		for len(spans) > 0 && bytes.Compare(spans[0].First, r.End) < 0 {
			sp := spans[0]
			if bytes.Compare(sp.First, sp.Last) > 0 || bytes.Compare(sp.First, from) < 0 {
				return sum, nil, false // reversed, overlapping the previous, or before the range
			}
			if bytes.Compare(sp.Last, r.End) >= 0 {
				return sum, nil, false // past the range
			}
			if bytes.Compare(from, sp.First) < 0 {
				gaps = append(gaps, store.KeyRange{Start: from, End: sp.First})
			}
			from = append(append([]byte(nil), sp.Last...), 0)
			spans = spans[1:]
		}
		if bytes.Compare(from, r.End) < 0 {
			gaps = append(gaps, store.KeyRange{Start: from, End: r.End})
		}
	}
	if len(spans) > 0 {
		return sum, nil, false // past the table
	}
	return sum, gaps, true
}

// TableStoreChecksum reads what st holds of the table whose keys are in
// the ranges table (TableRanges): the sum of its partitions' span
// checksums plus a read of the gaps between their spans (SpanPlan), or,
// when the spans cannot be used, a read of the whole table.
func TableStoreChecksum(ctx context.Context, st store.Store, table []store.KeyRange, parts map[uint32]*lsv1.PartitionIngested) (store.Checksum, error) {
	ranges := table
	var spanned store.Checksum
	if sum, gaps, ok := SpanPlan(parts, table); ok {
		ranges, spanned = gaps, sum
	}
	var got store.Checksum
	if len(ranges) > 0 {
		var err error
		if got, err = st.Checksum(ctx, ranges); err != nil {
			return got, err
		}
	}
	got.Add(spanned)
	return got, nil
}
