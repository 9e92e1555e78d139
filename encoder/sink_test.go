package encoder

import (
	"context"
	"hash/crc64"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestChunkSink sends pairs through a real (embedded) broker and reads the
// topic back: every pair lands in the partition KVPartition names, every
// partition ends with the chunk's marker, and each marker's figures are
// those of the pairs before it (an independent CRC64-ECMA over key||value).
func TestChunkSink(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cfg := kafkaio.Config{Brokers: b.Addrs()}
	const topic, parts = "kv-test", 3
	if err := kafkaio.EnsureTopics(ctx, cfg, []kafkaio.TopicSpec{{Name: topic, Partitions: parts}}); err != nil {
		t.Fatal(err)
	}
	w, err := kafkaio.NewWriter(cfg, KVWriterOptions(512<<10, kafkaio.CompressionLz4)) // the codec --brokers gets by default
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// The chunk holds bytes [300, 700) of the table's 1200: the first 100
	// of its bytes lie in partition 0's third of the table, the rest in
	// partition 1's.
	chunk := &lsv1.Chunk{Id: "db.t:0:0", Ordinal: 1, TotalChunks: 3, StartOffset: 1000, EndOffset: 1400, SourceBytes: 400, TableOffset: 300, TableBytes: 1200}
	// Small batches so that partitions get several.
	sink := newChunkSink(ctx, w, topic, schemas.EqualLayout(parts), chunk, "attempt-1", 64, 2, newSpareBuffers(4, 1<<10))
	type pair struct {
		k, v []byte
		pos  int64 // the row's file offset
	}
	var sent []pair
	record := func(h byte) []byte {
		return append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x01_r\x80\x00\x00\x00\x00\x00\x00"), h)
	}
	index := func(id, h byte) []byte {
		return append([]byte("t\x80\x00\x00\x00\x00\x00\x00\x01_i\x80\x00\x00\x00\x00\x00\x00"), id, 0x03, h)
	}
	for i := byte(0); i < 40; i++ {
		pos := 1000 + int64(i)*10
		sent = append(sent, pair{record(i), []byte{0x80, i}, pos}, pair{index(1, i), []byte{'0'}, pos}, pair{index(2, i), []byte{'0', i}, pos})
	}
	// where each pair must go: index i's keys to partition i mod 3, a row's
	// record key by its offset in the chunk
	partitionOf := func(p pair) int {
		if p.k[10] == 'i' {
			return int(p.k[18]) % parts
		}
		if p.pos-1000 < 100 {
			return 0
		}
		return 1
	}
	for _, p := range sent {
		sink.row(p.pos)
		if err := sink.add(p.k, p.v); err != nil {
			t.Fatal(err)
		}
	}
	totals, err := sink.finish()
	if err != nil {
		t.Fatal(err)
	}
	table := crc64.MakeTable(crc64.ECMA)
	want := make([]partitionTotals, parts)
	var all partitionTotals
	for _, p := range sent {
		n := partitionOf(p)
		c := crc64.Update(crc64.Update(0, table, p.k), table, p.v)
		want[n].sum ^= c
		want[n].kvs++
		want[n].bytes += uint64(len(p.k) + len(p.v))
		all.sum ^= c
		all.kvs++
		all.bytes += uint64(len(p.k) + len(p.v))
	}
	if totals.sum != all.sum || totals.kvs != all.kvs || totals.bytes != all.bytes {
		t.Fatalf("chunk totals %+v, want %+v", totals, all)
	}
	for p := 0; p < parts; p++ {
		r, err := kafkaio.NewPartitionReader(cfg, topic, p, kafkaio.FirstOffset, kafkaio.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got partitionTotals
		for done := false; !done; {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatalf("partition %d: %v", p, err)
			}
			var msg lsv1.KVMessage
			if err := proto.Unmarshal(m.Value, &msg); err != nil {
				t.Fatal(err)
			}
			switch body := msg.Body.(type) {
			case *lsv1.KVMessage_Batch:
				err := schemas.RangePairs(body.Batch.Pairs, func(k, v []byte) error {
					var n = -1
					for _, s := range sent {
						if string(s.k) == string(k) {
							n = partitionOf(s)
						}
					}
					if n != p {
						t.Errorf("key %x in partition %d, want %d", k, p, n)
					}
					got.sum ^= crc64.Update(crc64.Update(0, table, k), table, v)
					got.kvs++
					got.bytes += uint64(len(k) + len(v))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			case *lsv1.KVMessage_EndOfChunk:
				e := body.EndOfChunk
				if e.ChunkId != chunk.Id || e.Attempt != "attempt-1" || int(e.Partition) != p {
					t.Errorf("partition %d: marker %+v", p, e)
				}
				if e.Checksum != want[p].sum || e.Kvs != want[p].kvs || e.Bytes != want[p].bytes || got.kvs != want[p].kvs || got.sum != want[p].sum {
					t.Errorf("partition %d: marker %d/%d/%d, batches %d/%d, want %d/%d/%d",
						p, e.Checksum, e.Kvs, e.Bytes, got.sum, got.kvs, want[p].sum, want[p].kvs, want[p].bytes)
				}
				done = true
			}
		}
		r.Close()
	}
}

func TestChunkEarlier(t *testing.T) {
	c := func(ordinal, total uint32) *lsv1.Chunk { return &lsv1.Chunk{Ordinal: ordinal, TotalChunks: total} }
	for _, tc := range []struct {
		a, b *lsv1.Chunk
		want bool
	}{
		{c(0, 10), c(1, 10), true},
		{c(1, 10), c(0, 10), false},
		{c(3, 10), c(3, 10), false}, // ties keep arrival order
		{c(1, 4), c(2, 10), false},  // a quarter through one table, a fifth through the other
		{c(2, 10), c(1, 4), true},
		{c(0, 0), c(0, 1), false}, // a malformed total does not divide by zero
	} {
		if got := chunkEarlier(tc.a, tc.b); got != tc.want {
			t.Errorf("chunkEarlier(%d/%d, %d/%d) = %v", tc.a.Ordinal, tc.a.TotalChunks, tc.b.Ordinal, tc.b.TotalChunks, got)
		}
	}
}
