package mockmvcc

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pingcap/kvproto/pkg/kvrpcpb"
)

// TestIngestMVCC checks an Ingest's versions through the mock's own MVCC
// reads: none before Commit, all after (and after a reopen), newer than
// what was there and older than what comes after; a discarded Ingest
// leaves nothing.
func TestIngestMVCC(t *testing.T) {
	dir := t.TempDir()
	rpc, m := openMock(t, dir)
	commitTxn(t, m, "k0000001", "old", 10, 11)

	in, err := BeginIngest(m)
	if err != nil {
		t.Fatal(err)
	}
	// 6 MB in batches of 2000 versions: goleveldb builds tables as they come.
	value := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100+i%200) }
	b := NewBatch(20)
	const n = 30000
	for i := 0; i < n; i++ {
		b.Put([]byte(fmt.Sprintf("k%07d", i)), value(i))
		if b.Len() == 2000 || i == n-1 {
			if err := in.Write(b); err != nil {
				t.Fatal(err)
			}
			b.Reset(20)
		}
	}
	if got, err := m.Get([]byte("k0000002"), 100, kvrpcpb.IsolationLevel_SI, nil); err != nil || got != nil {
		t.Fatalf("before commit: %q, %v; want nothing", got, err)
	}
	if err := in.Commit(); err != nil {
		t.Fatal(err)
	}
	in.Discard() // after Commit: nothing
	commitTxn(t, m, "k0000003", "txn", 30, 31)

	check := func() {
		t.Helper()
		for _, c := range []struct {
			key  string
			ts   uint64
			want []byte
		}{
			{"k0000001", 15, []byte("old")}, {"k0000001", 20, value(1)},
			{"k0000003", 25, value(3)}, {"k0000003", 31, []byte("txn")},
			{"k0029999", 19, nil}, {"k0029999", 20, value(29999)},
		} {
			got, err := m.Get([]byte(c.key), c.ts, kvrpcpb.IsolationLevel_SI, nil)
			if err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("Get(%q, %d) = %d bytes, %v; want %d", c.key, c.ts, len(got), err, len(c.want))
			}
		}
		if pairs := m.Scan([]byte("k"), []byte("l"), n+1, 25, kvrpcpb.IsolationLevel_SI, nil); len(pairs) != n {
			t.Errorf("scan at 25 finds %d versions, want %d", len(pairs), n)
		}
	}
	check()

	// A discarded Ingest leaves nothing, and writes go on after it.
	in, err = BeginIngest(m)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset(40)
	b.Put([]byte("k0000005"), []byte("discarded"))
	b.Put([]byte("z"), []byte("discarded"))
	if err := in.Write(b); err != nil {
		t.Fatal(err)
	}
	in.Discard()
	commitTxn(t, m, "y", "after", 50, 51)
	if got, _ := m.Get([]byte("z"), 100, kvrpcpb.IsolationLevel_SI, nil); got != nil {
		t.Fatalf("discarded version read: %q", got)
	}

	if err := rpc.Close(); err != nil {
		t.Fatal(err)
	}
	rpc, m = openMock(t, dir)
	defer rpc.Close()
	check()
	if got, _ := m.Get([]byte("k0000005"), 100, kvrpcpb.IsolationLevel_SI, nil); !bytes.Equal(got, value(5)) {
		t.Fatalf("after reopen: the discarded version shows: %q", got)
	}
}
