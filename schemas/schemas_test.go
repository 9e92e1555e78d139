package schemas

import (
	"bytes"
	"encoding/binary"
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
	// Index keys: whole indexes per partition, whatever the chunk.
	for idx := int64(1); idx < 10; idx++ {
		want := int(idx % 4)
		for chunk := uint32(0); chunk < 7; chunk++ {
			if got := KVPartition(indexKey(42, idx), chunk, 7, 4); got != want {
				t.Fatalf("index %d chunk %d: partition %d, want %d", idx, chunk, got, want)
			}
		}
	}
	// Record keys: consecutive chunks fill partitions in order.
	rec := []byte("t\x80\x00\x00\x00\x00\x00\x00\x2a_r\x80\x00\x00\x00\x00\x00\x00\x01")
	prev := 0
	for chunk := uint32(0); chunk < 8; chunk++ {
		p := KVPartition(rec, chunk, 8, 4)
		if p < prev || p >= 4 {
			t.Fatalf("chunk %d -> partition %d after %d", chunk, p, prev)
		}
		prev = p
	}
	if prev != 3 {
		t.Fatalf("last chunk in partition %d, want 3", prev)
	}
	if KVPartition(rec, 5, 8, 1) != 0 {
		t.Fatal("single partition must be 0")
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
// partition without an index is fed by its own chunks only.
func TestChunkFeedsPartition(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for round := 0; round < 500; round++ {
		partitions := 1 + r.IntN(12)
		total := uint32(r.IntN(40))
		var ids []int64
		for i := r.IntN(4); i > 0; i-- {
			ids = append(ids, 1+r.Int64N(20))
		}
		for c := uint32(0); c < max(total, 1); c++ {
			rec := binary.BigEndian.AppendUint64([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_r"), r.Uint64())
			keys := [][]byte{rec}
			for _, id := range ids {
				k := append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x07_i"), binary.BigEndian.AppendUint64(nil, uint64(id)^1<<63)...)
				keys = append(keys, append(k, 0x03, byte(r.Uint32())))
			}
			for _, k := range keys {
				p := KVPartition(k, c, total, partitions)
				if !ChunkFeedsPartition(c, total, partitions, p, ids) {
					t.Fatalf("chunk %d/%d sends %x to partition %d of %d (indexes %v), which it is said not to feed", c, total, k, p, partitions, ids)
				}
			}
			fed := 0
			for p := 0; p < partitions; p++ {
				if ChunkFeedsPartition(c, total, partitions, p, nil) {
					fed++
				}
			}
			if fed != 1 {
				t.Fatalf("without indexes chunk %d/%d feeds %d partitions of %d", c, total, fed, partitions)
			}
		}
	}
}
