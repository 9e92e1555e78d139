package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pingcap/log"
	tikverr "github.com/tikv/client-go/v2/error"
	"go.uber.org/zap/zapcore"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/ops/leakcheck"
)

func TestMain(m *testing.M) {
	log.SetLevel(zapcore.WarnLevel) // client-go logs region changes at INFO
	// Every goroutine ingest starts has an owner that waits for it.
	leakcheck.Main(m)
}

// sliceSource yields fixed pairs; sized adds the Sizer interface.
type sliceSource struct{ pairs []store.Pair }

func (s sliceSource) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	var kbuf, vbuf []byte
	for _, p := range s.pairs {
		// Reuse one buffer, like an engine iterator: Ingest must copy.
		kbuf = append(kbuf[:0], p.Key...)
		vbuf = append(vbuf[:0], p.Value...)
		if err := fn(kbuf, vbuf); err != nil {
			return err
		}
	}
	return nil
}

type sizedSource struct{ sliceSource }

func (s sizedSource) Stats() (uint64, uint64) {
	var b uint64
	for _, p := range s.pairs {
		b += uint64(len(p.Key) + len(p.Value))
	}
	return uint64(len(s.pairs)), b
}

// recordKey builds a TiDB record key t{tableID}_r{handle} (SPEC: tablecodec)
// with a row-sized value.
func genPairs(tableID int64, n int, valueLen int) []store.Pair {
	ps := make([]store.Pair, n)
	for i := range ps {
		k := make([]byte, 0, 19)
		k = append(k, 't')
		k = binary.BigEndian.AppendUint64(k, uint64(tableID)^1<<63)
		k = append(k, '_', 'r')
		k = binary.BigEndian.AppendUint64(k, uint64(i)^1<<63)
		v := bytes.Repeat([]byte{byte(i)}, valueLen)
		v[0] = 0x80 // non-empty, row format v2 marker
		ps[i] = store.Pair{Key: k, Value: v}
	}
	return ps
}

func checksumOf(ps []store.Pair) store.Checksum {
	var c store.Checksum
	for _, p := range ps {
		c.Update(p.Key, p.Value)
	}
	return c
}

func tableRange(tableID int64) []store.KeyRange {
	s := binary.BigEndian.AppendUint64([]byte{'t'}, uint64(tableID)^1<<63)
	e := binary.BigEndian.AppendUint64([]byte{'t'}, uint64(tableID+1)^1<<63)
	return []store.KeyRange{{Start: s, End: e}}
}

func openStore(t testing.TB) *store.Embedded {
	t.Helper()
	st, err := store.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestIngestChecksum(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			ctx := context.Background()
			st := openStore(t)
			pairs := genPairs(42, 5000, 40)
			want := checksumOf(pairs)
			opts := Options{BatchPairs: 300, BatchBytes: 8 << 10, Concurrency: 3, Bulk: bulk}
			stats, err := Ingest(ctx, st, sliceSource{pairs}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Checksum != want || stats.Pairs != 5000 || stats.Bytes != want.Bytes {
				t.Fatalf("stats %+v, want checksum %+v", stats, want)
			}
			if stats.Batches < 5000/300 {
				t.Fatalf("batches = %d, want >= %d", stats.Batches, 5000/300)
			}
			got, err := st.Checksum(ctx, tableRange(42))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("store checksum %+v, want %+v", got, want)
			}
			// Re-ingest (crash recovery): same visible data.
			if _, err := Ingest(ctx, st, sliceSource{pairs}, Options{Concurrency: 2, Bulk: bulk}); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Checksum(ctx, tableRange(42)); got != want {
				t.Fatalf("after re-ingest checksum %+v, want %+v", got, want)
			}
			// Export reads back exactly the source.
			i := 0
			err = ReadTable(ctx, st, tableRange(42)[0].Start, tableRange(42)[0].End, func(k, v []byte) error {
				if !bytes.Equal(k, pairs[i].Key) || !bytes.Equal(v, pairs[i].Value) {
					return fmt.Errorf("pair %d differs", i)
				}
				i++
				return nil
			})
			if err != nil || i != len(pairs) {
				t.Fatalf("ReadTable: %v after %d pairs", err, i)
			}
		})
	}
}

