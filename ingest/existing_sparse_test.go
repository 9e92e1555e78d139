package ingest

import (
	"context"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// countingStore counts the store keys Scan visits and the point gets.
type countingStore struct {
	store.Store
	scanned, gets int
}

// countingTxnStore is a countingStore that runs transactions.
type countingTxnStore struct {
	*countingStore
	tx store.Transactional
}

func (c *countingStore) Scan(ctx context.Context, start, end []byte, fn func(k, v []byte) error) error {
	return c.Store.Scan(ctx, start, end, func(k, v []byte) error {
		c.scanned++
		return fn(k, v)
	})
}

func (c countingTxnStore) RunTxn(ctx context.Context, fn func(store.Txn) error) error {
	return c.tx.RunTxn(ctx, func(t store.Txn) error { return fn(&countingTxn{t, c.countingStore}) })
}

type countingTxn struct {
	store.Txn
	c *countingStore
}

func (t *countingTxn) Get(ctx context.Context, k []byte) ([]byte, error) {
	t.c.gets++
	return t.Txn.Get(ctx, k)
}

// TestFindExistingSparse: a few source keys spread over a large table are
// found by reading about as many keys as the source has, not the table.
func TestFindExistingSparse(t *testing.T) {
	ctx := context.Background()
	emb := openStore(t)
	all := genPairs(7, 40000, 8)
	var old, src []store.Pair
	want := 0
	for i, p := range all {
		if i%2 == 0 {
			old = append(old, p)
		}
		if i%1000 == 0 || i%1000 == 1 {
			src = append(src, p)
			if i%2 == 0 {
				want++
			}
		}
	}
	if err := emb.BulkWrite(ctx, old); err != nil {
		t.Fatal(err)
	}
	withTxn, scans := &countingStore{Store: emb}, &countingStore{Store: scanOnly{emb}}
	for _, c := range []struct {
		st      store.Store
		counted *countingStore
	}{{countingTxnStore{withTxn, emb}, withTxn}, {scans, scans}} {
		st := c.counted
		found := 0
		err := FindExisting(ctx, c.st, sliceSource{src}, func(_ context.Context, e Existing) error {
			if handle(e.Key)%2 != 0 {
				t.Errorf("key %d reported, the store does not hold it", handle(e.Key))
			}
			found++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if found != want {
			t.Errorf("found %d, want %d", found, want)
		}
		if read := st.scanned + st.gets; read > 4*len(src)+200 {
			t.Errorf("read %d store keys (%d scanned, %d gets) for %d source keys in a table of %d", read, st.scanned, st.gets, len(src), len(old))
		}
	}
}

// scanOnly hides the store's transactions.
type scanOnly struct{ store.Store }
