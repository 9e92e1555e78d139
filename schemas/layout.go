package schemas

import (
	"bytes"
	"math/big"
	"sort"
	"strings"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Layout is how one table's KV pairs are spread over its n partitions: the
// relative sizes of the partitions' record segments, and the indexes cut
// into pieces by key (lsv1.PartitionPlan). Encoders route with it
// (Partition, RecordSplit) and sorters read it backwards (Feeds); both
// build it from the same plan and index ids, so they agree.
//
// Without a plan (EqualLayout) the segments are equal and each index goes
// whole to partition (index id mod n): a table with a large index then
// has one partition holding that index and a full record share. A plan
// (the producer's, from a sample of the rows) cuts large indexes into
// pieces by key, which keeps each piece's keys contiguous (a partition's
// ingest stays a sweep over disjoint ranges, and equal keys still meet in
// one partition for conflict detection), and gives the partitions that
// hold index pieces correspondingly smaller record segments.
type Layout struct {
	n int
	// cum[q] is the weight of the partitions before q; cum[n] is the
	// whole (n+1 entries).
	cum []int64
	// pieces are the indexes cut by key, by index id.
	pieces map[uint64]indexPieces
}

type indexPieces struct {
	splits [][]byte
	parts  []int
}

// maxWeight bounds a record weight, so that sums and products with source
// sizes stay in range.
const maxWeight = 1 << 40

// EqualLayout is the layout of n partitions without a plan.
func EqualLayout(n int) Layout {
	n = max(n, 1)
	cum := make([]int64, n+1)
	for q := range cum {
		cum[q] = int64(q)
	}
	return Layout{n: n, cum: cum}
}

// NewLayout is the layout of n partitions under plan (nil: EqualLayout);
// indexIDs maps the table's index names to their ids. A plan that does
// not fit n (another partition count, a piece on a partition that does
// not exist) is ignored in the part that does not fit, the same way by
// every reader.
func NewLayout(n int, plan *lsv1.PartitionPlan, indexIDs map[string]int64) Layout {
	l := EqualLayout(n)
	if plan == nil || l.n <= 1 {
		return l
	}
	if w := plan.RecordWeights; len(w) == l.n {
		cum := make([]int64, l.n+1)
		ok := true
		for q, x := range w {
			if x > maxWeight {
				ok = false
				break
			}
			cum[q+1] = cum[q] + int64(x)
		}
		if ok && cum[l.n] > 0 {
			l.cum = cum
		}
	}
	for _, ip := range plan.Indexes {
		id, ok := indexIDs[strings.ToLower(ip.Name)]
		if !ok || id < 0 || len(ip.Partitions) != len(ip.Splits)+1 {
			continue
		}
		if !validPieces(ip, l.n) {
			continue
		}
		pc := indexPieces{splits: ip.Splits, parts: make([]int, len(ip.Partitions))}
		for i, p := range ip.Partitions {
			pc.parts[i] = int(p)
		}
		if l.pieces == nil {
			l.pieces = map[uint64]indexPieces{}
		}
		l.pieces[uint64(id)] = pc
	}
	return l
}

// validPieces reports whether ip's splits ascend and its pieces lie on
// partitions of n.
func validPieces(ip *lsv1.IndexPieces, n int) bool {
	for i := 1; i < len(ip.Splits); i++ {
		if bytes.Compare(ip.Splits[i-1], ip.Splits[i]) > 0 {
			return false
		}
	}
	for _, p := range ip.Partitions {
		if int(p) >= n {
			return false
		}
	}
	return true
}

// Partitions is n.
func (l Layout) Partitions() int { return l.n }

// Partition is the partition of key, from a row whose record pair goes to
// record (RecordSplit.Partition).
func (l Layout) Partition(key []byte, record int) int {
	if id, ok := IndexKeyID(key); ok {
		if l.n <= 1 {
			return 0
		}
		if pc, ok := l.pieces[id]; ok {
			suffix := key[IndexKeyPrefix:]
			i := sort.Search(len(pc.splits), func(i int) bool { return bytes.Compare(suffix, pc.splits[i]) < 0 })
			return pc.parts[i]
		}
		return int(id % uint64(l.n))
	}
	if l.n <= 1 {
		return 0
	}
	return record
}

// segment returns the first and last partition whose record segments the
// line touches; partitions of weight 0 in between get nothing.
func (l Layout) segment(line ChunkLine) (first, last int) {
	if l.n <= 1 || line.Units <= 0 {
		return 0, 0
	}
	w := big.NewInt(l.cum[l.n])
	units := big.NewInt(line.Units)
	// start(q)*w = cum[q]*Units on the line, compared with a point*w.
	startW := func(q int) *big.Int { return new(big.Int).Mul(big.NewInt(l.cum[q]), units) }
	lo := new(big.Int).Mul(big.NewInt(line.Lo), w)
	hi := new(big.Int).Mul(big.NewInt(line.Hi), w)
	// first: the last segment starting at or before Lo; last: the last
	// starting before Hi (a segment of weight 0 starts where the next
	// does, so neither is ever one of weight 0, bar the last partition's).
	first = sort.Search(l.n, func(q int) bool { return startW(q).Cmp(lo) > 0 }) - 1
	last = first
	if line.Hi > line.Lo {
		last = sort.Search(l.n, func(q int) bool { return startW(q).Cmp(hi) >= 0 }) - 1
	}
	first = min(max(first, 0), l.n-1)
	last = min(max(last, first), l.n-1)
	return first, last
}

// RecordSplit is the split of the chunk on line whose source is size
// bytes.
func (l Layout) RecordSplit(line ChunkLine, size int64) RecordSplit {
	first, last := l.segment(line)
	s := RecordSplit{first: first}
	width := line.Hi - line.Lo
	w := big.NewInt(l.cum[l.n])
	for q := first + 1; q <= last; q++ {
		// Segment q starts at cum[q]*Units/W on the line; in the chunk's
		// bytes that is (cum[q]*Units - Lo*W) * size / (W*width),
		// rounded up (a row starting before it belongs to the segment
		// before).
		num := new(big.Int).Mul(big.NewInt(l.cum[q]), big.NewInt(line.Units))
		num.Sub(num, new(big.Int).Mul(big.NewInt(line.Lo), w))
		num.Mul(num, big.NewInt(size))
		den := new(big.Int).Mul(w, big.NewInt(width))
		s.starts = append(s.starts, ceilDiv(num, den))
	}
	return s
}

// Feeds reports whether the chunk on line may send pairs to partition p,
// for a table whose index ids are indexIDs: it is Partition read
// backwards. A partition that holds an index range or piece receives from
// every chunk; any other receives only the record keys of the chunks
// whose line overlaps its segment. Sorters use it to know that a
// partition is complete once those chunks' end-of-chunk markers are in,
// so that it is ingested while later chunks are still being encoded.
// (indexIDs may list more ids than have keys, and a chunk may have no row
// in its part of a segment: that only makes the answer more often true.)
func (l Layout) Feeds(line ChunkLine, p int, indexIDs []int64) bool {
	if l.n <= 1 {
		return true
	}
	for _, id := range indexIDs {
		if id < 0 {
			continue
		}
		if pc, ok := l.pieces[uint64(id)]; ok {
			for _, q := range pc.parts {
				if q == p {
					return true
				}
			}
		} else if int(uint64(id)%uint64(l.n)) == p {
			return true
		}
	}
	first, last := l.segment(line)
	if p < first || p > last {
		return false
	}
	// A partition of weight 0 inside the span gets no row; saying so lets
	// it complete without waiting for the chunk.
	return p == first || p == last || l.cum[p+1] > l.cum[p]
}
