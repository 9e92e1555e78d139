package broker

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/segmentio/kafka-go"
)

func start(t *testing.T, cfg Config) *Broker {
	t.Helper()
	b, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return b
}

func produce(t *testing.T, kc kafkaio.Config, topic string, parts, perPart int) {
	t.Helper()
	w, err := kafkaio.NewWriter(kc, kafkaio.WriterOptions{Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var msgs []kafkaio.Message
	for p := 0; p < parts; p++ {
		for i := 0; i < perPart; i++ {
			msgs = append(msgs, kafkaio.Message{Partition: p, Key: []byte(fmt.Sprintf("p%d-%d", p, i)), Value: []byte(fmt.Sprintf("v%d", i))})
		}
	}
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatalf("WriteMessages: %v", err)
	}
}

// TestPersistence: produce, commit some offsets, restart on the same data
// dir, and read everything back from where the group left off.
func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	b := start(t, Config{DataDir: dir})
	kc := kafkaio.Config{Brokers: b.Addrs()}
	const topic, parts, perPart = "persist", 3, 50
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: parts}}); err != nil {
		t.Fatal(err)
	}
	produce(t, kc, topic, parts, perPart)

	// Consume 20 messages as group g and commit them.
	r, err := kafkaio.NewGroupReader(kc, "g", []string{topic}, kafkaio.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	committed := map[int]int64{}
	for i := 0; i < 20; i++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatalf("commit: %v", err)
		}
		committed[m.Partition] = m.Offset + 1
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	b2 := start(t, Config{DataDir: dir})
	defer b2.Close()
	kc2 := kafkaio.Config{Brokers: b2.Addrs()}
	topics, err := kafkaio.ListTopics(ctx, kc2)
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 1 || topics[0] != (kafkaio.TopicInfo{Name: topic, Partitions: parts}) {
		t.Fatalf("topics after restart: %+v", topics)
	}
	// Every message is still there.
	for p := 0; p < parts; p++ {
		pr, err := kafkaio.NewPartitionReader(kc2, topic, p, kafkaio.FirstOffset, kafkaio.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < perPart; i++ {
			m, err := pr.FetchMessage(ctx)
			if err != nil {
				t.Fatalf("replay p%d #%d: %v", p, i, err)
			}
			if want := fmt.Sprintf("p%d-%d", p, i); string(m.Key) != want || m.Offset != int64(i) {
				t.Fatalf("replay p%d: got key %s offset %d, want %s offset %d", p, m.Key, m.Offset, want, i)
			}
		}
		pr.Close()
	}
	// The group resumes at its committed offsets.
	r2, err := kafkaio.NewGroupReader(kc2, "g", []string{topic}, kafkaio.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	first := map[int]int64{}
	for n := 0; n < parts*perPart-20; n++ {
		m, err := r2.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("group after restart, message %d: %v", n, err)
		}
		if _, ok := first[m.Partition]; !ok {
			first[m.Partition] = m.Offset
		}
	}
	for p := 0; p < parts; p++ {
		if first[p] != committed[p] {
			t.Errorf("partition %d resumed at %d, committed %d", p, first[p], committed[p])
		}
	}
}

