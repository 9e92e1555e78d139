package sorter

import (
	"bytes"
	"context"
	"sort"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// keyStore is a store of sorted keys that only scans.
type keyStore struct {
	store.Store
	keys [][]byte
}

func (s *keyStore) Scan(_ context.Context, start, end []byte, fn func(k, v []byte) error) error {
	sort.Slice(s.keys, func(i, j int) bool { return bytes.Compare(s.keys[i], s.keys[j]) < 0 })
	for _, k := range s.keys {
		if bytes.Compare(k, start) >= 0 && (len(end) == 0 || bytes.Compare(k, end) < 0) {
			if err := fn(k, []byte("stored")); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestExistingGroupsOnce: the keys of a partition the table holds are
// groups whose first row is the table's (conflict.StorePos) with every
// row of the partition holding the key; found once, so that a resumed run
// does not take the pairs its first attempt ingested for the table's.
func TestExistingGroupsOnce(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	rec := func(h int64) []byte { return tidbcodec.AppendRecordKey(nil, 9, tidbcodec.IntHandle(h)) }
	var keys, vals [][]byte
	for i, h := range []int64{1, 2, 2, 3} {
		keys = append(keys, conflict.AppendSuffix(nil, rec(h), conflict.Pos{Chunk: 1, Offset: int64(i)}))
		vals = append(vals, []byte("new"))
	}
	if err := eng.WriteBatch(keys, vals, nil); err != nil {
		t.Fatal(err)
	}
	st := &keyStore{keys: [][]byte{rec(2), rec(7)}}
	s := &partitionSorter{cfg: Config{Store: st}}
	groups, err := s.existingGroupsOnce(ctx, eng, &keyedRanges{eng: eng})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || !bytes.Equal(groups[0].Key, rec(2)) || len(groups[0].Holders) != 3 ||
		groups[0].Holders[0].Pos != conflict.StorePos || groups[0].Holders[1].Pos.Offset != 1 || groups[0].Holders[2].Pos.Offset != 2 {
		t.Fatalf("groups %+v", groups)
	}
	// The first attempt's ingest wrote handles 1 and 3: not the table's.
	st.keys = append(st.keys, rec(1), rec(3))
	again, err := s.existingGroupsOnce(ctx, eng, &keyedRanges{eng: eng})
	if err != nil || len(again) != 1 || !bytes.Equal(again[0].Key, rec(2)) {
		t.Fatalf("resumed: %+v, %v", again, err)
	}
}
