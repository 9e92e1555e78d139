package kafkaio

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestGroupCloseAfterSlowGeneration: a member whose generation ended in a
// rebalance just before Close, and whose handler was slow to return, can
// be sent into one more JoinGroup after Close's first cut; the broker holds
// that join until every member rejoins (here C, whose handler takes 8s).
// Close still returns within a few seconds (it took until C rejoined when
// it cut only once).
func TestGroupCloseAfterSlowGeneration(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "w", Partitions: 4}}); err != nil {
		t.Fatal(err)
	}
	type member struct {
		g     *ConsumerGroup
		gens  chan int32
		ended chan struct{}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	start := func(delay time.Duration) *member {
		g, err := NewConsumerGroup(kc, GroupConfig{ID: "grp", Topics: []string{"w"}, HeartbeatInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		m := &member{g: g, gens: make(chan int32, 100), ended: make(chan struct{}, 100)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				gen, err := g.Next(ctx)
				if err != nil {
					if ctx.Err() != nil || errors.Is(err, ErrGroupClosed) {
						return
					}
					continue
				}
				m.gens <- gen.ID
				var once sync.Once
				gen.Start(func(gctx context.Context) {
					<-gctx.Done()
					once.Do(func() { m.ended <- struct{}{} })
					time.Sleep(delay)
				})
			}
		}()
		return m
	}
	b := start(600 * time.Millisecond)
	<-b.gens
	c := start(8 * time.Second)
	defer c.g.Close()
	<-c.gens
	<-b.gens // B's generation after C joined
	a := start(0)
	defer a.g.Close()
	for range 2 { // B's first generation ended when C joined, its second on A's join
		select {
		case <-b.ended:
		case <-ctx.Done():
			t.Fatal("B's generation never ended")
		}
	}
	t0 := time.Now()
	_ = b.g.Close()
	if d := time.Since(t0); d > 4*time.Second {
		t.Fatalf("Close took %v: a join held by the broker was not cut", d)
	}
}
