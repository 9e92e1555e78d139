package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"testing"

	"github.com/dgraph-io/badger/v4/table"
)

func open(t testing.TB, dir string) *Engine {
	t.Helper()
	e, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// SPEC.md §9 vector: these two pairs checksum to 4850203904608948940.
var specPairs = [][2]string{
	{"Cop", "PingCAP"},
	{"Introduction", "Inspired by Google Spanner/F1, PingCAP develops TiDB."},
}

const specSum = 4850203904608948940

func TestIdempotentRewrite(t *testing.T) {
	e := open(t, t.TempDir())
	defer e.Close()
	keys := [][]byte{[]byte(specPairs[1][0]), []byte(specPairs[0][0])}
	vals := [][]byte{[]byte(specPairs[1][1]), []byte(specPairs[0][1])}
	for i := 0; i < 3; i++ { // re-delivered batches change nothing
		if err := e.WriteBatch(keys, vals, map[string][]byte{"offset": []byte("7")}); err != nil {
			t.Fatal(err)
		}
		c, err := e.Checksum(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantBytes := len(specPairs[0][0] + specPairs[0][1] + specPairs[1][0] + specPairs[1][1])
		if c.Sum != specSum || c.KVs != 2 || c.Bytes != uint64(wantBytes) {
			t.Fatalf("write #%d: checksum %+v, want sum %d over 2 pairs, %d bytes", i+1, c, uint64(specSum), wantBytes)
		}
		pairs, size, err := e.Stats()
		if err != nil || pairs != 2 || size != int64(wantBytes) {
			t.Fatalf("Stats = %d, %d, %v", pairs, size, err)
		}
	}
}

func TestSortedIterationAndRange(t *testing.T) {
	e := open(t, t.TempDir())
	defer e.Close()
	r := rand.New(rand.NewPCG(1, 2))
	want := map[string]string{}
	for batch := 0; batch < 20; batch++ {
		var keys, vals [][]byte
		for i := 0; i < 500; i++ {
			k := make([]byte, 1+r.IntN(40))
			for j := range k {
				k[j] = byte(r.IntN(0x100))
			}
			v := []byte(fmt.Sprintf("v%d", r.Int()))
			keys, vals = append(keys, k), append(vals, v)
			want[string(k)] = string(v)
		}
		if err := e.WriteBatch(keys, vals, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SetMeta("m", []byte("x")); err != nil {
		t.Fatal(err)
	}
	sorted := make([]string, 0, len(want))
	for k := range want {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var got []string
	err := e.Iterate(context.Background(), func(k, v []byte) error {
		if want[string(k)] != string(v) {
			return fmt.Errorf("key %x: value %q, want %q", k, v, want[string(k)])
		}
		got = append(got, string(k))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(sorted) {
		t.Fatalf("iteration: %d keys, want %d in order", len(got), len(sorted))
	}
	lo, hi := sorted[100], sorted[200]
	got = got[:0]
	if err := e.IterateRange(context.Background(), []byte(lo), []byte(hi), func(k, _ []byte) error {
		got = append(got, string(k))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(sorted[100:200]) {
		t.Fatalf("range: got %d keys, want 100", len(got))
	}
	stop := errors.New("stop")
	if err := e.Iterate(context.Background(), func(k, v []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("callback error not returned: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Iterate(ctx, func(k, v []byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled iteration: %v", err)
	}
}

func TestMeta(t *testing.T) {
	e := open(t, t.TempDir())
	defer e.Close()
	if _, ok, err := e.GetMeta("nope"); ok || err != nil {
		t.Fatalf("GetMeta(missing) = %v, %v", ok, err)
	}
	meta := map[string][]byte{"offset/topic/0": []byte("10"), "offset/topic/1": []byte("20"), "other": []byte("o")}
	if err := e.WriteBatch([][]byte{[]byte("t\x80k")}, [][]byte{[]byte("v")}, meta); err != nil {
		t.Fatal(err)
	}
	v, ok, err := e.GetMeta("offset/topic/1")
	if err != nil || !ok || string(v) != "20" {
		t.Fatalf("GetMeta = %q %v %v", v, ok, err)
	}
	var seen []string
	if err := e.IterMeta("offset/", func(k string, v []byte) error {
		seen = append(seen, k+"="+string(v))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[offset/topic/0=10 offset/topic/1=20]" {
		t.Fatalf("IterMeta = %v", seen)
	}
	if pairs, _, _ := e.Stats(); pairs != 1 {
		t.Fatalf("meta counted as data: %d pairs", pairs)
	}
	if err := e.WriteBatch([][]byte{{}}, [][]byte{[]byte("v")}, nil); !errors.Is(err, ErrEmptyKey) {
		t.Fatalf("empty key: %v", err)
	}
	if err := e.DeleteMeta("other"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := e.GetMeta("other"); ok {
		t.Fatal("DeleteMeta left the key")
	}
}

// TestCrashReopen: a child process writes and exits without Close; the
// parent reopens the engine and finds the data and the metadata.
func TestCrashReopen(t *testing.T) {
	if dir := os.Getenv("ENGINE_CRASH_DIR"); dir != "" {
		e, err := Open(dir, Options{})
		if err != nil {
			os.Exit(2)
		}
		for b := 0; b < 10; b++ {
			var keys, vals [][]byte
			for i := 0; i < 1000; i++ {
				keys = append(keys, []byte(fmt.Sprintf("t%02d_%04d", b, i)))
				vals = append(vals, bytes.Repeat([]byte{byte(i)}, 100))
			}
			if err := e.WriteBatch(keys, vals, map[string][]byte{"batch": []byte(fmt.Sprint(b))}); err != nil {
				os.Exit(3)
			}
		}
		os.Exit(0) // no Close, no Sync
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashReopen$")
	cmd.Env = append(os.Environ(), "ENGINE_CRASH_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	e := open(t, dir)
	defer e.Close()
	v, ok, err := e.GetMeta("batch")
	if err != nil || !ok || string(v) != "9" {
		t.Fatalf("meta after crash: %q %v %v", v, ok, err)
	}
	pairs, size, err := e.Stats()
	if err != nil || pairs != 10000 || size != 10000*(8+100) {
		t.Fatalf("after crash: %d pairs, %d bytes, %v", pairs, size, err)
	}
	// And writing again (re-delivery) keeps it identical.
	c1, _ := e.Checksum(context.Background())
	if err := e.WriteBatch([][]byte{[]byte("t00_0000")}, [][]byte{bytes.Repeat([]byte{0}, 100)}, nil); err != nil {
		t.Fatal(err)
	}
	if c2, _ := e.Checksum(context.Background()); c1 != c2 {
		t.Fatalf("re-delivery changed checksum %+v -> %+v", c1, c2)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{{Compression: "lz9"}} {
		if err := o.validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := Open(t.TempDir()+"/x", Options{ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing engine succeeded")
	}
}

// BenchmarkWrite writes random-order 50-byte keys with 100-byte values in
// batches of benchBatch pairs (about the sorter's 16 MiB flush).
func BenchmarkWrite(b *testing.B) {
	for _, c := range []Compression{CompressionNone, CompressionSnappy, CompressionZSTD} {
		b.Run(string(c), func(b *testing.B) {
			e, err := Open(b.TempDir(), Options{Compression: c})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			r := rand.New(rand.NewPCG(3, 4))
			batch := benchBatch
			keys, vals := make([][]byte, batch), make([][]byte, batch)
			for i := range keys {
				keys[i], vals[i] = make([]byte, 50), make([]byte, 100)
			}
			b.SetBytes(int64(batch) * 150)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				for i := range keys {
					keys[i][0] = 't'
					for j := 1; j < 50; j += 8 {
						v := r.Uint64()
						for k := j; k < j+8 && k < 50; k++ {
							keys[i][k] = byte(v)
							v >>= 8
						}
					}
					// Values: half compressible, like encoded rows.
					for j := 0; j < 50; j++ {
						vals[i][j] = byte(r.Uint32())
					}
				}
				if err := e.WriteBatch(keys, vals, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := e.Sync(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// benchBatch is the pairs per WriteBatch call in BenchmarkWrite.
var benchBatch = 100_000

// BenchmarkIterate reads back 32 runs of 100,000 random pairs in key order,
// as ingest does.
func BenchmarkIterate(b *testing.B) {
	e, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := rand.New(rand.NewPCG(5, 6))
	var size int64
	for run := 0; run < 32; run++ {
		keys, vals := make([][]byte, 100_000), make([][]byte, 100_000)
		for i := range keys {
			keys[i] = fmt.Appendf(nil, "t%016x_r%016x", r.Uint64(), r.Uint64())
			vals[i] = bytes.Repeat([]byte{byte(i)}, 100)
			size += int64(len(keys[i]) + 100)
		}
		if err := e.WriteBatch(keys, vals, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		pairs := 0
		if err := e.Iterate(context.Background(), func(k, v []byte) error { pairs++; return nil }); err != nil {
			b.Fatal(err)
		}
		if pairs != 32*100_000 {
			b.Fatalf("%d pairs", pairs)
		}
	}
	b.ReportMetric(float64(b.N*32*100_000)/b.Elapsed().Seconds(), "pairs/s")
}

// TestNewestWins: a key written again in a later run (or later in the same
// batch) reads back with its last value, and is counted once.
func TestNewestWins(t *testing.T) {
	e := open(t, t.TempDir())
	defer e.Close()
	for i := 0; i < 5; i++ {
		keys := [][]byte{[]byte("a"), []byte("k"), []byte("k"), []byte(fmt.Sprint("z", i))}
		vals := [][]byte{[]byte(fmt.Sprint("a", i)), []byte("early"), []byte(fmt.Sprint("k", i)), []byte("z")}
		if err := e.WriteBatch(keys, vals, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := e.Iterate(context.Background(), func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := "[a=a4 k=k4 z0=z z1=z z2=z z3=z z4=z]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if e.Runs() != 5 {
		t.Fatalf("%d runs, want 5", e.Runs())
	}
}

// TestTornRunRecovery: a run written after the last Sync that is not whole
// on disk (an OS crash) takes the state back to that Sync, metadata
// included, and its file is removed; synced runs are kept.
func TestTornRunRecovery(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir)
	if err := e.WriteBatch([][]byte{[]byte("a")}, [][]byte{[]byte("1")}, map[string][]byte{"offset": []byte("1")}); err != nil {
		t.Fatal(err)
	}
	if err := e.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteBatch([][]byte{[]byte("b")}, [][]byte{[]byte("2")}, map[string][]byte{"offset": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	// Simulate the crash: the manifest on disk lists run 2, whose file
	// lost its tail. (Close would sync; drop the lock by hand instead.)
	torn := table.NewFilename(2, dir)
	if err := os.Truncate(torn, 10); err != nil {
		t.Fatal(err)
	}
	_ = e.lock.Close()

	e = open(t, dir)
	defer e.Close()
	if v, _, _ := e.GetMeta("offset"); string(v) != "1" {
		t.Fatalf("offset after recovery %q, want the synced 1", v)
	}
	if pairs, _, err := e.Stats(); err != nil || pairs != 1 {
		t.Fatalf("after recovery: %d pairs, %v", pairs, err)
	}
	if _, err := os.Stat(torn); !os.IsNotExist(err) {
		t.Fatalf("torn run file still there: %v", err)
	}
	// Writing goes on with a fresh run.
	if err := e.WriteBatch([][]byte{[]byte("b")}, [][]byte{[]byte("2")}, nil); err != nil {
		t.Fatal(err)
	}
	if pairs, _, _ := e.Stats(); pairs != 2 {
		t.Fatalf("%d pairs after rewrite", pairs)
	}
}

// TestLocked: a second writer on one directory is refused until the first
// closes.
func TestLocked(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir)
	if _, err := Open(dir, Options{}); !errors.Is(err, errLocked) {
		t.Fatalf("second open: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := open(t, dir)
	if err := e2.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSortKeys checks the word-wise radix sort against a plain comparison
// sort on keys built to stress it: shared prefixes, keys that end inside a
// word, keys told apart only by trailing zero bytes, duplicates.
func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := 0; round < 200; round++ {
		n := 1 + r.IntN(3000)
		prefix := bytes.Repeat([]byte{byte(r.IntN(3))}, r.IntN(20))
		entries := make([]entry, n)
		for i := range entries {
			k := append([]byte(nil), prefix...)
			for j := r.IntN(24); j > 0; j-- {
				k = append(k, byte(r.IntN(3))) // few symbols: many ties and zeros
			}
			entries[i] = entry{k: k}
		}
		items := sortKeys(entries, nil)
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		sort.SliceStable(want, func(a, b int) bool { return bytes.Compare(entries[want[a]].k, entries[want[b]].k) < 0 })
		for i := range want {
			if items[i].i != want[i] {
				t.Fatalf("round %d: position %d holds entry %d (%x), want %d (%x)", round, i, items[i].i, entries[items[i].i].k, want[i], entries[want[i]].k)
			}
		}
	}
}

// BenchmarkSortKeys sorts a sorter-sized flush of TiDB-like keys (record
// keys with sequential handles, index keys with random values), shuffled,
// with the radix sort and with a plain comparison sort.
func BenchmarkSortKeys(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	var entries []entry
	for i := 0; i < 100_000; i++ {
		h := uint64(r.IntN(5_000_000)) ^ 1<<63
		rec := append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x6a_r"), binary.BigEndian.AppendUint64(nil, h)...)
		idx := append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x6a_i\x80\x00\x00\x00\x00\x00\x00\x01\x03"), binary.BigEndian.AppendUint64(nil, uint64(r.IntN(5_000_000))^1<<63)...)
		idx = append(append(idx, 0x03), binary.BigEndian.AppendUint64(nil, h)...)
		entries = append(entries, entry{k: rec}, entry{k: idx})
	}
	r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	b.Run("radix", func(b *testing.B) {
		var items []sortItem
		for n := 0; n < b.N; n++ {
			items = sortKeys(entries, items)
		}
	})
	b.Run("compare", func(b *testing.B) {
		items := make([]sortItem, len(entries))
		for n := 0; n < b.N; n++ {
			for i := range items {
				items[i] = sortItem{i: int32(i)}
			}
			sortFull(entries, items)
		}
	})
}

// TestMergeHoldsNoDescriptors: iterating an engine of many runs maps them
// without keeping a file descriptor per run.
func TestMergeHoldsNoDescriptors(t *testing.T) {
	e := open(t, t.TempDir())
	defer e.Close()
	for i := 0; i < 60; i++ {
		if err := e.WriteBatch([][]byte{fmt.Appendf(nil, "k%03d", i)}, [][]byte{[]byte("v")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(ents)
	}
	before, during, n := fds(), 0, 0
	if err := e.Iterate(context.Background(), func(k, v []byte) error {
		if n++; n == 1 {
			during = fds()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 60 || during-before > 5 {
		t.Fatalf("%d pairs; %d descriptors open during the merge of 60 runs, %d before", n, during, before)
	}
	if after := fds(); after != before {
		t.Fatalf("%d descriptors after the merge, %d before", after, before)
	}
}
