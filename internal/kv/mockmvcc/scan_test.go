package mockmvcc

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pingcap/kvproto/pkg/kvrpcpb"
)

// TestScanMatchesMockReads writes versions through the mock's own
// transactions (puts, deletes, rollbacks) and through batches, across
// more keys than one scan page, then checks Scan against the mock's own
// MVCC scan at several read timestamps.
// rawOnly hides the mock's type, so that Write and Scan take the RawKV
// path instead of the goleveldb database.
type rawOnly struct {
	RawKV
	RawScanner
}

func TestLevelDBReached(t *testing.T) {
	_, m := openMock(t, t.TempDir())
	if levelDB(m) == nil {
		t.Fatalf("the goleveldb database of %T is not reachable: Write and Scan fall back to the mock's Raw* methods", m)
	}
	if levelDB(rawOnly{m.(RawKV), m.(RawScanner)}) != nil || levelDB(struct{}{}) != nil || levelDB(nil) != nil {
		t.Fatal("levelDB reached a database behind another type")
	}
}

func TestScanMatchesMockReads(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprintf("leveldb=%v", direct), func(t *testing.T) { testScanMatchesMockReads(t, direct) })
	}
}

func testScanMatchesMockReads(t *testing.T, direct bool) {
	_, m := openMock(t, t.TempDir())
	var store any = m
	if !direct {
		store = rawOnly{m.(RawKV), m.(RawScanner)}
	}
	r := rand.New(rand.NewPCG(11, 12))
	keys := make([]string, 0, 3*scanPage)
	for i := 0; i < 3*scanPage; i++ {
		keys = append(keys, fmt.Sprintf("k%06d", i))
	}
	ts := uint64(10)
	for round := 0; round < 3; round++ {
		b := NewBatch(ts + 1)
		for i, k := range keys {
			if r.IntN(3) == 0 {
				if r.IntN(4) == 0 {
					b.Delete([]byte(k))
				} else {
					b.Put([]byte(k), fmt.Appendf(nil, "bulk-%d-%d", round, i))
				}
			}
		}
		if err := b.Write(store); err != nil {
			t.Fatal(err)
		}
		ts += 10
		for j := 0; j < 50; j++ {
			k := keys[r.IntN(len(keys))]
			v := ""
			if r.IntN(3) > 0 {
				v = fmt.Sprintf("txn-%d-%d", round, j)
			}
			commitTxn(t, m, k, v, ts, ts+1)
			ts += 2
		}
		// A rolled-back transaction leaves a rollback record.
		k := []byte(keys[r.IntN(len(keys))])
		m.Prewrite(&kvrpcpb.PrewriteRequest{Mutations: []*kvrpcpb.Mutation{{Op: kvrpcpb.Op_Put, Key: k, Value: []byte("x")}},
			PrimaryLock: k, StartVersion: ts, LockTtl: 1000, TxnSize: 1})
		if err := m.Rollback([][]byte{k}, ts); err != nil {
			t.Fatal(err)
		}
		ts += 10
	}
	for _, readTS := range []uint64{5, 11, 25, 40, ts / 2, ts} {
		for _, rng := range [][2][]byte{{nil, nil}, {[]byte("k000100"), []byte("k009000")}} {
			want := map[string]string{}
			for _, p := range m.Scan(rng[0], rng[1], 1<<30, readTS, kvrpcpb.IsolationLevel_SI, nil) {
				if p.Err != nil {
					t.Fatal(p.Err)
				}
				want[string(p.Key)] = string(p.Value)
			}
			got := map[string]string{}
			var prev []byte
			err := Scan(store, rng[0], rng[1], readTS, func(k, v []byte) error {
				if prev != nil && bytes.Compare(prev, k) >= 0 {
					return fmt.Errorf("key %q after %q", k, prev)
				}
				prev = append(prev[:0], k...)
				got[string(k)] = string(v)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("ts %d range %q: %d keys, mock reads %d", readTS, rng, len(got), len(want))
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("ts %d: key %q = %q, mock reads %q", readTS, k, got[k], v)
				}
			}
		}
	}
}

// TestScanLocked: an unresolved lock stops Scan with ErrLocked.
func TestScanLocked(t *testing.T) {
	_, m := openMock(t, t.TempDir())
	commitTxn(t, m, "a", "1", 10, 11)
	m.Prewrite(&kvrpcpb.PrewriteRequest{Mutations: []*kvrpcpb.Mutation{{Op: kvrpcpb.Op_Put, Key: []byte("b"), Value: []byte("2")}},
		PrimaryLock: []byte("b"), StartVersion: 20, LockTtl: 1000, TxnSize: 1})
	err := Scan(m, nil, nil, 30, func(k, v []byte) error { return nil })
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Scan over a lock: %v", err)
	}
}
