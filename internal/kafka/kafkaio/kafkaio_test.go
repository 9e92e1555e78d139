package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/segmentio/kafka-go"
)

func startBroker(t *testing.T) Config {
	t.Helper()
	b, err := broker.Start(context.Background(), broker.Config{DefaultPartitions: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return Config{Brokers: b.Addrs()}
}

func TestEnsureTopics(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	specs := []TopicSpec{
		{Name: "a", Partitions: 3, Configs: map[string]string{"retention.ms": "-1"}},
		{Name: TopicName("db", "表"), Partitions: 1},
		{Name: "dflt"},
	}
	for i := 0; i < 2; i++ { // the second call finds everything in place
		if err := EnsureTopics(ctx, kc, specs); err != nil {
			t.Fatalf("EnsureTopics #%d: %v", i+1, err)
		}
	}
	got, err := ListTopics(ctx, kc)
	if err != nil {
		t.Fatal(err)
	}
	want := []TopicInfo{{"a", 3}, {"db---e8-a1-a8", 1}, {"dflt", 5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ListTopics = %v, want %v", got, want)
	}
	err = EnsureTopics(ctx, kc, []TopicSpec{{Name: "a", Partitions: 4}})
	if !errors.Is(err, ErrPartitionMismatch) {
		t.Fatalf("different partition count: err %v, want ErrPartitionMismatch", err)
	}
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "bad name"}}); err == nil {
		t.Fatal("invalid name accepted")
	}
	if err := DeleteTopics(ctx, kc, "a", "missing"); err != nil {
		t.Fatalf("DeleteTopics: %v", err)
	}
	got, _ = ListTopics(ctx, kc)
	if len(got) != 2 {
		t.Fatalf("after delete: %v", got)
	}
}

// TestExplicitPartition: every message lands on the partition it names,
// whatever its key.
func TestExplicitPartition(t *testing.T) {
	kc := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const parts, per = 4, 30
	if err := EnsureTopics(ctx, kc, []TopicSpec{{Name: "exact", Partitions: parts}}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(kc, WriterOptions{Topic: "exact"})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []Message
	for i := 0; i < per; i++ {
		for p := parts - 1; p >= 0; p-- {
			msgs = append(msgs, Message{Partition: p, Key: []byte("same-key"), Value: []byte(fmt.Sprintf("%d/%d", p, i))})
		}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	// Out of range: the broker refuses, and the error is not retriable
	// forever (MaxAttempts bounds it).
	w2, _ := NewWriter(kc, WriterOptions{Topic: "exact", MaxAttempts: 2})
	if err := w2.WriteMessages(ctx, Message{Partition: parts}); err == nil {
		t.Error("write to a missing partition succeeded")
	}
	w2.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for p := 0; p < parts; p++ {
		r, err := NewPartitionReader(kc, "exact", p, 0, ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < per; i++ {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%d/%d", p, i); string(m.Value) != want || m.Partition != p {
				t.Fatalf("partition %d message %d: got %s on %d, want %s", p, i, m.Value, m.Partition, want)
			}
		}
		// Replay from an offset.
		r.Close()
	}
	r, err := NewPartitionReader(kc, "exact", 2, 25, ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	m, err := r.FetchMessage(ctx)
	if err != nil || string(m.Value) != "2/25" {
		t.Fatalf("replay from offset 25: %s %v", m.Value, err)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{},
		{Brokers: []string{"nohostport"}},
		{Brokers: []string{"h:1"}, SASL: SASLConfig{Mechanism: "gssapi", User: "u"}},
		{Brokers: []string{"h:1"}, SASL: SASLConfig{Mechanism: "plain"}},
		{Brokers: []string{"h:1"}, TLS: TLSConfig{CertFile: "c.pem"}},
		{Brokers: []string{"h:1"}, DialTimeout: -1},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	c := Config{Brokers: []string{"h:1"}, SASL: SASLConfig{Mechanism: "SCRAM-SHA-512", User: "u", Password: "p"}, TLS: TLSConfig{InsecureSkipVerify: true}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "lightstream" || !c.TLS.Enable || c.SASL.Mechanism != SASLScramSHA512 {
		t.Errorf("defaults not filled: %+v", c)
	}
	tr, err := c.transport()
	if err != nil || tr.SASL == nil || tr.SASL.Name() != "SCRAM-SHA-512" || tr.TLS == nil {
		t.Errorf("Transport: %+v %v", tr, err)
	}
	d, err := c.dialer()
	if err != nil || d.SASLMechanism == nil || d.TLS == nil {
		t.Errorf("Dialer: %+v %v", d, err)
	}
	if _, err := (Config{Brokers: []string{"h:1"}, TLS: TLSConfig{CAFile: "/nonexistent"}}).transport(); err == nil {
		t.Error("missing CA file accepted")
	}
}

func TestIsRetriable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{io.EOF, false},
		{io.ErrClosedPipe, false},
		{kafka.NotLeaderForPartition, true},
		{fmt.Errorf("produce: %w", kafka.LeaderNotAvailable), true},
		{kafka.RequestTimedOut, true},
		{kafka.RebalanceInProgress, true},
		{kafka.UnknownTopicOrPartition, true},
		{kafka.TopicAuthorizationFailed, false},
		{kafka.SASLAuthenticationFailed, false},
		{kafka.MessageSizeTooLarge, false},
		{kafka.MessageTooLargeError{}, false},
		{kafka.WriteErrors{nil, kafka.NotLeaderForPartition}, true},
		{kafka.WriteErrors{kafka.NotLeaderForPartition, kafka.TopicAuthorizationFailed}, false},
		{kafka.WriteErrors{nil, nil}, false},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{syscall.ECONNRESET, true},
		{io.ErrUnexpectedEOF, true},
		{errors.New("something else"), false},
	}
	for _, c := range cases {
		if got := IsRetriable(c.err); got != c.want {
			t.Errorf("IsRetriable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