// TestGroupRebalance: kafka-go consumer-group members join and leave a
// group on the embedded broker; partitions move between them and every
// message is consumed exactly once.
func TestGroupRebalance(t *testing.T) {
	if testing.Short() {
		t.Skip("rebalances take seconds")
	}
	b := start(t, Config{})
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	kc := kafkaio.Config{Brokers: b.Addrs()}
	const topic, group, parts = "rebalance", "rg", 4
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: parts}}); err != nil {
		t.Fatal(err)
	}
	opts := kafkaio.ReaderOptions{SessionTimeout: 6 * time.Second, HeartbeatInterval: 300 * time.Millisecond, RebalanceTimeout: 10 * time.Second, JoinGroupBackoff: 200 * time.Millisecond}

	var mu sync.Mutex
	seen := map[string]int{}             // key -> times consumed
	byMember := map[string]map[int]int{} // phase -> member -> messages
	consume := func(ctx context.Context, id int, r *kafkaio.Reader) {
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			seen[string(m.Key)]++
			ph := string(m.Key[:3])
			if byMember[ph] == nil {
				byMember[ph] = map[int]int{}
			}
			byMember[ph][id]++
			mu.Unlock()
			if err := r.CommitMessages(ctx, m); err != nil {
				return
			}
		}
	}
	waitFor := func(n int) {
		t.Helper()
		for {
			mu.Lock()
			got := len(seen)
			mu.Unlock()
			if got >= n {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("consumed %d of %d", got, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// waitAssigned waits until the group is stable with exactly the given
	// number of members, each assigned at least one partition.
	admin := &kafka.Client{Addr: kafka.TCP(b.Addrs()...)}
	waitAssigned := func(members int) {
		t.Helper()
		for {
			resp, err := admin.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
			if err == nil && len(resp.Groups) == 1 && resp.Groups[0].GroupState == "Stable" && len(resp.Groups[0].Members) == members {
				assigned, total := 0, 0
				for _, m := range resp.Groups[0].Members {
					n := 0
					for _, tp := range m.MemberAssignments.Topics {
						n += len(tp.Partitions)
					}
					if n > 0 {
						assigned++
					}
					total += n
				}
				if assigned == members && total == parts {
					return
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("group never stabilised with %d members: %v", members, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	send := func(prefix string) {
		t.Helper()
		w, err := kafkaio.NewWriter(kc, kafkaio.WriterOptions{Topic: topic})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var msgs []kafkaio.Message
		for p := 0; p < parts; p++ {
			for i := 0; i < 25; i++ {
				msgs = append(msgs, kafkaio.Message{Partition: p, Key: []byte(fmt.Sprintf("%s-%d-%d", prefix, p, i))})
			}
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	run := func(id int) (context.CancelFunc, *kafkaio.Reader) {
		r, err := kafkaio.NewGroupReader(kc, group, []string{topic}, opts)
		if err != nil {
			t.Fatal(err)
		}
		mctx, mcancel := context.WithCancel(ctx)
		wg.Add(1)
		go func() { defer wg.Done(); consume(mctx, id, r) }()
		return mcancel, r
	}
	stop1, r1 := run(1)
	send("one")
	waitFor(100)
	stop2, r2 := run(2) // a member joins: partitions split between two
	waitAssigned(2)
	send("two")
	waitFor(200)
	stop1() // a member leaves: member 2 takes every partition
	r1.Close()
	waitAssigned(1)
	send("thr")
	waitFor(300)
	stop2()
	r2.Close()
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	for k, n := range seen {
		if n != 1 {
			t.Errorf("key %s consumed %d times", k, n)
		}
	}
	if byMember["one"][1] != 100 {
		t.Errorf("phase one: %v, want all 100 on member 1", byMember["one"])
	}
	if byMember["two"][1] == 0 || byMember["two"][2] == 0 {
		t.Errorf("phase two: %v, want both members to consume", byMember["two"])
	}
	if byMember["thr"][2] != 100 {
		t.Errorf("phase three: %v, want all 100 on member 2", byMember["thr"])
	}
	t.Logf("per phase and member: %v", byMember)
}

func TestAdvertisedAddr(t *testing.T) {
	b := start(t, Config{ListenAddr: "127.0.0.1:0", AdvertisedAddr: "localhost:0"})
	defer b.Close()
	_, port, _ := net.SplitHostPort(b.ListenAddrs()[0])
	if got, want := b.Addrs()[0], "localhost:"+port; got != want {
		t.Fatalf("Addrs = %s, want %s", got, want)
	}
	c := &kafka.Client{Addr: kafka.TCP(b.ListenAddrs()...)}
	md, err := c.Metadata(context.Background(), &kafka.MetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Brokers) != 1 || md.Brokers[0].Host != "localhost" || fmt.Sprint(md.Brokers[0].Port) != port {
		t.Fatalf("metadata brokers %+v, want localhost:%s", md.Brokers, port)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{ListenAddr: "nope"},
		{AdvertisedAddr: ":9092"},
		{AdvertisedAddr: "h:99999"},
		{DefaultPartitions: -1},
	} {
		if err := c.validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	var c Config
	if err := c.validate(); err != nil || c.ListenAddr != "127.0.0.1:0" || c.DefaultPartitions != 8 {
		t.Errorf("defaults: %+v %v", c, err)
	}
}
