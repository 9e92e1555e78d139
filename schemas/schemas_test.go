package schemas

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

var legalTopicRE = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func TestKVTopicNamesAreLegalAndDistinct(t *testing.T) {
	cases := [][2]string{
		{"sakila", "actor"},
		{"x`f\"n", "exotic`table``name"},
		{"中文庫", "中文表"},
		{"a.b", "c"},
		{"a", "b.c"},
		{"a_2e", "b"},
		{"db", "table with spaces"},
		{"db", string(bytes.Repeat([]byte("long"), 100))},
		{"db", string(bytes.Repeat([]byte("long"), 100)) + "x"},
	}
	seen := map[string][2]string{}
	for _, c := range cases {
		name := KVTopic("lightstream", c[0], c[1])
		if !legalTopicRE.MatchString(name) || !ValidTopicName(name) {
			t.Errorf("KVTopic(%q, %q) = %q: not a legal Kafka topic name", c[0], c[1], name)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("KVTopic collision: %q and %q both give %q", prev, c, name)
		}
		seen[name] = c
		if again := KVTopic("lightstream", c[0], c[1]); again != name {
			t.Errorf("KVTopic not deterministic: %q then %q", name, again)
		}
	}
}

func TestPackedPairsRoundTrip(t *testing.T) {
	pairs := [][2][]byte{{[]byte("k1"), []byte("v1")}, {{}, {}}, {bytes.Repeat([]byte{0xff}, 300), []byte("x")}}
	var buf []byte
	size := 0
	for _, p := range pairs {
		buf = AppendPair(buf, p[0], p[1])
		size += PackedPairSize(p[0], p[1])
	}
	if size != len(buf) {
		t.Fatalf("PackedPairSize sum %d, buffer %d", size, len(buf))
	}
	i := 0
	err := RangePairs(buf, func(k, v []byte) error {
		if !bytes.Equal(k, pairs[i][0]) || !bytes.Equal(v, pairs[i][1]) {
			t.Errorf("pair %d = %x/%x, want %x/%x", i, k, v, pairs[i][0], pairs[i][1])
		}
		i++
		return nil
	})
	if err != nil || i != len(pairs) {
		t.Fatalf("RangePairs: %v after %d pairs", err, i)
	}
	if err := RangePairs(buf[:len(buf)-1], func(k, v []byte) error { return nil }); err == nil {
		t.Fatal("truncated buffer decoded without error")
	}
}

func FuzzRangePairs(f *testing.F) {
	f.Add(AppendPair(nil, []byte("key"), []byte("value")))
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, buf []byte) {
		var re []byte
		if err := RangePairs(buf, func(k, v []byte) error { re = AppendPair(re, k, v); return nil }); err != nil {
			return
		}
		// Whatever decodes re-encodes to a buffer that decodes the same.
		var again []byte
		if err := RangePairs(re, func(k, v []byte) error { again = AppendPair(again, k, v); return nil }); err != nil || !bytes.Equal(re, again) {
			t.Fatalf("re-encoded pairs do not round trip: %v", err)
		}
	})
}

func indexKey(table, index int64) []byte {
	k := []byte{'t'}
	k = binary.BigEndian.AppendUint64(k, uint64(table)^1<<63)
	k = append(k, '_', 'i')
	k = binary.BigEndian.AppendUint64(k, uint64(index)^1<<63)
	return append(k, 0x03, 1, 2, 3)
}

func TestKVPartition(t *testing.T) {
	// Index keys: whole indexes per partition, whatever the row.
	for idx := int64(1); idx < 10; idx++ {
		want := int(idx % 4)
		for rec := 0; rec < 4; rec++ {
			if got := KVPartition(indexKey(42, idx), rec, 4); got != want {
				t.Fatalf("index %d record partition %d: partition %d, want %d", idx, rec, got, want)
			}
		}
	}
	rec := []byte("t\x80\x00\x00\x00\x00\x00\x00\x2a_r\x80\x00\x00\x00\x00\x00\x00\x01")
	if KVPartition(rec, 2, 4) != 2 || KVPartition(rec, 3, 1) != 0 {
		t.Fatal("record keys go to their row's partition (0 of one)")
	}
	// Record keys: rows along the table's chunks fill partitions in order,
	// the first row in 0 and the last in n-1.
	lines := ManifestLines(8, []int64{100, 100, 100, 100, 100, 100, 100, 100})
	prev := 0
	for c, l := range lines {
		split := NewRecordSplit(l, 100, 4)
		for off := int64(0); off < 100; off += 10 {
			p := split.Partition(off)
			if p < prev || p >= 4 {
				t.Fatalf("chunk %d offset %d -> partition %d after %d", c, off, p, prev)
			}
			prev = p
		}
	}
	if prev != 3 {
		t.Fatalf("last row in partition %d, want 3", prev)
	}
}

