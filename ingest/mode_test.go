package ingest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// bulkRecorder is an embedded store that records splits and bulk batches.
type bulkRecorder struct {
	*store.Embedded
	mu      sync.Mutex
	splits  [][]byte
	batches [][]store.Pair
	txns    int
}

func (b *bulkRecorder) SplitRegions(ctx context.Context, keys [][]byte) error {
	b.mu.Lock()
	b.splits = append(b.splits, keys...)
	b.mu.Unlock()
	return b.Embedded.SplitRegions(ctx, keys)
}

func (b *bulkRecorder) BulkWrite(ctx context.Context, pairs []store.Pair) error {
	b.mu.Lock()
	b.batches = append(b.batches, append([]store.Pair(nil), pairs...))
	b.mu.Unlock()
	return b.Embedded.BulkWrite(ctx, pairs)
}

// BeginBulk records the batches of a source's session too.
func (b *bulkRecorder) BeginBulk(ctx context.Context) (store.BulkSession, error) {
	sess, err := b.Embedded.BeginBulk(ctx)
	if err != nil {
		return nil, err
	}
	return &sessionRecorder{BulkSession: sess, rec: b}, nil
}

type sessionRecorder struct {
	store.BulkSession
	rec *bulkRecorder
}

func (s *sessionRecorder) BulkWrite(ctx context.Context, pairs []store.Pair) error {
	s.rec.mu.Lock()
	s.rec.batches = append(s.rec.batches, append([]store.Pair(nil), pairs...))
	s.rec.mu.Unlock()
	return s.BulkSession.BulkWrite(ctx, pairs)
}

func (b *bulkRecorder) WriteBatch(ctx context.Context, pairs []store.Pair) error {
	b.mu.Lock()
	b.txns++
	b.mu.Unlock()
	return b.Embedded.WriteBatch(ctx, pairs)
}

// txnOnly hides the embedded store's BulkWriter.
type txnOnly struct{ store.Store }

func TestParseMode(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Mode
		ok   bool
	}{{"", ModeAuto, true}, {"auto", ModeAuto, true}, {"physical", ModePhysical, true}, {"txn", ModeTxn, true}, {"local", "", false}, {"TXN", "", false}} {
		got, err := ParseMode(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseMode(%q) = %q, %v", c.in, got, err)
		}
	}
	if _, err := Ingest(context.Background(), openStore(t), sliceSource{}, Options{Mode: "bogus"}); err == nil {
		t.Error("bogus mode accepted")
	}
}

// TestPhysicalPlansRegions: physical mode splits at the engine's first key,
// every SplitEvery bytes and after its last key, and no batch crosses a
// split key (each batch is one region's).
func TestPhysicalPlansRegions(t *testing.T) {
	ctx := context.Background()
	rec := &bulkRecorder{Embedded: openStore(t)}
	pairs := genPairs(7, 3000, 100) // ~ 357 KB
	stats, err := Ingest(ctx, rec, sliceSource{pairs}, Options{Mode: ModeAuto, SplitEvery: 64 << 10, BatchPairs: 1000, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Mode != ModePhysical || rec.txns != 0 {
		t.Fatalf("mode %q, %d transactions", stats.Mode, rec.txns)
	}
	// 119 bytes per pair: a split every ceil(65536/119)=551 pairs.
	if len(rec.splits) != 3000/551+1+1 || !bytes.Equal(rec.splits[0], pairs[0].Key) || !bytes.Equal(rec.splits[1], pairs[551].Key) {
		t.Fatalf("%d split keys, first %x second %x", len(rec.splits), rec.splits[0], rec.splits[1])
	}
	lastSplit := rec.splits[len(rec.splits)-1]
	if bytes.Compare(lastSplit, pairs[len(pairs)-1].Key) <= 0 {
		t.Fatalf("last split %x not after the last key", lastSplit)
	}
	for _, b := range rec.batches {
		for _, s := range rec.splits {
			if bytes.Compare(b[0].Key, s) < 0 && bytes.Compare(b[len(b)-1].Key, s) >= 0 {
				t.Fatalf("batch [%x, %x] crosses split key %x", b[0].Key, b[len(b)-1].Key, s)
			}
		}
	}
	if stats.Batches != uint64(len(rec.batches)) || len(rec.batches) < 6 {
		t.Fatalf("%d batches, stats %d", len(rec.batches), stats.Batches)
	}
	if got, _ := rec.Checksum(ctx, tableRange(7)); got != checksumOf(pairs) || got != stats.Checksum {
		t.Fatalf("store checksum %+v, want %+v", got, checksumOf(pairs))
	}
}

func TestTxnModeAndFallback(t *testing.T) {
	ctx := context.Background()
	rec := &bulkRecorder{Embedded: openStore(t)}
	pairs := genPairs(8, 500, 20)
	stats, err := Ingest(ctx, rec, sliceSource{pairs}, Options{Mode: ModeTxn, BatchPairs: 100})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Mode != ModeTxn || rec.txns != 5 || len(rec.batches) != 0 || len(rec.splits) != 0 {
		t.Fatalf("mode %q: %d txns, %d bulk batches, %d splits", stats.Mode, rec.txns, len(rec.batches), len(rec.splits))
	}
	// Auto on a store without a bulk path falls back to transactions;
	// asking for physical there is an error.
	plain := txnOnly{openStore(t)}
	if stats, err := Ingest(ctx, plain, sliceSource{pairs}, Options{Mode: ModeAuto}); err != nil || stats.Mode != ModeTxn {
		t.Fatalf("auto on txn-only store: %q, %v", stats.Mode, err)
	}
	if _, err := Ingest(ctx, plain, sliceSource{pairs}, Options{Mode: ModePhysical}); !errors.Is(err, ErrBulkUnsupported) {
		t.Fatalf("physical on txn-only store: %v", err)
	}
	if got, _ := plain.Checksum(ctx, tableRange(8)); got != checksumOf(pairs) {
		t.Fatal("txn fallback checksum mismatch")
	}
}
