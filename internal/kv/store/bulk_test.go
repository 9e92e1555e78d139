package store

import (
	"context"
	"errors"
	"testing"
)

// TestBulkWriteVisible checks the bulk path against the client read path:
// what BulkWrite stores must be what a client snapshot reads, persist across
// reopen, and order correctly with transactional writes (newest wins).
func TestBulkWriteVisible(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	pairs := genPairs("b", 3000)
	// Keys needing EncodeBytes padding edge cases: 0, 7, 8, 9 bytes, 0xff.
	odd := []Pair{{Key: []byte("c"), Value: []byte{0}}, {Key: []byte("c1234567"), Value: []byte("8")},
		{Key: []byte("c12345678"), Value: []byte("9")}, {Key: []byte("c\xff\xff\xff\xff\xff\xff\xff\xff"), Value: make([]byte, 300)}}
	if err := s.BulkWrite(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	if err := s.BulkWrite(ctx, odd); err != nil {
		t.Fatal(err)
	}
	equalPairs(t, scanAll(t, s, []byte("b"), []byte("c")), pairs)
	equalPairs(t, scanAll(t, s, []byte("c"), []byte("d")), odd)
	// A transaction after a bulk write overwrites it, and vice versa.
	if err := s.WriteBatch(ctx, []Pair{{Key: pairs[1].Key, Value: []byte("txn")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.BulkWrite(ctx, []Pair{{Key: pairs[2].Key, Value: []byte("bulk")}}); err != nil {
		t.Fatal(err)
	}
	want := append([]Pair{}, pairs...)
	want[1].Value, want[2].Value = []byte("txn"), []byte("bulk")
	equalPairs(t, scanAll(t, s, []byte("b"), []byte("c")), want)
	if err := s.BulkWrite(ctx, []Pair{{Key: []byte("e"), Value: nil}}); !errors.Is(err, ErrEmptyValue) {
		t.Fatalf("empty value: %v", err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if got != sum {
		t.Fatalf("checksum after reopen %+v, want %+v", got, sum)
	}
}