// TestRecordSplitBalance lays rows of random sizes over chunks of random
// sizes (small tail chunks, as a dump's files end) and checks that every
// partition's record bytes are within one row of the mean, and that each
// row's partition is the segment of the table's bytes its first byte lies
// in (computed here independently, in exact rational arithmetic).
func TestRecordSplitBalance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 200; round++ {
		n := 1 + r.IntN(10)
		chunks := n + 1 + r.IntN(30)
		sizes := make([]int64, chunks)
		for i := range sizes {
			sizes[i] = 1000 + r.Int64N(64000)
			if r.IntN(4) == 0 {
				sizes[i] = 1 + r.Int64N(500) // a file's tail
			}
		}
		lines := ManifestLines(chunks, sizes)
		var total int64
		for _, s := range sizes {
			total += s
		}
		got := make([]int64, n)
		var off int64
		maxRow := int64(0)
		for c, l := range lines {
			split := NewRecordSplit(l, sizes[c], n)
			for pos := int64(0); pos < sizes[c]; {
				row := min(1+r.Int64N(300), sizes[c]-pos)
				maxRow = max(maxRow, row)
				p := split.Partition(pos)
				// independent oracle: floor((off+pos)*n/total)
				want := int(new(big.Int).Quo(new(big.Int).Mul(big.NewInt(off+pos), big.NewInt(int64(n))), big.NewInt(total)).Int64())
				if p != want {
					t.Fatalf("round %d chunk %d row at %d: partition %d, want %d", round, c, pos, p, want)
				}
				got[p] += row
				pos += row
			}
			off += sizes[c]
		}
		mean := total / int64(n)
		for p, b := range got {
			if b > mean+maxRow+1 || b < mean-maxRow-1 {
				t.Fatalf("round %d: partition %d holds %d bytes, mean %d (rows up to %d)", round, p, b, mean, maxRow)
			}
		}
	}
}

// TestRecordSplitUnsized: the split of a chunk depends only on its
// line and size, so an older manifest without sizes still agrees with
// its chunks (one unit each).
func TestRecordSplitUnsized(t *testing.T) {
	lines := ManifestLines(3, nil)
	for c, l := range lines {
		if l != LineOf(uint32(c), 3, 0, 0, 0) {
			t.Fatalf("chunk %d: %+v", c, l)
		}
	}
	// 3 chunks over 2 partitions: chunk 1 straddles, at its middle byte.
	s := NewRecordSplit(lines[1], 100, 2)
	if s.Partition(49) != 0 || s.Partition(50) != 1 {
		t.Fatalf("chunk 1 of 3 over 2 partitions: offset 49 -> %d, 50 -> %d", s.Partition(49), s.Partition(50))
	}
}

// TestGeneratedCodeIsCurrent regenerates the Go code from the .proto files
// and fails when the committed lsv1 differs: regenerate with
// `go generate ./schemas`.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Skip("protoc not installed (apt-get install protobuf-compiler); .ci/run installs it")
	}
	if _, err := exec.LookPath("protoc-gen-go"); err != nil {
		t.Skip("protoc-gen-go not on PATH (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12); .ci/run installs it")
	}
	out := t.TempDir()
	files, _ := filepath.Glob("proto/lightstream/v1/*.proto")
	args := append([]string{"--proto_path=proto", "--go_out=" + out, "--go_opt=module=github.com/lightstream-io/lightstream"}, files...)
	if b, err := exec.Command("protoc", args...).CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, b)
	}
	gen, _ := filepath.Glob(filepath.Join(out, "schemas/lsv1/*.pb.go"))
	if len(gen) == 0 {
		t.Fatal("protoc produced no files")
	}
	for _, g := range gen {
		want, _ := os.ReadFile(g)
		have, err := os.ReadFile(filepath.Join("lsv1", filepath.Base(g)))
		if err != nil || !bytes.Equal(want, have) {
			t.Errorf("lsv1/%s is stale: run `go generate ./schemas`", filepath.Base(g))
		}
	}
}

// TestChunkFeedsPartition checks the inverse against KVPartition: every
// pair a chunk sends goes to a partition the chunk is said to feed, and a
// partition without an index is fed by the chunks whose line overlaps its
// segment only.
func TestChunkFeedsPartition(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for round := 0; round < 500; round++ {
		partitions := 1 + r.IntN(12)
		total := r.IntN(40)
		var ids []int64
		for i := r.IntN(4); i > 0; i-- {
			ids = append(ids, 1+r.Int64N(20))
		}
		var sizes []int64
		if r.IntN(2) == 0 {
			for range total {
				sizes = append(sizes, r.Int64N(5000))
			}
		}
		lines := ManifestLines(total, sizes)
		for c, l := range lines {
			size := int64(1000)
			if sizes != nil {
				size = sizes[c]
			}
			split := NewRecordSplit(l, size, partitions)
			rows := 0
			for off := int64(0); off < size; off += 1 + r.Int64N(200) {
				rec := split.Partition(off)
				keys := [][]byte{binary.BigEndian.AppendUint64([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_r"), r.Uint64())}
				for _, id := range ids {
					k := append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_i"), binary.BigEndian.AppendUint64(nil, uint64(id)^1<<63)...)
					keys = append(keys, append(k, 0x03, byte(r.Uint32())))
				}
				for _, k := range keys {
					p := KVPartition(k, rec, partitions)
					if !ChunkFeedsPartition(l, partitions, p, ids) {
						t.Fatalf("chunk %d/%d (%+v) sends %x to partition %d of %d (indexes %v), which it is said not to feed", c, total, l, k, p, partitions, ids)
					}
				}
				rows++
			}
			fed := 0
			for p := 0; p < partitions; p++ {
				if ChunkFeedsPartition(l, partitions, p, nil) {
					fed++
				}
			}
			// a chunk feeds the partitions its line overlaps: at least one,
			// at most one more than its share of them
			limit := 2 + int(new(big.Int).Quo(new(big.Int).Mul(big.NewInt(l.Hi-l.Lo), big.NewInt(int64(partitions))), big.NewInt(l.Units)).Int64())
			if fed < 1 || fed > limit {
				t.Fatalf("without indexes chunk %d/%d (%+v) feeds %d partitions of %d", c, total, l, fed, partitions)
			}
		}
	}
}
