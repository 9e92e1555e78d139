package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestBulkSession checks a source's session against the client read path:
// nothing it writes is visible before Commit, everything after (across
// reopen too), an aborted session leaves nothing, a transaction that
// comes during a session waits for it and then wins as the newer write,
// and a later session's versions shadow an earlier one's.
func TestBulkSession(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	pairs := genPairs("b", 5000)
	sess, err := s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pairs); i += 700 {
		if err := sess.BulkWrite(ctx, pairs[i:min(i+700, len(pairs))]); err != nil {
			t.Fatal(err)
		}
	}
	if got := scanAll(t, s, []byte("b"), []byte("c")); len(got) != 0 {
		t.Fatalf("%d pairs visible before the session committed", len(got))
	}
	// A transactional write waits for the session: it is a newer write.
	txnDone := make(chan error, 1)
	go func() { txnDone <- s.WriteBatch(ctx, []Pair{{Key: pairs[7].Key, Value: []byte("txn")}}) }()
	select {
	case err := <-txnDone:
		t.Fatalf("a transaction wrote during the session (%v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := sess.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-txnDone; err != nil {
		t.Fatal(err)
	}
	sess.Abort() // after Commit: nothing
	if err := sess.BulkWrite(ctx, pairs[:1]); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after commit: %v, want ErrClosed", err)
	}
	want := append([]Pair{}, pairs...)
	want[7].Value = []byte("txn")
	equalPairs(t, scanAll(t, s, []byte("b"), []byte("c")), want)

	// An aborted session leaves nothing, and the store takes writes again.
	sess, err = s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.BulkWrite(ctx, genPairs("c", 100)); err != nil {
		t.Fatal(err)
	}
	sess.Abort()
	if got := scanAll(t, s, []byte("c"), []byte("d")); len(got) != 0 {
		t.Fatalf("%d pairs of an aborted session visible", len(got))
	}
	if err := s.WriteBatch(ctx, []Pair{{Key: []byte("d1"), Value: []byte("after abort")}}); err != nil {
		t.Fatal(err)
	}

	// A later session rewrites some keys: its versions are the newer ones.
	sess, err = s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again := []Pair{{Key: pairs[7].Key, Value: []byte("second")}, {Key: pairs[8].Key, Value: []byte("second")}}
	if err := sess.BulkWrite(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := sess.BulkWrite(ctx, []Pair{{Key: pairs[9].Key}}); !errors.Is(err, ErrEmptyValue) {
		t.Fatalf("empty value: %v, want ErrEmptyValue", err)
	}
	if err := sess.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want[7].Value, want[8].Value = []byte("second"), []byte("second")
	equalPairs(t, scanAll(t, s, []byte("b"), []byte("c")), want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = OpenEmbedded(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var sum Checksum
	for _, p := range want {
		sum.Update(p.Key, p.Value)
	}
	got, err := s.Checksum(ctx, []KeyRange{{Start: []byte("b"), End: []byte("c")}})
	if err != nil || got != sum {
		t.Fatalf("checksum after reopen %+v, want %+v (%v)", got, sum, err)
	}
	if got := scanAll(t, s, []byte("c"), []byte("d")); len(got) != 0 {
		t.Fatalf("%d pairs of the aborted session came back after reopen", len(got))
	}
}

// TestBulkSessionUncommittedGone: a session the process never committed
// (the store closed under it, as when an import is killed) leaves nothing.
func TestBulkSessionUncommittedGone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 36 MB: goleveldb has written tables of it by now (16 MiB each).
	big := genPairs("b", 36000)
	for i := range big {
		big[i].Value = bytes.Repeat(big[i].Value, 1000/len(big[i].Value)+1)
	}
	if err := sess.BulkWrite(ctx, big); err != nil {
		t.Fatal(err)
	}
	if n := dirBytes(t, dir); n < 24<<20 {
		t.Fatalf("the session wrote %d bytes of tables, want most of its 36 MB", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Commit(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after close: %v, want ErrClosed", err)
	}
	if s, err = OpenEmbedded(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := scanAll(t, s, []byte("b"), []byte("c")); len(got) != 0 {
		t.Fatalf("%d pairs of an uncommitted session visible after reopen", len(got))
	}
	if n := dirBytes(t, dir); n > 2<<20 {
		t.Fatalf("the uncommitted session's tables stay: the store holds %d bytes", n)
	}
}
