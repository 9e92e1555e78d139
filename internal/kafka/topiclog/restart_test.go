package topiclog

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

// TestFollowBrokerRestart: Follow outlives a broker that is stopped and
// started again on its data directory and address (a coordinator must
// survive a broker restart): every record is delivered once, in order.
func TestFollowBrokerRestart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := func() *broker.Broker {
		b, err := broker.Start(ctx, broker.Config{DataDir: dir, ListenAddr: addr})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := start()
	kc := kafkaio.Config{Brokers: []string{addr}}
	const topic = "events"
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	appendN := func(from, to int) {
		w, err := NewWriter(kc)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		for i := from; i < to; i++ {
			if err := w.Append(ctx, topic, "k", wrapperspb.Int64(int64(i))); err != nil {
				t.Fatalf("append %d: %v", i, err)
			}
		}
	}
	appendN(0, 5)

	var mu sync.Mutex
	var got []int64
	done := make(chan error, 1)
	go func() {
		done <- Follow(ctx, kc, topic, func(m kafkaio.Message) error {
			var v wrapperspb.Int64Value
			if err := proto.Unmarshal(m.Value, &v); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			got = append(got, v.Value)
			if len(got) == 10 {
				return ErrStop
			}
			return nil
		})
	}()
	waitFor := func(n int) {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			k := len(got)
			mu.Unlock()
			if k >= n {
				return
			}
		}
		t.Fatalf("follower did not get %d records", n)
	}
	waitFor(5)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second) // the follower meets refused connections (kafka-go alone gives up)
	b = start()
	defer b.Close()
	appendN(5, 10)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Follow across a broker restart: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Follow did not finish")
	}
	for i, v := range got {
		if v != int64(i) {
			t.Fatalf("records %v: want 0..9 once each, in order", got)
		}
	}
}
