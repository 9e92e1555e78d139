package coordinator

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// TestRecordErrorNotRecorded: a failure the checkpoint cannot take is
// said, not dropped.
func TestRecordErrorNotRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint.json")
	cp, err := checkpoint.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &Coordinator{cfg: Config{Checkpoint: cp, Logger: slog.New(slog.DiscardHandler)}}
	if err := c.RecordError(errors.New("sorter 1 failed")); err != nil {
		t.Fatalf("recorded: %v", err)
	}
	if st := cp.Snapshot(); st.Error != "sorter 1 failed" {
		t.Fatalf("checkpoint error %q", st.Error)
	}
	// The save's temporary file cannot be created.
	if err := os.Mkdir(path+".tmp", 0o755); err != nil {
		t.Fatal(err)
	}
	err = c.RecordError(errors.New("sorter 2 failed"))
	if !errors.Is(err, ErrNotRecorded) || !strings.Contains(err.Error(), "sorter 2 failed") || !strings.Contains(err.Error(), "save checkpoint") {
		t.Fatalf("lost record: %v", err)
	}
}

// sortedStore is an in-memory store of sorted keys.
type sortedStore struct {
	store.Store
	keys [][]byte
	// scans counts Scan calls.
	scans int
}

func (s *sortedStore) Scan(_ context.Context, start, end []byte, fn func(k, v []byte) error) error {
	s.scans++
	i := sort.Search(len(s.keys), func(i int) bool { return bytes.Compare(s.keys[i], start) >= 0 })
	for ; i < len(s.keys) && (len(end) == 0 || bytes.Compare(s.keys[i], end) < 0); i++ {
		if err := fn(s.keys[i], nil); err != nil {
			return err
		}
	}
	return nil
}

// TestRowIDBase: the largest handle of a table without a primary key and
// the largest AUTO_INCREMENT value of an index it leads, with keys of the
// neighbouring tables around, in a bounded number of probes.
func TestRowIDBase(t *testing.T) {
	tb := &tablemodel.Table{ID: 50, HandleOffset: -1,
		Columns: []*tablemodel.Column{{Name: "id", AutoIncrement: true}, {Name: "b"}},
		Indexes: []*tablemodel.Index{{ID: 1, Columns: []tablemodel.IndexColumn{{Offset: 0, Length: -1}}}}}
	ix := func(table int64, v int64) []byte {
		k := tidbcodec.AppendIndexPrefix(nil, table, 1)
		k = tidbcodec.AppendCmpInt(append(k, tidbcodec.FlagInt), v)
		return tidbcodec.AppendCmpInt(append(k, tidbcodec.FlagInt), 1)
	}
	st := &sortedStore{keys: [][]byte{
		tidbcodec.AppendRecordKeyInt(nil, 49, 1<<40),
		ix(50, -5), ix(50, 70000), ix(50, 123),
		tidbcodec.AppendRecordKeyInt(nil, 50, -3),
		tidbcodec.AppendRecordKeyInt(nil, 50, 7),
		tidbcodec.AppendRecordKeyInt(nil, 50, 1234),
		tidbcodec.AppendRecordKeyInt(nil, 51, 1<<50),
	}}
	sort.Slice(st.keys, func(i, j int) bool { return bytes.Compare(st.keys[i], st.keys[j]) < 0 })
	base, err := rowIDBase(context.Background(), st, tb)
	if err != nil || base != 70000 {
		t.Fatalf("base %d, %v; want 70000 (the index's largest value)", base, err)
	}
	if st.scans > 2*66 {
		t.Errorf("%d probes", st.scans)
	}
	tb.Indexes = nil
	if base, err = rowIDBase(context.Background(), st, tb); err != nil || base != 1234 {
		t.Fatalf("base %d, %v; want 1234 (the largest handle)", base, err)
	}
	empty := &sortedStore{}
	if base, err = rowIDBase(context.Background(), empty, tb); err != nil || base != 0 {
		t.Fatalf("empty: %d, %v", base, err)
	}
}
