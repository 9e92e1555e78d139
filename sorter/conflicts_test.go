package sorter

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestResolveAcrossPartitions: two KV partitions of a table resolve their
// conflicts together through the conflicts topic. Handle 5's record lies
// in both partitions (rows in two byte segments of the dump), which
// neither sees alone; the unique key "x" is held twice within partition
// 1. Each partition computes the same losing rows, also when a partition
// reports again (after a crash), and with "error" both stop naming the
// first key's rows.
func TestResolveAcrossPartitions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kcfg := kafkaio.Config{Brokers: b.Addrs()}
	const importID = "conflicts"
	if err := kafkaio.EnsureTopics(ctx, kcfg, []kafkaio.TopicSpec{{Name: schemas.Topic(importID, schemas.ConflictsSuffix), Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	events, err := topiclog.NewWriter(kcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()

	const table = 42
	rec := func(h int64) []byte { return tidbcodec.AppendRecordKey(nil, table, tidbcodec.IntHandle(h)) }
	uk := func(v string) []byte {
		return tidbcodec.AppendBytesGroup(append(tidbcodec.AppendIndexPrefix(nil, table, 1), 0x01), []byte(v)) // bytes flag, group-encoded
	}
	a, bb, c, d := conflict.Pos{Chunk: 0, Offset: 10}, conflict.Pos{Chunk: 0, Offset: 20}, conflict.Pos{Chunk: 1, Offset: 5}, conflict.Pos{Chunk: 1, Offset: 30}
	type pair struct {
		key []byte
		pos conflict.Pos
	}
	// Rows: a (5, x), b (6, y), c (5, z), d (7, x). Partition 0 holds the
	// records of a and b, partition 1 those of c and d and the unique key.
	parts := [][]pair{
		{{rec(5), a}, {rec(6), bb}},
		{{rec(5), c}, {rec(7), d}, {uk("x"), a}, {uk("x"), d}, {uk("y"), bb}, {uk("z"), c}},
	}
	mf := &lsv1.TableManifest{Db: "d", Table: "t", KvTopic: "kv-d-t", KvPartitions: 2, ChunkIds: []string{"c0", "c1"}, ChunkFiles: []string{"d.t.0.sql", "d.t.1.sql"}}
	root := t.TempDir()
	pool := NewEnginePool(4)
	defer pool.Close()
	for p, pairs := range parts {
		eng, release, err := pool.Acquire(ctx, EngineDir(root, mf.KvTopic, p))
		if err != nil {
			t.Fatal(err)
		}
		var keys, values [][]byte
		for _, pr := range pairs {
			keys = append(keys, conflict.AppendSuffix(nil, pr.key, pr.pos))
			values = append(values, []byte("v"))
		}
		err = eng.WriteBatch(keys, values, nil)
		release()
		if err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(strategy conflict.Strategy) ([]map[conflict.Pos]bool, error) {
		s := &partitionSorter{cfg: Config{ImportID: importID, Kafka: kcfg, Engines: pool, EngineDir: root, Conflict: conflict.Config{Strategy: strategy}},
			manifests: map[string]*lsv1.TableManifest{mf.KvTopic: mf}, events: events, tables: schematopic.NewCache()}
		out := make([]map[conflict.Pos]bool, len(parts))
		var g errgroup.Group
		for p := range parts {
			g.Go(func() error {
				st := &partitionState{mf: mf, partition: uint32(p)}
				if err := s.resolveConflicts(ctx, EngineDir(root, mf.KvTopic, p), st); err != nil {
					return err
				}
				out[p] = st.losers
				return nil
			})
		}
		return out, g.Wait()
	}
	for _, c := range []struct {
		s    conflict.Strategy
		want map[conflict.Pos]bool
	}{
		// replace: c takes handle 5 from a, d takes x from a.
		{conflict.Replace, map[conflict.Pos]bool{a: true}},
		// ignore: a keeps 5 and x, so c and d lose.
		{conflict.Ignore, map[conflict.Pos]bool{c: true, d: true}},
		// again: the topic now holds every report twice.
		{conflict.Replace, map[conflict.Pos]bool{a: true}},
	} {
		got, err := resolve(c.s)
		if err != nil {
			t.Fatalf("%s: %v", c.s, err)
		}
		for p, l := range got {
			if !maps.Equal(l, c.want) {
				t.Errorf("%s: partition %d: losers %v, want %v", c.s, p, l, c.want)
			}
		}
	}
	_, err = resolve(conflict.Error)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("error strategy: %v", err)
	}
	t.Log(err)
}

// TestKeyedRangesSkipsNonUniqueIndexes: the duplicate-key scan reads the
// records and the unique indexes, and seeks past the other indexes.
func TestKeyedRangesSkipsNonUniqueIndexes(t *testing.T) {
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	idx := func(id int64, v byte) []byte { return append(tidbcodec.AppendIndexPrefix(nil, 9, id), v) }
	keys := [][]byte{idx(1, 'a'), idx(2, 'a'), idx(2, 'b'), idx(3, 'c'), idx(4, 'd'), tidbcodec.AppendRecordKey(nil, 9, tidbcodec.IntHandle(1))}
	var sk, vals [][]byte
	for i, k := range keys {
		sk = append(sk, conflict.AppendSuffix(nil, k, conflict.Pos{Offset: int64(i)}))
		vals = append(vals, []byte("v"))
	}
	if err := eng.WriteBatch(sk, vals, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	r := &keyedRanges{eng: eng, unique: map[int64]bool{1: true, 3: true}}
	err = r.Iterate(context.Background(), func(k, v []byte) error {
		key, _, _ := conflict.SplitSuffix(k)
		got = append(got, conflict.DescribeKey(key, nil))
		return nil
	})
	want := []string{"index 1 (61)", "index 3 (63)", "PRIMARY (1)"} // the values are not datums: shown in hex
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("scanned %q (%v), want %q", got, err, want)
	}
	if e := prefixEnd([]byte{1, 0xff, 0xff}); !bytes.Equal(e, []byte{2}) || prefixEnd([]byte{0xff}) != nil {
		t.Fatalf("prefixEnd: %x", e)
	}
}

// TestKeyedRangesSkipsRowIDRecords: a table whose handles are
// _tidb_rowid values has no record key to compare.
func TestKeyedRangesSkipsRowIDRecords(t *testing.T) {
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	keys := [][]byte{append(tidbcodec.AppendIndexPrefix(nil, 9, 1), 'a'), tidbcodec.AppendRecordKey(nil, 9, tidbcodec.IntHandle(1)),
		tidbcodec.AppendRecordKey(nil, 9, tidbcodec.IntHandle(2)), append(tidbcodec.AppendIndexPrefix(nil, 10, 1), 'b')}
	var sk, vals [][]byte
	for i, k := range keys {
		sk = append(sk, conflict.AppendSuffix(nil, k, conflict.Pos{Offset: int64(i)}))
		vals = append(vals, []byte("v"))
	}
	if err := eng.WriteBatch(sk, vals, nil); err != nil {
		t.Fatal(err)
	}
	n := 0
	r := &keyedRanges{eng: eng, unique: map[int64]bool{1: true}, noRecords: true}
	err = r.Iterate(context.Background(), func(k, v []byte) error {
		key, _, _ := conflict.SplitSuffix(k)
		if tidbcodec.IsRecordKey(key) {
			t.Errorf("record key %x scanned", key)
		}
		n++
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("%d keys scanned (%v), want the 2 index keys", n, err)
	}
}

// TestRecordRanges: a partition's record keys are summarised as ranges cut
// at wide gaps between integer handles (rows of low handles given again
// at the dump's end then overlap only the partitions that hold them).
func TestRecordRanges(t *testing.T) {
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var sk, vals [][]byte
	for i, h := range []int64{1, 2, 3, 5000, 5001, 5900} {
		sk = append(sk, conflict.AppendSuffix(nil, tidbcodec.AppendRecordKey(nil, 9, tidbcodec.IntHandle(h)), conflict.Pos{Offset: int64(i)}))
		vals = append(vals, []byte("v"))
	}
	if err := eng.WriteBatch(sk, vals, nil); err != nil {
		t.Fatal(err)
	}
	r := &recordSpan{src: eng}
	if err := r.Iterate(context.Background(), func(k, v []byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range r.ranges() {
		got = append(got, conflict.DescribeKey(k, nil))
	}
	want := []string{"PRIMARY (1)", "PRIMARY (3)", "PRIMARY (5000)", "PRIMARY (5900)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("ranges %q, want %q", got, want)
	}
	spans := make([]keySpan, 5)
	for i := range spans {
		spans[i] = keySpan{first: []byte{byte(2 * i)}, last: []byte{byte(2*i + 1)}}
	}
	if h := halve(spans); len(h) != 3 || h[0].last[0] != 3 || h[2].first[0] != 8 || h[2].last[0] != 9 {
		t.Fatalf("halve: %v", h)
	}
}
