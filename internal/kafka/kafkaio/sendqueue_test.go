package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

func msg(i int) Message { return Message{Value: []byte(strconv.Itoa(i))} }

// TestSendQueueTakesWaitingGroups holds the first write until more groups
// wait, then checks that the next call carries them all, in order, and no
// more than depth of them.
func TestSendQueueTakesWaitingGroups(t *testing.T) {
	const depth = 3
	release := make(chan struct{})
	var mu sync.Mutex
	var calls [][]string
	write := func(ctx context.Context, msgs ...Message) error {
		var vs []string
		for _, m := range msgs {
			vs = append(vs, string(m.Value))
		}
		mu.Lock()
		calls = append(calls, vs)
		first := len(calls) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return nil
	}
	q := NewSendQueue(context.Background(), depth, write)
	if err := q.Send(msg(0)); err != nil {
		t.Fatal(err)
	}
	// Wait until the writer holds group 0, then fill the queue.
	for deadline := time.Now().Add(10 * time.Second); ; {
		mu.Lock()
		n := len(calls)
		mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first write never started")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= depth; i++ { // depth groups fit in the queue
		if err := q.Send(msg(i), msg(100+i)); err != nil {
			t.Fatal(err)
		}
	}
	sent := make(chan error, 1)
	go func() { sent <- q.Send(msg(depth + 1)) }()
	select {
	case err := <-sent:
		t.Fatalf("send to a full queue returned %v, want it to block", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([][]string{{"0"}, {"1", "101", "2", "102", "3", "103"}, {"4"}})
	if got := fmt.Sprint(calls); got != want {
		t.Fatalf("calls %s, want %s", got, want)
	}
}

// TestSendQueueFailure: after a failed write, Send neither blocks nor
// succeeds for long, and Close reports the write's error.
func TestSendQueueFailure(t *testing.T) {
	boom := errors.New("boom")
	var calls int
	q := NewSendQueue(context.Background(), 2, func(ctx context.Context, msgs ...Message) error {
		calls++
		return boom
	})
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = q.Send(msg(i))
	}
	if !errors.Is(err, boom) {
		t.Fatalf("Send after a failed write: %v, want %v", err, boom)
	}
	if err := q.Close(); !errors.Is(err, boom) {
		t.Fatalf("Close: %v, want %v", err, boom)
	}
	if calls != 1 {
		t.Fatalf("%d writes, want 1 (the writer stops at the first error)", calls)
	}
	if err := q.Send(msg(0)); err == nil {
		t.Fatal("Send after Close succeeded")
	}
}

// TestSendQueueCancelled: a Send after ctx ended must not report success
// for a group that was never written.
func TestSendQueueCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var written int
	q := NewSendQueue(ctx, 1, func(ctx context.Context, msgs ...Message) error {
		written += len(msgs)
		return nil
	})
	if err := q.Send(msg(0)); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for i := 0; i < 1000 && err == nil; i++ { // the writer may take a few before it sees ctx
		err = q.Send(msg(i))
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send after cancel: %v, want context.Canceled", err)
	}
	_ = q.Close()
	if written > 1000 {
		t.Fatalf("%d written", written)
	}
}

// TestSendQueueBroker sends single-message groups to three partitions of
// the embedded broker through a writer with BatchSize 1 and reads every
// partition back in send order.
func TestSendQueueBroker(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const topic, parts, n = "sq", 3, 60
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: topic, Partitions: parts}}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{Topic: topic, BatchSize: 1, Compression: CompressionNone})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	q := NewSendQueue(ctx, 4, w.WriteMessages)
	for i := 0; i < n; i++ {
		m := msg(i)
		m.Partition = i * 7 % parts
		if err := q.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	for p := 0; p < parts; p++ {
		r, err := NewPartitionReader(kc, topic, p, FirstOffset, ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if i*7%parts != p {
				continue
			}
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatalf("partition %d: %v", p, err)
			}
			if got := string(m.Value); got != strconv.Itoa(i) {
				t.Fatalf("partition %d offset %d: message %s, want %d", p, m.Offset, got, i)
			}
		}
		r.Close()
	}
}
