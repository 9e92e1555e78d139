package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// downStore fails its first writes as a restarting store does: the
// connection refused or dropped (store.ErrUnavailable).
type downStore struct {
	store.Store
	fails atomic.Int32
}

func (d *downStore) WriteBatch(ctx context.Context, pairs []store.Pair) error {
	if d.fails.Add(-1) >= 0 {
		return fmt.Errorf("ingest into region 2: %w: connection refused", store.ErrUnavailable)
	}
	return d.Store.WriteBatch(ctx, pairs)
}

// TestIngestRetriesUnavailableStore: a store that cannot be reached for
// more attempts than MaxRetries allows (a kill -9 and restart of
// `lightstream store` mid-ingest) is retried until it answers, and the
// ingest completes with exact data instead of stopping the sorter with a
// complete engine not ingested (issue 23: the coordinator then waited
// forever). Other errors still give up after MaxRetries.
func TestIngestRetriesUnavailableStore(t *testing.T) {
	st := openStore(t)
	d := &downStore{Store: st}
	d.fails.Store(5)
	pairs := genPairs(5, 300, 8)
	stats, err := Ingest(context.Background(), d, sliceSource{pairs}, Options{BatchPairs: 1000, Concurrency: 1, MaxRetries: 2})
	if err != nil {
		t.Fatalf("ingest through an unavailable store: %v", err)
	}
	if stats.Retries != 5 {
		t.Errorf("retries = %d, want 5", stats.Retries)
	}
	if got, _ := st.Checksum(context.Background(), tableRange(5)); got != checksumOf(pairs) {
		t.Fatal("checksum mismatch after the store came back")
	}

	f := &flakyStore{Store: st}
	f.fails.Store(5)
	if _, err := Ingest(context.Background(), f, sliceSource{pairs}, Options{BatchPairs: 1000, Concurrency: 1, MaxRetries: 2}); err == nil {
		t.Fatal("a busy store failing 5 times with MaxRetries 2: ingest succeeded")
	}
	if !store.IsRetriable(fmt.Errorf("x: %w", store.ErrUnavailable)) || errors.Is(errBoom, store.ErrUnavailable) {
		t.Fatal("ErrUnavailable is not retriable")
	}
}
