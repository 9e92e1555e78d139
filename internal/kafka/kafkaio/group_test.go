package kafkaio

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestConsumerGroup: a lone member is assigned every partition, starting
// at FirstOffset; what a generation commits is where the next member of
// the group starts; Next after Close says the group is closed.
func TestConsumerGroup(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "cg", Partitions: 3}}); err != nil {
		t.Fatal(err)
	}
	gc := GroupConfig{ID: "g", Topics: []string{"cg"}, SessionTimeout: 6 * time.Second, HeartbeatInterval: 300 * time.Millisecond,
		Balancers: []GroupBalancer{BalanceRoundRobin, BalanceRange}}
	join := func() (*ConsumerGroup, *Generation) {
		t.Helper()
		g, err := NewConsumerGroup(kc, gc)
		if err != nil {
			t.Fatal(err)
		}
		for {
			gen, err := g.Next(ctx)
			if err == nil {
				return g, gen
			}
			if ctx.Err() != nil || !(IsRetriable(err) || IsGroupChurn(err)) {
				t.Fatalf("Next: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	g, gen := join()
	var ids []int
	for _, p := range gen.Assignments["cg"] {
		ids = append(ids, p.ID)
		if p.Offset != FirstOffset {
			t.Errorf("partition %d starts at %d before any commit", p.ID, p.Offset)
		}
	}
	slices.Sort(ids)
	if len(gen.Assignments) != 1 || !slices.Equal(ids, []int{0, 1, 2}) {
		t.Fatalf("assignments %v", gen.Assignments)
	}
	ran := make(chan struct{})
	gen.Start(func(ctx context.Context) { close(ran); <-ctx.Done() })
	<-ran
	if err := gen.CommitOffsets(map[string]map[int]int64{"cg": {1: 42}}); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(ctx); !errors.Is(err, ErrGroupClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	g, gen = join()
	defer g.Close()
	for _, p := range gen.Assignments["cg"] {
		if want := map[int]int64{0: FirstOffset, 1: 42, 2: FirstOffset}[p.ID]; p.Offset != want {
			t.Errorf("rejoined: partition %d starts at %d, want %d", p.ID, p.Offset, want)
		}
	}
	if _, err := NewConsumerGroup(Config{}, gc); err == nil {
		t.Error("a group without brokers joined")
	}
}
