package topiclog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// newTopic starts an in-memory broker with one single-partition topic.
func newTopic(t *testing.T, topic string) kafkaio.Config {
	t.Helper()
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	kc := kafkaio.Config{Brokers: b.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	return kc
}

func TestAppendFollow(t *testing.T) {
	const topic = "ls--t--events"
	kc := newTopic(t, topic)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if end, err := EndOffset(ctx, kc, topic); err != nil || end != 0 {
		t.Fatalf("EndOffset of an empty topic = %d, %v", end, err)
	}
	w, err := NewWriter(kc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := 0; i < 3; i++ {
		ev := &lsv1.Event{Body: &lsv1.Event_ChunkEncoded{ChunkEncoded: &lsv1.ChunkEncoded{ChunkId: fmt.Sprint("c", i), Rows: uint64(i)}}}
		if err := w.Append(ctx, topic, fmt.Sprint("k", i), ev); err != nil {
			t.Fatal(err)
		}
	}
	// Append returns once the broker acknowledged: the end offset counts
	// every message.
	if end, err := EndOffset(ctx, kc, topic); err != nil || end != 3 {
		t.Fatalf("EndOffset after 3 appends = %d, %v", end, err)
	}
	var got []string
	err = Follow(ctx, kc, topic, func(m kafkaio.Message) error {
		var ev lsv1.Event
		if err := proto.Unmarshal(m.Value, &ev); err != nil {
			return err
		}
		got = append(got, fmt.Sprintf("%d:%s:%s", m.Offset, m.Key, ev.GetChunkEncoded().GetChunkId()))
		if len(got) == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if want := "[0:k0:c0 1:k1:c1 2:k2:c2]"; fmt.Sprint(got) != want {
		t.Fatalf("read %v, want %s", got, want)
	}

	// An error of fn ends Follow with it; the end of ctx with ctx's error.
	boom := errors.New("boom")
	if err := Follow(ctx, kc, topic, func(kafkaio.Message) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Follow with a failing fn: %v", err)
	}
	// Following past the last message waits for more, until ctx ends.
	short, stop := context.WithCancel(ctx)
	defer stop()
	n := 0
	err = Follow(short, kc, topic, func(kafkaio.Message) error {
		if n++; n == 3 {
			time.AfterFunc(200*time.Millisecond, stop)
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 3 {
		t.Fatalf("Follow until ctx ends: %v after %d messages, want context.Canceled after 3", err, n)
	}
}
