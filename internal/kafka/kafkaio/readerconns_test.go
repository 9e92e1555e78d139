package kafkaio

import (
	"context"
	"testing"
	"time"
)

// TestPartitionReaderCloseCutsFetch: closing a reader caught up with its
// partition does not wait for the fetch the broker holds for MaxWait, and
// a new reader from the next offset reads on where the closed one ended.
func TestPartitionReaderCloseCutsFetch(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "tail", Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write := func(v string) {
		t.Helper()
		if err := w.WriteMessages(ctx, Message{Topic: "tail", Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	write("a")
	const maxWait = 3 * time.Second
	r, err := NewPartitionReader(kc, "tail", 0, FirstOffset, ReaderOptions{MaxWait: maxWait})
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.FetchMessage(ctx)
	if err != nil || string(m.Value) != "a" {
		t.Fatalf("FetchMessage = %q, %v", m.Value, err)
	}
	// The reader now has a fetch at the end of the partition in flight.
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > maxWait/2 {
		t.Errorf("Close took %v: it waited for the held fetch (MaxWait %v)", d, maxWait)
	}
	write("b")
	r2, err := NewPartitionReader(kc, "tail", 0, m.Offset+1, ReaderOptions{MaxWait: maxWait})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	m2, err := r2.FetchMessage(ctx)
	if err != nil || string(m2.Value) != "b" || m2.Offset != m.Offset+1 {
		t.Fatalf("next reader: %q at %d, %v", m2.Value, m2.Offset, err)
	}
}
