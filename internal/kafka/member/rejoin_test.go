package member

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

// TestLateMemberJoinsSoon: a member joining a running group is given its
// share of the partitions within a few heartbeats of the members already
// there, not after a second each (the 1s heartbeat this package had left
// the first of an import's encoders alone with every chunk for up to a
// second, the others idle).
func TestLateMemberJoinsSoon(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := broker.Start(ctx, broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kc := kafkaio.Config{Brokers: b.Addrs()}
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: "work", Partitions: 6}}); err != nil {
		t.Fatal(err)
	}
	type seen struct {
		member int
		gen    int32
		parts  int
	}
	var mu sync.Mutex
	var assigned []seen
	ch := make(chan struct{}, 100)
	mctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := Run(mctx, Config{Kafka: kc, Group: "g", Topics: []string{"work"},
				OnAssign: func(gen int32, a map[string][]int) {
					mu.Lock()
					assigned = append(assigned, seen{i, gen, len(a["work"])})
					mu.Unlock()
					ch <- struct{}{}
				}}, func(ctx context.Context, c *Claim) error { <-ctx.Done(); return nil })
			if err != nil {
				t.Error(err)
			}
		}()
	}
	// waitAll waits until n members have an assignment of one generation.
	waitAll := func(n int) time.Duration {
		t0 := time.Now()
		for {
			mu.Lock()
			byGen := map[int32]map[int]bool{}
			for _, s := range assigned {
				if byGen[s.gen] == nil {
					byGen[s.gen] = map[int]bool{}
				}
				byGen[s.gen][s.member] = true
			}
			done := false
			for _, ms := range byGen {
				done = done || len(ms) == n
			}
			mu.Unlock()
			if done {
				return time.Since(t0)
			}
			select {
			case <-ch:
			case <-ctx.Done():
				t.Fatalf("%d members never shared a generation: %v", n, assigned)
			}
		}
	}
	start(0)
	waitAll(1)
	var total time.Duration
	for n := 2; n <= 4; n++ {
		time.Sleep(150 * time.Millisecond) // the group is stable
		start(n - 1)
		total += waitAll(n)
	}
	// 0.16s measured; 2.56s with a 1s heartbeat. The bound leaves room
	// for a loaded machine.
	if total > 2*time.Second {
		t.Errorf("three late members took %v to be given partitions", total)
	}
	t.Logf("three late joins: %v", total)
}
