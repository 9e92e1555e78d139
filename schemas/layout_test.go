package schemas

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func testIndexKey(id uint64, value []byte) []byte {
	k := append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_i"), binary.BigEndian.AppendUint64(nil, id^1<<63)...)
	return append(k, value...)
}

// randomPlan is a plan of n partitions with weights (some 0) and, for some
// of ids, pieces cut at random split values.
func randomPlan(r *rand.Rand, n int, ids []int64) (*lsv1.PartitionPlan, map[string]int64) {
	plan := &lsv1.PartitionPlan{RecordWeights: make([]uint64, n)}
	for p := range plan.RecordWeights {
		if r.IntN(4) > 0 {
			plan.RecordWeights[p] = r.Uint64N(1000)
		}
	}
	names := map[string]int64{}
	for i, id := range ids {
		name := string(rune('a' + i))
		names[name] = id
		if r.IntN(3) == 0 {
			continue
		}
		ip := &lsv1.IndexPieces{Name: name}
		for s := r.IntN(n); s > 0; s-- {
			ip.Splits = append(ip.Splits, []byte{0x03, byte(r.Uint32())})
		}
		sort.Slice(ip.Splits, func(a, b int) bool { return bytes.Compare(ip.Splits[a], ip.Splits[b]) < 0 })
		for range len(ip.Splits) + 1 {
			ip.Partitions = append(ip.Partitions, uint32(r.IntN(n)))
		}
		plan.Indexes = append(plan.Indexes, ip)
	}
	return plan, names
}

// TestLayoutFeeds checks Layout.Feeds against Partition and RecordSplit
// under random plans: every pair a chunk sends goes to a partition the
// chunk is said to feed, and no record pair goes to a partition of weight
// 0.
func TestLayoutFeeds(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for round := 0; round < 500; round++ {
		n := 1 + r.IntN(10)
		var ids []int64
		for i := r.IntN(4); i > 0; i-- {
			ids = append(ids, 1+int64(i)*3+r.Int64N(3))
		}
		plan, names := randomPlan(r, n, ids)
		l := NewLayout(n, plan, names)
		total := 1 + r.IntN(30)
		sizes := make([]int64, total)
		for c := range sizes {
			sizes[c] = 1 + r.Int64N(5000)
		}
		for c, line := range ManifestLines(total, sizes) {
			split := l.RecordSplit(line, sizes[c])
			for off := int64(0); off < sizes[c]; off += 1 + r.Int64N(100) {
				rec := split.Partition(off)
				if n > 1 && plan.RecordWeights != nil && sumWeights(plan) > 0 && plan.RecordWeights[rec] == 0 {
					t.Fatalf("round %d: record pair at %d of chunk %d sent to partition %d of weight 0 (%v)", round, off, c, rec, plan.RecordWeights)
				}
				keys := [][]byte{binary.BigEndian.AppendUint64([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_r"), r.Uint64())}
				for _, id := range ids {
					keys = append(keys, testIndexKey(uint64(id), []byte{0x03, byte(r.Uint32()), byte(r.Uint32())}))
				}
				for _, k := range keys {
					p := l.Partition(k, rec)
					if p < 0 || p >= n {
						t.Fatalf("round %d: key %x to partition %d of %d", round, k, p, n)
					}
					if !l.Feeds(line, p, ids) {
						t.Fatalf("round %d: chunk %d (%+v) sends %x to partition %d of %d, which it is said not to feed (plan %v)", round, c, line, k, p, n, plan)
					}
				}
			}
		}
	}
}

func sumWeights(plan *lsv1.PartitionPlan) uint64 {
	var s uint64
	for _, w := range plan.RecordWeights {
		s += w
	}
	return s
}

// TestLayoutWeights lays rows of random sizes over chunks and checks that
// each partition's record bytes follow its weight within a row or so.
func TestLayoutWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	for round := 0; round < 100; round++ {
		n := 2 + r.IntN(8)
		plan := &lsv1.PartitionPlan{RecordWeights: make([]uint64, n)}
		var wsum uint64
		for p := range plan.RecordWeights {
			plan.RecordWeights[p] = r.Uint64N(3) * 100
			wsum += plan.RecordWeights[p]
		}
		if wsum == 0 {
			continue
		}
		l := NewLayout(n, plan, nil)
		chunks := 1 + r.IntN(20)
		sizes := make([]int64, chunks)
		var total int64
		for c := range sizes {
			sizes[c] = 10_000 + r.Int64N(100_000)
			total += sizes[c]
		}
		got := make([]int64, n)
		for c, line := range ManifestLines(chunks, sizes) {
			split := l.RecordSplit(line, sizes[c])
			for off := int64(0); off < sizes[c]; {
				row := min(1+r.Int64N(200), sizes[c]-off)
				got[split.Partition(off)] += row
				off += row
			}
		}
		for p := range got {
			want := float64(total) * float64(plan.RecordWeights[p]) / float64(wsum)
			if d := float64(got[p]) - want; d > 200 || d < -200 {
				t.Fatalf("round %d: partition %d got %d record bytes, want %.0f (weights %v)", round, p, got[p], want, plan.RecordWeights)
			}
		}
	}
}

// TestLayoutPieces checks that an index cut into pieces sends each key to
// its piece's partition, equal keys to one partition, and that a plan
// that does not fit is ignored the same way by every reader.
func TestLayoutPieces(t *testing.T) {
	plan := &lsv1.PartitionPlan{Indexes: []*lsv1.IndexPieces{
		{Name: "K", Splits: [][]byte{{0x03, 0x10}, {0x03, 0x80}}, Partitions: []uint32{3, 0, 2}},
		{Name: "bad", Splits: [][]byte{{0x05}}, Partitions: []uint32{1, 9}},
	}}
	l := NewLayout(4, plan, map[string]int64{"k": 5, "bad": 6})
	for _, c := range []struct {
		value []byte
		want  int
	}{{[]byte{0x03, 0x01}, 3}, {[]byte{0x03, 0x10}, 0}, {[]byte{0x03, 0x7f, 0xff}, 0}, {[]byte{0x03, 0x80}, 2}, {[]byte{0x04}, 2}} {
		if got := l.Partition(testIndexKey(5, c.value), 1); got != c.want {
			t.Errorf("index key %x: partition %d, want %d", c.value, got, c.want)
		}
	}
	// a piece on partition 9 of 4: the index goes whole to 6 mod 4
	if got := l.Partition(testIndexKey(6, []byte{0x01}), 1); got != 2 {
		t.Errorf("index of a plan that does not fit: partition %d, want 2", got)
	}
	// record weights of another partition count are ignored
	l = NewLayout(3, &lsv1.PartitionPlan{RecordWeights: []uint64{1, 2}}, nil)
	if got := l.RecordSplit(ManifestLines(1, []int64{300})[0], 300); got.Partition(150) != 1 {
		t.Errorf("weights of the wrong length: row at 150 of 300 in partition %d, want 1 (equal thirds)", got.Partition(150))
	}
}
