package sorter

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestRestartAfterIngest covers the crash windows after a partition's
// ingest. Its KV topic does not even exist: a restarted sorter that reads
// it, or ingests again, fails the test by hanging or erring.
//
//   - the engine holds the ingested report but no done record was written
//     (crash before release): the report is repeated, the record written
//     and the engine removed;
//   - the done record alone (engine removed): the report is repeated from
//     it;
//
// and each repeated report carries the store's checksum read again over
// the partition's spans, not the one recorded.
func TestRestartAfterIngest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kcfg := kafkaio.Config{Brokers: b.Addrs()}
	const importID = "restart"
	eventsTopic := schemas.Topic(importID, schemas.EventsSuffix)
	if err := kafkaio.EnsureTopics(ctx, kcfg, []kafkaio.TopicSpec{{Name: eventsTopic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	events, err := topiclog.NewWriter(kcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	st, err := store.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// What the store holds of the partition's span.
	key := []byte("t\x80\x00\x00\x00\x00\x00\x00\x05_r\x80\x00\x00\x00\x00\x00\x00\x01")
	if err := st.BulkWrite(ctx, []store.Pair{{Key: key, Value: []byte("v")}}); err != nil {
		t.Fatal(err)
	}
	var want store.Checksum
	want.Update(key, []byte("v"))

	root := t.TempDir()
	const topic = "kv-never-created"
	mf := &lsv1.TableManifest{Db: "d", Table: "t", KvTopic: topic, KvPartitions: 2, ChunkIds: []string{"c0"}}
	cfg := Config{ImportID: importID, Kafka: kcfg, EngineDir: root, Store: st, SpanChecksums: true}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	cfg.Engines = NewEnginePool(2)
	defer cfg.Engines.Close()
	s := &partitionSorter{cfg: cfg, manifests: map[string]*lsv1.TableManifest{topic: mf}, events: events}
	// The report as recorded at ingest, with a stale store checksum.
	recorded := &lsv1.PartitionIngested{Db: "d", Table: "t", Partition: 1, Kvs: 1, Bytes: uint64(len(key) + 1), Checksum: want.Sum,
		Spans: []*lsv1.KeySpan{{First: key, Last: key}}, StoreChecksum: &lsv1.StoreChecksum{Checksum: 99, Kvs: 99, Bytes: 99}}

	// Window 1: the engine has the report, there is no done record.
	dir := EngineDir(root, topic, 1)
	eng, err := engine.Open(dir, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := proto.Marshal(recorded)
	if err := eng.WriteBatch([][]byte{key}, [][]byte{[]byte("v")}, map[string][]byte{metaIngested: raw, metaOffset: []byte("7")}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(window string, got *lsv1.PartitionIngested) {
		t.Helper()
		if got == nil || got.Kvs != 1 || got.Checksum != want.Sum || got.StoreChecksum == nil ||
			got.StoreChecksum.Checksum != want.Sum || got.StoreChecksum.Kvs != 1 {
			t.Fatalf("%s: report %v", window, got)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: engine directory left (%v)", window, err)
		}
		if done, err := loadDone(dir); err != nil || done == nil || done.Checksum != want.Sum {
			t.Errorf("%s: done record %v (%v)", window, done, err)
		}
	}
	got, err := s.replayPartition(ctx, topic, 1)
	if err != nil {
		t.Fatal(err)
	}
	check("ingested engine, no done record", got)

	// Window 2: the done record alone.
	got, err = s.replayPartition(ctx, topic, 1)
	if err != nil {
		t.Fatal(err)
	}
	check("done record only", got)

	// Both reports reached the events topic, each with the checksum read
	// again.
	var reports int
	short, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	_ = topiclog.Follow(short, kcfg, eventsTopic, func(m kafkaio.Message) error {
		var ev lsv1.Event
		if err := proto.Unmarshal(m.Value, &ev); err != nil {
			return err
		}
		if p := ev.GetPartitionIngested(); p != nil {
			reports++
			if p.StoreChecksum.GetChecksum() != want.Sum {
				t.Errorf("report %d carries store checksum %v", reports, p.StoreChecksum)
			}
		}
		if reports == 2 {
			return topiclog.ErrStop
		}
		return nil
	})
	if reports != 2 {
		t.Errorf("%d reports on the events topic, want 2", reports)
	}
	if files, _ := filepath.Glob(filepath.Join(root, topic, "*")); len(files) != 1 {
		t.Errorf("engine directory holds %q, want the done record only", files)
	}
}

// TestCombineIngests: a partition ingested in parts reports their sums
// and the union of their spans, overlapping ones merged, disjoint ones
// kept apart (a gap between them is read by the coordinator).
func TestCombineIngests(t *testing.T) {
	sp := func(a, b string) *lsv1.KeySpan { return &lsv1.KeySpan{First: []byte(a), Last: []byte(b)} }
	got := combineIngests([]*lsv1.PartitionIngested{
		{Kvs: 2, Bytes: 10, Checksum: 0b0011, Spans: []*lsv1.KeySpan{sp("i1", "i5"), sp("r1", "r2")}},
		{Kvs: 3, Bytes: 20, Checksum: 0b0101, Spans: []*lsv1.KeySpan{sp("i3", "i9"), sp("r4", "r6")}},
		{Kvs: 1, Bytes: 5, Checksum: 0b1000, Spans: []*lsv1.KeySpan{sp("i0", "i2"), sp("r3", "r3")}},
	})
	if got.Kvs != 6 || got.Bytes != 35 || got.Checksum != 0b1110 {
		t.Errorf("figures %d %d %b", got.Kvs, got.Bytes, got.Checksum)
	}
	want := []string{"i0-i9", "r1-r2", "r3-r3", "r4-r6"}
	if len(got.Spans) != len(want) {
		t.Fatalf("spans %v", got.Spans)
	}
	for i, s := range got.Spans {
		if g := string(s.First) + "-" + string(s.Last); g != want[i] {
			t.Errorf("span %d: %s, want %s", i, g, want[i])
		}
	}
}
