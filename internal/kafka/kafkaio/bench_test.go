package kafkaio

import (
	"context"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
)

// The hot paths through the boundary: the encoder's sink writes packed KV
// batches of a few hundred KiB with one header each, the sorter fetches
// them back one partition at a time. Both go through Writer and Reader, so
// these benchmarks show what the wrapper costs per message (allocs/op).

const benchValueBytes = 64 << 10

func benchBroker(b *testing.B) Config {
	b.Helper()
	br, err := broker.Start(context.Background(), broker.Config{DataDir: b.TempDir(), DefaultPartitions: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { br.Close() })
	return Config{Brokers: br.Addrs()}
}

func benchMessages(topic string, n int) []Message {
	value := make([]byte, benchValueBytes)
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Topic: topic, Partition: 0, Key: []byte("chunk"), Value: value,
			Headers: []Header{{Key: "kind", Value: []byte("b")}}}
	}
	return msgs
}

// BenchmarkWrite writes groups of 8 messages, as the encoder's send queue
// does, with the KV writer's options (BatchSize 1, no compression).
func BenchmarkWrite(b *testing.B) {
	kc := benchBroker(b)
	ctx := context.Background()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "bench", Partitions: 1}}); err != nil {
		b.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{BatchSize: 1, BatchBytes: 4 * benchValueBytes, Compression: CompressionNone})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	msgs := benchMessages("bench", 8)
	b.SetBytes(int64(len(msgs) * benchValueBytes))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFetch reads messages back one at a time with the sorter's
// reader options.
func BenchmarkFetch(b *testing.B) {
	kc := benchBroker(b)
	ctx := context.Background()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "bench", Partitions: 1}}); err != nil {
		b.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{BatchSize: 1, BatchBytes: 4 * benchValueBytes, Compression: CompressionNone})
	if err != nil {
		b.Fatal(err)
	}
	msgs := benchMessages("bench", 64)
	for n := 0; n < b.N; n += len(msgs) {
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	r, err := NewPartitionReader(kc, "bench", 0, FirstOffset, ReaderOptions{MaxBytes: 2 << 20, QueueCapacity: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.SetBytes(benchValueBytes)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Value) != benchValueBytes || len(m.Headers) != 1 {
			b.Fatalf("fetched %d bytes, %d headers", len(m.Value), len(m.Headers))
		}
	}
}

// BenchmarkMessageConversion is the boundary's own work per message, both
// ways (the broker round trips above dwarf it).
func BenchmarkMessageConversion(b *testing.B) {
	m := benchMessages("bench", 1)[0]
	b.ReportAllocs()
	var back Message
	for range b.N {
		k := m.toKafka()
		back = messageOf(k)
	}
	if len(back.Value) != benchValueBytes {
		b.Fatal("lost the value")
	}
}
