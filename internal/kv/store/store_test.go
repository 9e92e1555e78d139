package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tikv/client-go/v2/oracle"
)

// TestChecksumVector checks the SPEC §9 golden vector (from TiDB's
// executor checksum test).
func TestChecksumVector(t *testing.T) {
	var c Checksum
	c.Update([]byte("Cop"), []byte("PingCAP"))
	c.Update([]byte("Introduction"), []byte("Inspired by Google Spanner/F1, PingCAP develops TiDB."))
	if c.Sum != 4850203904608948940 {
		t.Fatalf("sum = %d, want 4850203904608948940", c.Sum)
	}
	if c.KVs != 2 || c.Bytes != uint64(3+7+12+53) {
		t.Fatalf("kvs/bytes = %d/%d", c.KVs, c.Bytes)
	}
}

func genPairs(prefix string, n int) []Pair {
	ps := make([]Pair, n)
	for i := range ps {
		ps[i] = Pair{Key: []byte(fmt.Sprintf("%s%08d", prefix, i)), Value: []byte(fmt.Sprintf("value-%d", i*7))}
	}
	return ps
}

func scanAll(t *testing.T, s Store, start, end []byte) []Pair {
	t.Helper()
	var got []Pair
	err := s.Scan(context.Background(), start, end, func(k, v []byte) error {
		got = append(got, Pair{Key: bytes.Clone(k), Value: bytes.Clone(v)})
		return nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return got
}

func equalPairs(t *testing.T, got, want []Pair) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d pairs, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value) {
			t.Fatalf("pair %d = %q=%q, want %q=%q", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}
}

func TestEmbeddedWriteScanReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	pairs := genPairs("t_", 1000)
	if err := s.WriteBatch(ctx, pairs[:600]); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(ctx, pairs[600:]); err != nil {
		t.Fatal(err)
	}
	// An empty value would be a deletion: rejected, and nothing written.
	if err := s.WriteBatch(ctx, []Pair{{Key: []byte("u_a"), Value: []byte("a")}, {Key: []byte("u_empty")}}); !errors.Is(err, ErrEmptyValue) {
		t.Fatalf("empty value: %v, want ErrEmptyValue", err)
	}
	equalPairs(t, scanAll(t, s, []byte("t_"), []byte("t`")), pairs)
	if got := scanAll(t, s, []byte("u"), nil); len(got) != 0 {
		t.Fatalf("rejected batch partly written: %q", got)
	}
	// A sub-range scan honours both bounds.
	equalPairs(t, scanAll(t, s, pairs[10].Key, pairs[20].Key), pairs[10:20])
	lastTS, err := s.currentTS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(ctx, pairs[:1]); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v, want ErrClosed", err)
	}

	s, err = OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	equalPairs(t, scanAll(t, s, []byte("t_"), []byte("t`")), pairs)
	ts, err := s.currentTS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ts <= lastTS {
		t.Fatalf("TSO went backwards across reopen: %d <= %d", ts, lastTS)
	}
	// Overwrite after reopen: newest version wins.
	if err := s.WriteBatch(ctx, []Pair{{Key: pairs[0].Key, Value: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if got := scanAll(t, s, pairs[0].Key, pairs[1].Key); string(got[0].Value) != "new" {
		t.Fatalf("overwrite: %q", got[0].Value)
	}
}

// TestTSOHighWaterMark simulates a clock that stepped back: a mark far in
// the future is on disk, so every new timestamp must be above it and data
// written now must be visible to later snapshots.
func TestTSOHighWaterMark(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	future := time.Now().Add(time.Hour).UnixMilli()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(future))
	if err := os.WriteFile(filepath.Join(dir, "tso"), b[:], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.currentTS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if oracle.ExtractPhysical(ts) < future {
		t.Fatalf("timestamp %d below high-water mark %d", oracle.ExtractPhysical(ts), future)
	}
	ts2, _ := s.currentTS(ctx)
	if ts2 <= ts {
		t.Fatalf("timestamps not increasing: %d then %d", ts, ts2)
	}
	pairs := genPairs("k", 10)
	if err := s.WriteBatch(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	equalPairs(t, scanAll(t, s, nil, nil), pairs)
}

func TestEmbeddedChecksum(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, b := genPairs("a", 300), genPairs("b", 200)
	for _, ps := range [][]Pair{a, b, genPairs("c", 50)} {
		if err := s.WriteBatch(ctx, ps); err != nil {
			t.Fatal(err)
		}
	}
	var want Checksum
	for _, p := range append(append([]Pair{}, a...), b...) {
		want.Update(p.Key, p.Value)
	}
	got, err := s.Checksum(ctx, []KeyRange{{Start: []byte("a"), End: []byte("b")}, {Start: []byte("b"), End: []byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("checksum = %+v, want %+v", got, want)
	}
	// Overwritten keys count once, with their newest value (MVCC-visible).
	if err := s.WriteBatch(ctx, []Pair{{Key: a[0].Key, Value: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	want.Update(a[0].Key, a[0].Value) // XOR out the old pair...
	want.KVs -= 2
	want.Bytes -= 2 * uint64(len(a[0].Key)+len(a[0].Value))
	want.Update(a[0].Key, []byte("x")) // ...and in the new one.
	got, err = s.Checksum(ctx, []KeyRange{{Start: []byte("a"), End: []byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("after overwrite checksum = %+v, want %+v", got, want)
	}
	// Bulk-written versions over transactional ones: the server-side
	// checksum agrees with the one read through the client.
	if err := s.BulkWrite(ctx, append(genPairs("b", 100), genPairs("d", 100)...)); err != nil {
		t.Fatal(err)
	}
	all := []KeyRange{{Start: []byte("a"), End: []byte("c")}, {Start: []byte("c"), End: nil}}
	got, err = s.Checksum(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	viaClient, err := s.kvStore.Checksum(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if got != viaClient || got.KVs != 300+200+50+100 {
		t.Fatalf("server-side checksum %+v, through the client %+v", got, viaClient)
	}
}

func TestEmbeddedSplitThenWrite(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pairs := genPairs("r", 2000)
	split := [][]byte{pairs[500].Key, pairs[1000].Key, pairs[1500].Key, pairs[1500].Key}
	if err := s.SplitRegions(ctx, split); err != nil {
		t.Fatal(err)
	}
	if n := s.RegionCount(); n != 4 {
		t.Fatalf("regions after split = %d, want 4", n)
	}
	// Splitting at existing boundaries is a no-op.
	if err := s.SplitRegions(ctx, split[:1]); err != nil {
		t.Fatal(err)
	}
	if n := s.RegionCount(); n != 4 {
		t.Fatalf("regions after repeated split = %d, want 4", n)
	}
	// One transaction spanning all regions.
	if err := s.WriteBatch(ctx, pairs); err != nil {
		t.Fatal(err)
	}
	equalPairs(t, scanAll(t, s, nil, nil), pairs)
}

func TestEmbeddedModes(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SwitchMode(ctx, true); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("SwitchMode: %v, want ErrNotSupported", err)
	}
	if !s.ImportMode() {
		t.Fatal("import mode not recorded")
	}
	if err := s.Compact(ctx, nil, nil); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Compact: %v, want ErrNotSupported", err)
	}
}

func TestMain(m *testing.M) {
	quietLogs()
	os.Exit(m.Run())
}

// TestOpenAfterCreateCutShort: a store whose goleveldb creation was killed
// before CURRENT was written opens as a new store.
func TestOpenAfterCreateCutShort(t *testing.T) {
	dir := t.TempDir()
	mvcc := filepath.Join(dir, "mvcc")
	if err := os.MkdirAll(mvcc, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"LOCK", "LOG", "MANIFEST-000000"} {
		if err := os.WriteFile(filepath.Join(mvcc, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatalf("open after a cut-short create: %v", err)
	}
	_ = e.Close()
	// A directory with a journal but no CURRENT is left alone.
	dir2 := t.TempDir()
	mvcc2 := filepath.Join(dir2, "mvcc")
	_ = os.MkdirAll(mvcc2, 0o755)
	_ = os.WriteFile(filepath.Join(mvcc2, "000001.log"), []byte("x"), 0o644)
	if err := dropUnfinishedCreate(mvcc2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mvcc2, "000001.log")); err != nil {
		t.Fatalf("a journal without CURRENT was removed: %v", err)
	}
}
