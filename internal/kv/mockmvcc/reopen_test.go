package mockmvcc

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pingcap/goleveldb/leveldb"
	"github.com/pingcap/goleveldb/leveldb/opt"
	"github.com/pingcap/goleveldb/leveldb/util"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
)

// TestReopen fails if a client-go upgrade moves the mock's database out of
// reach: the stores would then keep the mock's own options. It checks that
// the mock's reads and writes, and Write, go to the reopened database, and
// that the data stays across a reopen.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	rpc, m := openMock(t, dir)
	commitTxn(t, m, "a", "before", 10, 11)
	before := levelDB(m)
	if err := Reopen(m, filepath.Join(dir, "mvcc"), StoreOptions()); err != nil {
		t.Fatalf("reopen the mock's database: %v", err)
	}
	if after := levelDB(m); after == nil || after == before {
		t.Fatalf("levelDB after Reopen: %p, before %p", after, before)
	}
	b := NewBatch(20)
	b.Put([]byte("b"), []byte("bulk"))
	if err := b.Write(m); err != nil {
		t.Fatal(err)
	}
	commitTxn(t, m, "c", "after", 30, 31)
	for k, want := range map[string]string{"a": "before", "b": "bulk", "c": "after"} {
		if got, err := m.Get([]byte(k), 40, kvrpcpb.IsolationLevel_SI, nil); err != nil || string(got) != want {
			t.Errorf("Get(%q) = %q, %v; want %q", k, got, err, want)
		}
	}
	if err := rpc.Close(); err != nil {
		t.Fatalf("the mock closes the reopened database: %v", err)
	}
	rpc, m = openMock(t, dir)
	defer rpc.Close()
	if got, err := m.Get([]byte("b"), 40, kvrpcpb.IsolationLevel_SI, nil); err != nil || string(got) != "bulk" {
		t.Fatalf("after closing and opening again: %q, %v", got, err)
	}

	if err := Reopen(rawOnly{m.(RawKV), m.(RawScanner)}, dir, &opt.Options{}); !errors.Is(err, ErrNotReopened) {
		t.Fatalf("Reopen of another type: %v, want ErrNotReopened", err)
	}
}

// TestSnappyStoreReopens: a store written when StoreOptions compressed
// its blocks with Snappy still reads back whole under the uncompressed
// options, and compacts old and new tables together (goleveldb marks
// each block with its compression).
func TestSnappyStoreReopens(t *testing.T) {
	dir := t.TempDir()
	value := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("value %06d ", i)), 20) }
	put := func(db *leveldb.DB, from, to int) {
		b := new(leveldb.Batch)
		for i := from; i < to; i++ {
			b.Put([]byte(fmt.Sprintf("k%06d", i)), value(i))
		}
		if err := db.Write(b, nil); err != nil {
			t.Fatal(err)
		}
	}
	old := *StoreOptions()
	old.Compression = opt.SnappyCompression
	db, err := leveldb.OpenFile(dir, &old)
	if err != nil {
		t.Fatal(err)
	}
	put(db, 0, 20000)
	if err := db.CompactRange(util.Range{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = leveldb.OpenFile(dir, StoreOptions()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	put(db, 20000, 40000)
	if err := db.CompactRange(util.Range{}); err != nil {
		t.Fatal(err)
	}
	it := db.NewIterator(nil, nil)
	defer it.Release()
	n := 0
	for ; it.Next(); n++ {
		if want := fmt.Sprintf("k%06d", n); string(it.Key()) != want || !bytes.Equal(it.Value(), value(n)) {
			t.Fatalf("record %d: key %q, want %q (or its value differs)", n, it.Key(), want)
		}
	}
	if err := it.Error(); err != nil || n != 40000 {
		t.Fatalf("read %d records back (%v), want 40000", n, err)
	}
}
