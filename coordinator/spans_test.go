package coordinator

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func part(sum uint64, kvs uint64, spans ...string) *lsv1.PartitionIngested {
	p := &lsv1.PartitionIngested{StoreChecksum: &lsv1.StoreChecksum{Checksum: sum, Kvs: kvs, Bytes: 10 * kvs}}
	for i := 0; i+1 < len(spans); i += 2 {
		p.Spans = append(p.Spans, &lsv1.KeySpan{First: []byte(spans[i]), Last: []byte(spans[i+1])})
	}
	return p
}

func rangesString(rs []store.KeyRange) string {
	var b bytes.Buffer
	for _, r := range rs {
		fmt.Fprintf(&b, "[%q,%q)", r.Start, r.End)
	}
	return b.String()
}

func TestSpanPlan(t *testing.T) {
	table := []store.KeyRange{{Start: []byte("t1"), End: []byte("t2")}}
	t.Run("disjoint", func(t *testing.T) {
		parts := map[uint32]*lsv1.PartitionIngested{
			0: part(1, 3, "t1_r01", "t1_r05"),
			1: part(2, 4, "t1_i1a", "t1_i1z", "t1_r06", "t1_r09"),
			2: part(4, 0), // an empty partition
		}
		sum, gaps, ok := SpanPlan(parts, table)
		if !ok {
			t.Fatal("disjoint spans refused")
		}
		if want := (store.Checksum{Sum: 1 ^ 2 ^ 4, KVs: 7, Bytes: 70}); sum != want {
			t.Errorf("sum %+v, want %+v", sum, want)
		}
		want := `["t1","t1_i1a")["t1_i1z\x00","t1_r01")["t1_r05\x00","t1_r06")["t1_r09\x00","t2")`
		if got := rangesString(gaps); got != want {
			t.Errorf("gaps %s\nwant %s", got, want)
		}
	})
	t.Run("spans cover the table", func(t *testing.T) {
		_, gaps, ok := SpanPlan(map[uint32]*lsv1.PartitionIngested{0: part(1, 1, "t1", "t1\xff")}, table)
		if !ok || rangesString(gaps) != `["t1\xff\x00","t2")` {
			t.Errorf("ok %v gaps %s", ok, rangesString(gaps))
		}
	})
	for name, parts := range map[string]map[uint32]*lsv1.PartitionIngested{
		"overlap":        {0: part(1, 1, "t1_r01", "t1_r05"), 1: part(1, 1, "t1_r05", "t1_r09")},
		"nested":         {0: part(1, 1, "t1_r01", "t1_r09"), 1: part(1, 1, "t1_r03", "t1_r04")},
		"no checksum":    {0: part(1, 1, "t1_r01", "t1_r05"), 1: {Spans: []*lsv1.KeySpan{{First: []byte("t1_r06"), Last: []byte("t1_r07")}}}},
		"before table":   {0: part(1, 1, "t0_r01", "t1_r05")},
		"past the table": {0: part(1, 1, "t1_r01", "t2_r05")},
		"reversed":       {0: part(1, 1, "t1_r05", "t1_r01")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, gaps, ok := SpanPlan(parts, table); ok {
				t.Errorf("accepted, gaps %s", rangesString(gaps))
			}
		})
	}
}

// TestSpanPlanRanges: a partitioned table whose partitions' IDs are not
// contiguous is several ranges; spans must lie in one of them, and each
// range's gaps are read.
func TestSpanPlanRanges(t *testing.T) {
	ranges := TableRanges(10, []int64{11, 12, 20})
	if len(ranges) != 2 || !bytes.Equal(ranges[0].Start, tablePrefix(10)) || !bytes.Equal(ranges[0].End, tablePrefix(13)) ||
		!bytes.Equal(ranges[1].Start, tablePrefix(20)) || !bytes.Equal(ranges[1].End, tablePrefix(21)) {
		t.Fatalf("ranges %s", rangesString(ranges))
	}
	key := func(id int64, s string) string { return string(tablePrefix(id)) + s }
	_, gaps, ok := SpanPlan(map[uint32]*lsv1.PartitionIngested{
		0: part(1, 1, key(11, "_r1"), key(11, "_r9")),
		1: part(1, 1, key(20, "_r1"), key(20, "_r9")),
	}, ranges)
	want := []store.KeyRange{
		{Start: tablePrefix(10), End: []byte(key(11, "_r1"))},
		{Start: []byte(key(11, "_r9\x00")), End: tablePrefix(13)},
		{Start: tablePrefix(20), End: []byte(key(20, "_r1"))},
		{Start: []byte(key(20, "_r9\x00")), End: tablePrefix(21)},
	}
	if !ok || rangesString(gaps) != rangesString(want) {
		t.Errorf("ok %v gaps %s\nwant %s", ok, rangesString(gaps), rangesString(want))
	}
	// A span of another table, between the ranges, is not this table's.
	if _, _, ok := SpanPlan(map[uint32]*lsv1.PartitionIngested{0: part(1, 1, key(15, "_r1"), key(15, "_r2"))}, ranges); ok {
		t.Error("a span between the table's ranges accepted")
	}
}