func TestIngestPresplit(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pairs := genPairs(7, 4000, 100) // ~476 KB
	stats, err := Ingest(ctx, st, sizedSource{sliceSource{pairs}}, Options{SplitEvery: 100 << 10, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Splits != 4 || st.RegionCount() != 5 {
		t.Fatalf("splits = %d, regions = %d, want 4 and 5", stats.Splits, st.RegionCount())
	}
	if got, _ := st.Checksum(ctx, tableRange(7)); got != checksumOf(pairs) {
		t.Fatalf("checksum %+v, want %+v", got, checksumOf(pairs))
	}
	// Without Sizer there is no pre-split.
	st2 := openStore(t)
	if stats, err := Ingest(ctx, st2, sliceSource{pairs}, Options{SplitEvery: 100 << 10}); err != nil || stats.Splits != 0 {
		t.Fatalf("unsized: splits %d, err %v", stats.Splits, err)
	}
}

func TestIngestUnsorted(t *testing.T) {
	st := openStore(t)
	pairs := genPairs(1, 10, 8)
	pairs[5], pairs[6] = pairs[6], pairs[5]
	if _, err := Ingest(context.Background(), st, sliceSource{pairs}, Options{}); !errors.Is(err, ErrUnsorted) {
		t.Fatalf("err = %v, want ErrUnsorted", err)
	}
	dup := genPairs(1, 3, 8)
	dup[2] = dup[1]
	if _, err := Ingest(context.Background(), st, sliceSource{dup}, Options{}); !errors.Is(err, ErrUnsorted) {
		t.Fatalf("duplicate key: err = %v, want ErrUnsorted", err)
	}
}

// flakyStore fails the first n writes with a retriable TiKV error.
type flakyStore struct {
	store.Store
	fails atomic.Int32
}

func (f *flakyStore) WriteBatch(ctx context.Context, pairs []store.Pair) error {
	if f.fails.Add(-1) >= 0 {
		return fmt.Errorf("prewrite: %w", tikverr.ErrTiKVServerBusy)
	}
	return f.Store.WriteBatch(ctx, pairs)
}

func TestIngestRetry(t *testing.T) {
	st := openStore(t)
	f := &flakyStore{Store: st}
	f.fails.Store(3)
	pairs := genPairs(3, 1000, 8)
	stats, err := Ingest(context.Background(), f, sliceSource{pairs}, Options{BatchPairs: 100, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Retries != 3 {
		t.Fatalf("retries = %d, want 3", stats.Retries)
	}
	if got, _ := st.Checksum(context.Background(), tableRange(3)); got != checksumOf(pairs) {
		t.Fatal("checksum mismatch after retries")
	}
	// A non-retriable error fails at once.
	f.fails.Store(0)
	bad := &failStore{Store: st}
	if _, err := Ingest(context.Background(), bad, sliceSource{pairs}, Options{}); !errors.Is(err, errBoom) || bad.calls.Load() > DefaultConcurrency {
		t.Fatalf("err = %v after %d calls", err, bad.calls.Load())
	}
	// Bulk needs a BulkWriter.
	if _, err := Ingest(context.Background(), bad, sliceSource{pairs}, Options{Bulk: true}); !errors.Is(err, ErrBulkUnsupported) {
		t.Fatalf("bulk on plain store: %v", err)
	}
}

var errBoom = errors.New("boom")

type failStore struct {
	store.Store
	calls atomic.Int32
}

func (f *failStore) WriteBatch(context.Context, []store.Pair) error {
	f.calls.Add(1)
	return errBoom
}

// endlessSource yields increasing keys until its context ends.
type endlessSource struct{}

func (endlessSource) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	for i := uint64(0); ; i++ {
		k := binary.BigEndian.AppendUint64([]byte("e"), i)
		if err := fn(k, []byte("value")); err != nil {
			return err
		}
	}
}

func TestIngestCancel(t *testing.T) {
	st := openStore(t)
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Ingest(ctx, st, endlessSource{}, Options{BatchPairs: 500, Concurrency: 3})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ingest did not stop after cancel")
	}
	// Every goroutine Ingest started has exited (client-go may take a moment
	// to finish an in-flight commit's secondary work).
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines left, had %d:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

func TestOptionsAdjust(t *testing.T) {
	for _, o := range []Options{{BatchBytes: MaxBatchBytes + 1}, {BatchPairs: -1}, {Concurrency: -2}, {SplitEvery: -1}} {
		if err := o.adjust(); err == nil {
			t.Errorf("%+v: want error", o)
		}
	}
	var o Options
	if err := o.adjust(); err != nil || o.BatchBytes != DefaultBatchBytes || o.Concurrency != DefaultConcurrency {
		t.Fatalf("defaults: %+v %v", o, err)
	}
}

func benchIngest(b *testing.B, opts Options) {
	pairs := genPairs(100, 200_000, 60)
	b.ResetTimer()
	var total Stats
	for range b.N {
		b.StopTimer()
		st, err := store.OpenEmbedded(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		stats, err := Ingest(context.Background(), st, sliceSource{pairs}, opts)
		if err != nil {
			b.Fatal(err)
		}
		total.Pairs += stats.Pairs
		total.Bytes += stats.Bytes
		total.Elapsed += stats.Elapsed
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(total.PairsPerSec(), "pairs/s")
	b.ReportMetric(total.MBPerSec(), "MB/s")
}

func BenchmarkIngestTxn(b *testing.B) { benchIngest(b, Options{}) }

func BenchmarkIngestBulk(b *testing.B) { benchIngest(b, Options{Bulk: true}) }

// indexPairs returns n index keys of table tableID, index indexID.
func indexPairs(tableID, indexID int64, n int) []store.Pair {
	ps := make([]store.Pair, n)
	for i := range ps {
		k := binary.BigEndian.AppendUint64([]byte{'t'}, uint64(tableID)^1<<63)
		k = append(k, '_', 'i')
		k = binary.BigEndian.AppendUint64(k, uint64(indexID)^1<<63)
		k = binary.BigEndian.AppendUint64(k, uint64(i))
		ps[i] = store.Pair{Key: k, Value: []byte{'0'}}
	}
	return ps
}

func TestIngestSpans(t *testing.T) {
	idx1, idx2, rec := indexPairs(7, 1, 30), indexPairs(7, 2, 1), genPairs(7, 50, 8)
	var all []store.Pair
	for _, ps := range [][]store.Pair{idx1, idx2, rec} {
		all = append(all, ps...)
	}
	keySpace := func(k []byte) int {
		switch k[10] {
		case 'i':
			return 19
		case 'r':
			return 11
		}
		return 0
	}
	stats, err := Ingest(context.Background(), openStore(t), sliceSource{all}, Options{Bulk: true, KeySpace: keySpace})
	if err != nil {
		t.Fatal(err)
	}
	want := []Span{
		{idx1[0].Key, idx1[29].Key},
		{idx2[0].Key, idx2[0].Key},
		{rec[0].Key, rec[49].Key},
	}
	if len(stats.Spans) != len(want) {
		t.Fatalf("%d spans, want %d: %x", len(stats.Spans), len(want), stats.Spans)
	}
	for i, s := range stats.Spans {
		if !bytes.Equal(s.First, want[i].First) || !bytes.Equal(s.Last, want[i].Last) {
			t.Errorf("span %d = [%x, %x], want [%x, %x]", i, s.First, s.Last, want[i].First, want[i].Last)
		}
	}
	if end := want[2].End(); !bytes.Equal(end, append(bytes.Clone(rec[49].Key), 0)) {
		t.Errorf("End() = %x", end)
	}
	stats, err = Ingest(context.Background(), openStore(t), sliceSource{all}, Options{Bulk: true})
	if err != nil || stats.Spans != nil {
		t.Errorf("without KeySpace: spans %x, err %v", stats.Spans, err)
	}
}

// TestIngestSerialStore checks that two sources ingested at once into the
// embedded store (a store.SerialBulkWriter) take turns: the second waits
// for the first to finish, and both land.
func TestIngestSerialStore(t *testing.T) {
	st := openStore(t)
	a, b := genPairs(1, 3000, 100), genPairs(2, 3000, 100)
	release, err := st.AcquireBulk(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Stats, 2)
	errs := make(chan error, 2)
	started := make(chan struct{}, 2)
	for _, ps := range [][]store.Pair{a, b} {
		go func() {
			started <- struct{}{}
			s, err := Ingest(context.Background(), st, sliceSource{ps}, Options{Bulk: true})
			done <- s
			errs <- err
		}()
	}
	// Both goroutines run (a loaded machine may start them late), then
	// the store stays held for 100 ms.
	<-started
	<-started
	select {
	case <-done:
		t.Fatal("an ingest ran while the store's bulk path was held")
	case <-time.After(100 * time.Millisecond):
	}
	release()
	var waited int
	for range 2 {
		s := <-done
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if s.Waited >= 80*time.Millisecond { // 100 ms, less the start of Ingest before it waits
			waited++
		}
		if s.Batches != 1 {
			t.Errorf("%d batches of 3000 pairs, want one of the store's %d bytes", s.Batches, st.BulkBatchBytes(true))
		}
	}
	if waited != 2 {
		t.Errorf("%d ingests waited for the held store, want 2", waited)
	}
	for i, ps := range [][]store.Pair{a, b} {
		got, err := st.Checksum(context.Background(), tableRange(int64(i+1)))
		if err != nil || got != checksumOf(ps) {
			t.Errorf("table %d: store %+v, want %+v (%v)", i+1, got, checksumOf(ps), err)
		}
	}
	// A cancelled wait returns the context's error.
	release, _ = st.AcquireBulk(context.Background(), 0)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Ingest(ctx, st, sliceSource{a}, Options{Bulk: true}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ingest waiting past its deadline: %v", err)
	}
}

// TestIngestSerialStoreBatchSizes: on a serial store a source's first
// batch is the store's first-batch size and the rest its batch size.
func TestIngestSerialStoreBatchSizes(t *testing.T) {
	st := openStore(t)
	pairs := genPairs(3, 9000, 1000) // about 9 MB of keys and values
	stats, err := Ingest(context.Background(), st, sliceSource{pairs}, Options{Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	first, rest := st.BulkBatchBytes(true), st.BulkBatchBytes(false)
	size := int(stats.Bytes)
	want := 1 + (size-first+rest-1)/rest
	if stats.Batches != uint64(want) {
		t.Errorf("%d bytes in %d batches, want %d (first %d bytes, then %d)", size, stats.Batches, want, first, rest)
	}
	if got, err := st.Checksum(context.Background(), tableRange(3)); err != nil || got != checksumOf(pairs) {
		t.Errorf("store %+v, want %+v (%v)", got, checksumOf(pairs), err)
	}
}

// failingSource yields its pairs, then fails.
type failingSource struct{ pairs []store.Pair }

var errSourceBroke = errors.New("source broke")

func (s failingSource) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	if err := (sliceSource{s.pairs}).Iterate(ctx, fn); err != nil {
		return err
	}
	return errSourceBroke
}

// TestIngestSessionAtomic: on the embedded store (a store.SourceBulkWriter)
// a source is one atomic write: a source that fails after many batches
// leaves none of them in the store, and its ingest again lands whole.
func TestIngestSessionAtomic(t *testing.T) {
	st := openStore(t)
	pairs := genPairs(4, 20000, 500) // about 10 MB: ten batches
	stats, err := Ingest(context.Background(), st, failingSource{pairs}, Options{Bulk: true})
	if !errors.Is(err, errSourceBroke) {
		t.Fatalf("ingest of a failing source: %v", err)
	}
	if stats.Batches < 5 {
		t.Fatalf("%d batches written before the source failed, want many", stats.Batches)
	}
	if got, err := st.Checksum(context.Background(), tableRange(4)); err != nil || got.KVs != 0 {
		t.Fatalf("a failed source left %+v in the store (%v)", got, err)
	}
	if _, err := Ingest(context.Background(), st, sliceSource{pairs}, Options{Bulk: true}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Checksum(context.Background(), tableRange(4)); err != nil || got != checksumOf(pairs) {
		t.Fatalf("store %+v, want %+v (%v)", got, checksumOf(pairs), err)
	}
}
