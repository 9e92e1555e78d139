package kafkaio

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/segmentio/kafka-go"
)

// TestMessageSharesBytes: converting to and from kafka-go's record keeps
// the very same key, value and header slices, and allocates nothing.
func TestMessageSharesBytes(t *testing.T) {
	m := Message{Topic: "t", Partition: 3, Offset: 7, Key: []byte("k"), Value: []byte("value"),
		Headers: []Header{{Key: "kind", Value: []byte("b")}, {Key: "x", Value: nil}}, Time: time.Unix(5, 0)}
	km := m.toKafka()
	if unsafe.SliceData(km.Value) != unsafe.SliceData(m.Value) || unsafe.SliceData(km.Key) != unsafe.SliceData(m.Key) {
		t.Error("toKafka copied key or value")
	}
	if len(km.Headers) != 2 || unsafe.Pointer(unsafe.SliceData(km.Headers)) != unsafe.Pointer(unsafe.SliceData(m.Headers)) {
		t.Errorf("toKafka rebuilt the headers: %v", km.Headers)
	}
	if km.Headers[0].Key != "kind" || string(km.Headers[0].Value) != "b" || km.Partition != 3 || km.Offset != 7 || km.Topic != "t" || !km.Time.Equal(m.Time) {
		t.Errorf("toKafka = %+v", km)
	}
	back := messageOf(km)
	if fmt.Sprint(back) != fmt.Sprint(m) || unsafe.SliceData(back.Headers) != unsafe.SliceData(m.Headers) {
		t.Errorf("messageOf(toKafka(m)) = %+v, want %+v", back, m)
	}
	if messageOf(kafka.Message{}).Headers != nil || (&Message{}).toKafka().Headers != nil {
		t.Error("no headers became non-nil headers")
	}
	var sink Message
	if n := testing.AllocsPerRun(100, func() { k := m.toKafka(); sink = messageOf(k) }); n != 0 {
		t.Errorf("conversion allocates %v times per message", n)
	}
	_ = sink
}

// TestWriteReadHeaders: headers, keys and timestamps go through a Writer
// and come back from a Reader; concurrent WriteMessages calls (which share
// the writer's conversion buffers) each deliver their own messages.
func TestWriteReadHeaders(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "hdr", Partitions: 2}}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{Compression: CompressionNone})
	if err != nil {
		t.Fatal(err)
	}
	const writers, calls = 4, 10
	at := time.UnixMilli(1_700_000_000_000)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				msgs := []Message{
					{Topic: "hdr", Partition: g % 2, Key: []byte(fmt.Sprintf("%d-%d", g, i)), Value: []byte("a"), Time: at,
						Headers: []Header{{Key: "kind", Value: []byte("b")}, {Key: "writer", Value: []byte{byte(g)}}}},
					{Topic: "hdr", Partition: g % 2, Key: []byte(fmt.Sprintf("%d-%d", g, i)), Value: []byte("z"), Time: at},
				}
				if err := w.WriteMessages(ctx, msgs...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for p := range 2 {
		r, err := NewPartitionReader(kc, "hdr", p, FirstOffset, ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for off := range int64(writers / 2 * calls * 2) {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if m.Topic != "hdr" || m.Partition != p || m.Offset != off || !m.Time.Equal(at) {
				t.Fatalf("partition %d: %+v", p, m)
			}
			var g, i int
			if _, err := fmt.Sscanf(string(m.Key), "%d-%d", &g, &i); err != nil || g%2 != p {
				t.Fatalf("partition %d: key %q", p, m.Key)
			}
			switch string(m.Value) {
			case "a":
				if len(m.Headers) != 2 || m.Headers[0].Key != "kind" || string(m.Headers[0].Value) != "b" ||
					m.Headers[1].Key != "writer" || len(m.Headers[1].Value) != 1 || int(m.Headers[1].Value[0]) != g {
					t.Fatalf("headers of %s: %v", m.Key, m.Headers)
				}
			case "z":
				if len(m.Headers) != 0 {
					t.Fatalf("headers of %s: %v", m.Key, m.Headers)
				}
			default:
				t.Fatalf("value %q", m.Value)
			}
			seen[string(m.Key)+string(m.Value)]++
		}
		r.Close()
	}
	if len(seen) != writers*calls*2 {
		t.Errorf("read %d distinct messages, want %d", len(seen), writers*calls*2)
	}
}

func TestCompression(t *testing.T) {
	for _, name := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		c, err := ParseCompression(name)
		if err != nil || c.String() != name {
			t.Errorf("ParseCompression(%q) = %v (%q), %v", name, c, c.String(), err)
		}
	}
	if _, err := ParseCompression("brotli"); err == nil {
		t.Error("brotli accepted")
	}
	if _, err := NewWriter(Config{Brokers: []string{"h:1"}}, WriterOptions{Compression: 9}); err == nil {
		t.Error("unknown codec 9 accepted")
	}
}

// TestGroupBalancers: the assignors' names are Kafka's protocol names, in
// the order given.
func TestGroupBalancers(t *testing.T) {
	got := kafkaGroupBalancers([]GroupBalancer{BalanceRoundRobin, BalanceRange})
	if len(got) != 2 || got[0].ProtocolName() != string(BalanceRoundRobin) || got[1].ProtocolName() != string(BalanceRange) {
		t.Errorf("kafkaGroupBalancers = %v", got)
	}
	if kafkaGroupBalancers(nil) != nil {
		t.Error("no assignors should leave kafka-go's default")
	}
}
