package sorter

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestAfterIngestRejectsLatePairs: once a partition is ingested, markers of
// chunks that do not feed it are ignored when they sent it nothing, and a
// marker saying such a chunk sent it pairs stops the sorter with an error
// naming the chunk (those pairs would never be ingested).
func TestAfterIngestRejectsLatePairs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cfg := kafkaio.Config{Brokers: b.Addrs()}
	const topic = "kv-after-ingest"
	if err := kafkaio.EnsureTopics(ctx, cfg, []kafkaio.TopicSpec{{Name: topic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	w, err := kafkaio.NewWriter(cfg, kafkaio.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	marker := func(chunk string, kvs uint64) kafkaio.Message {
		v, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{ChunkId: chunk, Kvs: kvs}}})
		if err != nil {
			t.Fatal(err)
		}
		return kafkaio.Message{Topic: topic, Partition: 0, Value: v}
	}
	// c1 feeds the partition and was ingested; c2 does not feed it.
	if err := w.WriteMessages(ctx, marker("c1", 5), marker("c2", 0), marker("c1", 5)); err != nil {
		t.Fatal(err)
	}
	mf := &lsv1.TableManifest{Db: "d", Table: "t", ChunkIds: []string{"c1", "c2"}, KvPartitions: 2}
	st := &partitionState{mf: mf, markers: map[string]*lsv1.EndOfChunk{}, needed: map[string]bool{"c1": true}}
	s := &partitionSorter{cfg: Config{Kafka: cfg}}

	// Nothing wrong arrives: afterIngest reads on until ctx ends, and
	// commits past what it read (no lag once the import is done).
	short, stop := context.WithTimeout(ctx, time.Minute)
	var committed int64
	err = s.afterIngest(short, topic, 0, st, func(next int64) error {
		if committed = next; next == 3 {
			time.AfterFunc(500*time.Millisecond, stop) // and nothing else arrives
		}
		return nil
	})
	stop()
	if err != nil {
		t.Fatalf("harmless markers: %v", err)
	}
	if committed != 3 {
		t.Fatalf("committed offset %d after 3 markers, want 3", committed)
	}
	if err := w.WriteMessages(ctx, marker("c2", 7)); err != nil {
		t.Fatal(err)
	}
	err = s.afterIngest(ctx, topic, 0, st, nil)
	if err == nil || !strings.Contains(err.Error(), "chunk c2 sent 7 pairs") {
		t.Fatalf("late pairs from a chunk that does not feed the partition: %v", err)
	}
}
