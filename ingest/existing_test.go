package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// metaSource is a sliceSource that keeps metadata, as an engine does.
type metaSource struct {
	sliceSource
	meta map[string][]byte
}

func (m *metaSource) GetMeta(k string) ([]byte, bool, error) { v, ok := m.meta[k]; return v, ok, nil }
func (m *metaSource) SetMeta(k string, v []byte) error       { m.meta[k] = v; return nil }
func (m *metaSource) Sync() error                            { return nil }

var oldValue = []byte{0x80, 'o', 'l', 'd'}

// handle is the row number genPairs gave key.
func handle(key []byte) int { return int(binary.BigEndian.Uint64(key[11:]) ^ 1<<63) }

// TestFindExisting: every key of the source the store holds is found, in
// key order, with both values, across windows of the source's keys; keys
// only one side holds are not.
func TestFindExisting(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	all := genPairs(7, 3000, 8)
	var old, src []store.Pair
	want := map[string]bool{}
	for i, p := range all {
		switch {
		case i%7 == 0: // in both, the store's value differing
			old = append(old, store.Pair{Key: p.Key, Value: oldValue})
			src = append(src, p)
			want[string(p.Key)] = true
		case i%3 == 0:
			old = append(old, p)
		default:
			src = append(src, p)
		}
	}
	if err := st.WriteBatch(ctx, old); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	err := FindExisting(ctx, st, sliceSource{src}, func(_ context.Context, e Existing) error {
		if !want[string(e.Key)] {
			t.Errorf("key %x reported, not in both", e.Key)
		}
		if !bytes.Equal(e.Stored, oldValue) || !bytes.Equal(e.New, all[handle(e.Key)].Value) {
			t.Errorf("key %x: values %x / %x", e.Key, e.Stored, e.New)
		}
		got = append(got, append([]byte(nil), e.Key...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("found %d existing keys, want %d", len(got), len(want))
	}
	for i := 1; i < len(got); i++ {
		if string(got[i-1]) >= string(got[i]) {
			t.Fatal("existing keys not in key order")
		}
	}
}

// TestIngestRefusesExisting: with RefuseExisting, a source holding a key
// the store already has writes nothing and names the key's handle; once a
// source that keeps metadata was checked, an ingest resumed after a crash
// does not take its own pairs from the first attempt for conflicts.
func TestIngestRefusesExisting(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	pairs := genPairs(9, 100, 8)
	if err := st.WriteBatch(ctx, pairs[42:43]); err != nil {
		t.Fatal(err)
	}
	_, err := Ingest(ctx, st, sliceSource{pairs}, Options{Existing: RefuseExisting})
	var ke *KeyExistsError
	if !errors.As(err, &ke) || !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), "handle 42") {
		t.Fatalf("ingest over an existing key: %v", err)
	}
	if c, _ := st.Checksum(ctx, tableRange(9)); c.KVs != 1 {
		t.Fatalf("the refused ingest wrote: the table holds %d pairs", c.KVs)
	}

	st2 := openStore(t)
	src := &metaSource{sliceSource{pairs}, map[string][]byte{}}
	if _, err := Ingest(ctx, st2, src, Options{Existing: RefuseExisting}); err != nil {
		t.Fatal(err)
	}
	if _, ok := src.meta[metaExistingChecked]; !ok {
		t.Fatal("the check was not recorded in the source's metadata")
	}
	// The same source again (a resumed ingest): its pairs are in the store.
	if _, err := Ingest(ctx, st2, src, Options{Existing: RefuseExisting}); err != nil {
		t.Fatalf("resumed ingest took its own pairs for conflicts: %v", err)
	}
	// A source without the record is checked again.
	if _, err := Ingest(ctx, st2, sliceSource{pairs[:3]}, Options{Existing: RefuseExisting}); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("a new source over existing keys: %v", err)
	}
	if c, _ := st2.Checksum(ctx, tableRange(9)); c != checksumOf(pairs) {
		t.Fatalf("store checksum %+v, want %+v", c, checksumOf(pairs))
	}
}
