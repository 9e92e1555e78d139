package kafkaio

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestDeleteRecords: the records a topic held are deleted (its first
// offsets move to the end), the topic stays and takes new records, and a
// missing topic is no error.
func TestDeleteRecords(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "kv", Partitions: 3}}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{Topic: "kv"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var msgs []Message
	for i := 0; i < 30; i++ {
		msgs = append(msgs, Message{Partition: i % 3, Value: []byte(fmt.Sprint(i))})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := DeleteRecords(ctx, kc, "kv", "missing"); err != nil {
		t.Fatalf("DeleteRecords: %v", err)
	}
	first, err := FirstOffsets(ctx, kc, "kv")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(first) != "[10 10 10]" {
		t.Fatalf("first offsets after DeleteRecords %v, want [10 10 10]", first)
	}
	if err := w.WriteMessages(ctx, Message{Partition: 1, Value: []byte("after")}); err != nil {
		t.Fatal(err)
	}
	r, err := NewPartitionReader(kc, "kv", 1, 10, ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if m, err := r.FetchMessage(ctx); err != nil || string(m.Value) != "after" {
		t.Fatalf("after DeleteRecords: %q %v, want the new record", m.Value, err)
	}
}
