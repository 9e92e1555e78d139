package mockmvcc

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/tikv/client-go/v2/testutils"
)

func openMock(t testing.TB, dir string) (*testutils.MockClient, testutils.MVCCStore) {
	t.Helper()
	rpc, _, _, err := testutils.NewMockTiKV(filepath.Join(dir, "mvcc"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return rpc, rpc.MvccStore
}

// commitTxn writes key=value through the mock's own two-phase commit.
func commitTxn(t *testing.T, m testutils.MVCCStore, key, value string, startTS, commitTS uint64) {
	t.Helper()
	op := kvrpcpb.Op_Put
	if value == "" {
		op = kvrpcpb.Op_Del
	}
	req := &kvrpcpb.PrewriteRequest{Mutations: []*kvrpcpb.Mutation{{Op: op, Key: []byte(key), Value: []byte(value)}},
		PrimaryLock: []byte(key), StartVersion: startTS, LockTtl: 1000, TxnSize: 1}
	for _, err := range m.Prewrite(req) {
		if err != nil {
			t.Fatalf("prewrite %q: %v", key, err)
		}
	}
	if err := m.Commit([][]byte{[]byte(key)}, startTS, commitTS); err != nil {
		t.Fatalf("commit %q: %v", key, err)
	}
}

// TestBatchMVCC checks written versions through the mock's own MVCC reads
// and conflict checks (the independent oracle for the record layout).
func TestBatchMVCC(t *testing.T) {
	dir := t.TempDir()
	rpc, m := openMock(t, dir)
	commitTxn(t, m, "a", "old-a", 10, 11)
	commitTxn(t, m, "b", "newer-b", 29, 30)
	commitTxn(t, m, "d", "old-d", 10, 11)

	// Keys around EncodeBytes' 8-byte groups, and 0xff padding.
	odd := []string{"c", "c123456", "c1234567", "c12345678", "c\xff\xff\xff\xff\xff\xff\xff\xff"}
	b := NewBatch(20)
	b.Grow(3+len(odd), 100)
	b.Put([]byte("a"), []byte("new-a"))
	b.Put([]byte("b"), []byte("bulk-b"))
	for i, k := range odd {
		b.Put([]byte(k), bytes.Repeat([]byte{byte(i)}, 1+i*100))
	}
	b.Delete([]byte("d"))
	if b.Len() != 3+len(odd) || b.CommitTS() != 20 {
		t.Fatalf("Len %d CommitTS %d", b.Len(), b.CommitTS())
	}
	if err := b.Write(m); err != nil {
		t.Fatal(err)
	}

	check := func(m testutils.MVCCStore) {
		t.Helper()
		for _, c := range []struct {
			key  string
			ts   uint64
			want string
		}{
			{"a", 10, ""}, {"a", 11, "old-a"}, {"a", 19, "old-a"}, {"a", 20, "new-a"}, {"a", 1 << 40, "new-a"},
			{"b", 19, ""}, {"b", 20, "bulk-b"}, {"b", 29, "bulk-b"}, {"b", 30, "newer-b"},
			{"d", 19, "old-d"}, {"d", 20, ""}, {"d", 100, ""},
			{"c12", 100, ""},
		} {
			got, err := m.Get([]byte(c.key), c.ts, kvrpcpb.IsolationLevel_SI, nil)
			if err != nil || string(got) != c.want {
				t.Errorf("Get(%q, %d) = %q, %v; want %q", c.key, c.ts, got, err, c.want)
			}
		}
		pairs := m.Scan([]byte("c"), []byte("d"), 100, 25, kvrpcpb.IsolationLevel_SI, nil)
		if len(pairs) != len(odd) {
			t.Fatalf("scan found %d pairs, want %d", len(pairs), len(odd))
		}
		for i, p := range pairs {
			if string(p.Key) != odd[i] || !bytes.Equal(p.Value, bytes.Repeat([]byte{byte(i)}, 1+i*100)) || p.Err != nil {
				t.Errorf("scan pair %d: %q (%d bytes), %v; want %q", i, p.Key, len(p.Value), p.Err, odd[i])
			}
		}
	}
	check(m)

	// The mock's prewrite sees the version as a real write: a transaction
	// that started before it conflicts, one after it does not.
	errs := m.Prewrite(&kvrpcpb.PrewriteRequest{Mutations: []*kvrpcpb.Mutation{{Op: kvrpcpb.Op_Put, Key: []byte("c"), Value: []byte("x")}},
		PrimaryLock: []byte("c"), StartVersion: 15, LockTtl: 1000, TxnSize: 1})
	if len(errs) != 1 || errs[0] == nil {
		t.Fatalf("prewrite at 15 over a version committed at 20: %v, want a write conflict", errs)
	}
	commitTxn(t, m, "c", "txn-c", 40, 41)
	if got, err := m.Get([]byte("c"), 50, kvrpcpb.IsolationLevel_SI, nil); err != nil || string(got) != "txn-c" {
		t.Fatalf("after txn: %q, %v", got, err)
	}

	// A reused batch at a newer TS wins over everything before it.
	b.Reset(60)
	b.Put([]byte("b"), []byte("bulk-b2"))
	if err := b.Write(m); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Get([]byte("b"), 60, kvrpcpb.IsolationLevel_SI, nil); string(got) != "bulk-b2" {
		t.Fatalf("reused batch: %q", got)
	}

	if err := rpc.Close(); err != nil {
		t.Fatal(err)
	}
	rpc, m = openMock(t, dir)
	defer rpc.Close()
	check(m)
}

// TestBatchRecordLengths writes keys and values whose goleveldb record
// lengths take one to three uvarint bytes, through both paths: Write
// encodes the records in goleveldb's batch format itself.
func TestBatchRecordLengths(t *testing.T) {
	for _, direct := range []bool{true, false} {
		rpc, m := openMock(t, t.TempDir())
		var mvcc any = m
		if !direct {
			mvcc = rawOnly{m.(RawKV), m.(RawScanner)}
		}
		b := NewBatch(5)
		sizes := []int{0, 1, 127, 128, 16383, 16384, 1 << 21}
		for i, n := range sizes {
			b.Put(bytes.Repeat([]byte{'k', byte(i)}, 1+n%300), bytes.Repeat([]byte{byte(i)}, 1+n))
		}
		if err := b.Write(mvcc); err != nil {
			t.Fatalf("direct=%v: %v", direct, err)
		}
		for i, n := range sizes {
			got, err := m.Get(bytes.Repeat([]byte{'k', byte(i)}, 1+n%300), 5, kvrpcpb.IsolationLevel_SI, nil)
			if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{byte(i)}, 1+n)) {
				t.Errorf("direct=%v: value %d (%d bytes): got %d bytes, %v", direct, i, 1+n, len(got), err)
			}
		}
		if err := rpc.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBatchErrors(t *testing.T) {
	b := NewBatch(1)
	if err := b.Write(struct{}{}); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	b.Put([]byte("k"), []byte("v"))
	if err := b.Write(struct{}{}); !errors.Is(err, ErrNoRawAccess) {
		t.Fatalf("no raw access: %v", err)
	}
}

// FuzzBatch writes one version of an arbitrary key and value and reads it
// back through the mock's MVCC read at and below its commit TS.
func FuzzBatch(f *testing.F) {
	rpc, m := openMock(f, f.TempDir())
	defer rpc.Close()
	f.Add([]byte("t\x80\x00_r"), []byte("v"), uint64(100))
	f.Add([]byte("12345678"), []byte{}, uint64(2))
	f.Add([]byte{0xff, 0, 0xff}, bytes.Repeat([]byte{1}, 300), uint64(1<<62))
	f.Fuzz(func(t *testing.T, key, value []byte, ts uint64) {
		if len(key) == 0 || ts < 2 || ts == 1<<64-1 {
			return // the mock has no empty key; MaxUint64 is its lock version
		}
		b := NewBatch(ts)
		b.Put(key, value)
		if err := b.Write(m); err != nil {
			t.Fatal(err)
		}
		got, err := m.Get(key, ts, kvrpcpb.IsolationLevel_SI, nil)
		if err != nil || !bytes.Equal(got, value) {
			t.Fatalf("Get at %d = %x, %v; want %x", ts, got, err, value)
		}
		b.Reset(ts)
		b.Delete(key)
		if err := b.Write(m); err != nil {
			t.Fatal(err)
		}
		if got, err := m.Get(key, ts, kvrpcpb.IsolationLevel_SI, nil); err != nil || got != nil {
			t.Fatalf("Get after delete at %d = %x, %v", ts, got, err)
		}
	})
}
