package kafkaio

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// ReaderOptions tune a Reader.
type ReaderOptions struct {
	// MinBytes is the least a fetch waits for; default 1.
	MinBytes int
	// MaxBytes bounds one fetch response (and so the reader's buffered
	// memory per partition); default 8 MiB.
	MaxBytes int
	// MaxWait is how long a fetch waits for MinBytes; default 250ms.
	MaxWait time.Duration
	// QueueCapacity is how many fetched messages the reader buffers;
	// default 100.
	QueueCapacity int
	// StartOffset is where a group with no committed offset starts (or a
	// partition reader, when Offset is not set): FirstOffset (default) or
	// LastOffset.
	StartOffset int64
	// SessionTimeout, HeartbeatInterval, RebalanceTimeout and
	// JoinGroupBackoff are the group timings; defaults 30s, 3s, 30s, 1s.
	// The embedded broker accepts session timeouts from 6s to 5min.
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	RebalanceTimeout  time.Duration
	JoinGroupBackoff  time.Duration
	// GroupBalancers are the partition assignors offered to the group;
	// default range then round-robin (kafka-go's default).
	GroupBalancers []GroupBalancer
	// MaxAttempts is how many times the reader tries to reach a
	// partition's leader before FetchMessage returns the error (it keeps
	// trying after that); default 10.
	MaxAttempts int
	// ReadBackoffMin is the first wait between failed fetches (doubling
	// up to 1s); default 50ms.
	ReadBackoffMin time.Duration
	// WatchPartitionChanges makes a group reader rebalance when
	// partitions are added; default false.
	WatchPartitionChanges bool
}

// GroupBalancer names a partition assignor a group member offers (Kafka's
// protocol name of the assignor).
type GroupBalancer string

// The assignors.
const (
	// BalanceRange gives each member a contiguous range of each topic's
	// partitions.
	BalanceRange GroupBalancer = "range"
	// BalanceRoundRobin deals all topics' partitions to the members in
	// turn.
	BalanceRoundRobin GroupBalancer = "roundrobin"
)

// kafkaGroupBalancers are kafka-go's assignors for bs (nil for none: the
// default); an unknown name is left out.
func kafkaGroupBalancers(bs []GroupBalancer) []kafka.GroupBalancer {
	var out []kafka.GroupBalancer
	for _, b := range bs {
		switch b {
		case BalanceRange:
			out = append(out, kafka.RangeGroupBalancer{})
		case BalanceRoundRobin:
			out = append(out, kafka.RoundRobinGroupBalancer{})
		}
	}
	return out
}

// Reader reads Messages from a partition, or as a member of a group.
type Reader struct {
	r *kafka.Reader
	// conns, for a partition reader, are its connections: Close cuts
	// them rather than wait for a fetch the broker holds for MaxWait.
	conns *readerConns
}

// FetchMessage returns the next message, waiting for one until ctx ends.
// It commits nothing.
func (r *Reader) FetchMessage(ctx context.Context) (Message, error) {
	m, err := r.r.FetchMessage(ctx)
	if err != nil {
		return Message{}, err
	}
	return messageOf(m), nil
}

// CommitMessages commits, for a group reader, the offsets after msgs.
func (r *Reader) CommitMessages(ctx context.Context, msgs ...Message) error {
	km := make([]kafka.Message, len(msgs))
	for i := range msgs {
		km[i] = kafka.Message{Topic: msgs[i].Topic, Partition: msgs[i].Partition, Offset: msgs[i].Offset}
	}
	return r.r.CommitMessages(ctx, km...)
}

// Close stops the reader and releases its connections. A partition
// reader's fetch in flight is cut, not waited for.
func (r *Reader) Close() error {
	if r.conns != nil {
		r.conns.closeAll()
	}
	return r.r.Close()
}

func (o ReaderOptions) config(cfg Config) (kafka.ReaderConfig, error) {
	v, err := cfg.validated()
	if err != nil {
		return kafka.ReaderConfig{}, err
	}
	d, err := v.dialer()
	if err != nil {
		return kafka.ReaderConfig{}, err
	}
	if o.MinBytes == 0 {
		o.MinBytes = 1
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 8 << 20
	}
	if o.MaxWait == 0 {
		o.MaxWait = 250 * time.Millisecond
	}
	if o.QueueCapacity == 0 {
		o.QueueCapacity = 100
	}
	if o.StartOffset == 0 {
		o.StartOffset = FirstOffset
	}
	if o.JoinGroupBackoff == 0 {
		o.JoinGroupBackoff = time.Second
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 10
	}
	if o.ReadBackoffMin == 0 {
		o.ReadBackoffMin = 50 * time.Millisecond
	}
	return kafka.ReaderConfig{
		Brokers:               v.Brokers,
		Dialer:                d,
		MinBytes:              o.MinBytes,
		MaxBytes:              o.MaxBytes,
		MaxWait:               o.MaxWait,
		QueueCapacity:         o.QueueCapacity,
		StartOffset:           o.StartOffset,
		SessionTimeout:        o.SessionTimeout,
		HeartbeatInterval:     o.HeartbeatInterval,
		RebalanceTimeout:      o.RebalanceTimeout,
		JoinGroupBackoff:      o.JoinGroupBackoff,
		GroupBalancers:        kafkaGroupBalancers(o.GroupBalancers),
		WatchPartitionChanges: o.WatchPartitionChanges,
		ReadBackoffMin:        o.ReadBackoffMin,
		ReadBackoffMax:        time.Second,
		MaxAttempts:           o.MaxAttempts,
		IsolationLevel:        kafka.ReadCommitted,
	}, nil
}

// NewGroupReader returns a Reader consuming topics as a member of
// group. Offsets are committed only explicitly and synchronously
// (CommitInterval 0): use FetchMessage, and CommitMessages once everything
// up to a message is durable downstream. ReadMessage would auto-commit and
// must not be used.
func NewGroupReader(cfg Config, group string, topics []string, opts ReaderOptions) (*Reader, error) {
	if group == "" {
		return nil, fmt.Errorf("kafka group reader: empty group")
	}
	if len(topics) == 0 {
		return nil, fmt.Errorf("kafka group reader %s: no topics", group)
	}
	rc, err := opts.config(cfg)
	if err != nil {
		return nil, err
	}
	rc.GroupID = group
	rc.GroupTopics = append([]string(nil), topics...)
	rc.CommitInterval = 0
	return newReader(rc, "group "+group)
}

// NewPartitionReader returns a Reader of one partition without a group
// (for replay), positioned at offset (or FirstOffset / LastOffset).
func NewPartitionReader(cfg Config, topic string, partition int, offset int64, opts ReaderOptions) (*Reader, error) {
	if partition < 0 {
		return nil, fmt.Errorf("kafka partition reader %s: negative partition %d", topic, partition)
	}
	opts.StartOffset = offset
	if offset != FirstOffset && offset != LastOffset && offset < 0 {
		return nil, fmt.Errorf("kafka partition reader %s/%d: bad offset %d", topic, partition, offset)
	}
	rc, err := opts.config(cfg)
	if err != nil {
		return nil, err
	}
	rc.Topic = topic
	rc.Partition = partition
	// The reader's own connections, so that Close can cut them (a group
	// reader's must outlive the cancel: it leaves its group over them).
	conns := newReaderConns(rc.Dialer.Timeout)
	d := *rc.Dialer
	d.DialFunc = conns.dial
	rc.Dialer = &d
	r, err := newReader(rc, fmt.Sprintf("%s/%d", topic, partition))
	if err != nil {
		return nil, err
	}
	r.conns = conns
	if err := r.r.SetOffset(offset); err != nil {
		r.Close()
		return nil, fmt.Errorf("kafka partition reader %s/%d: set offset %d: %w", topic, partition, offset, err)
	}
	return r, nil
}

// newReader validates before calling kafka.NewReader, which panics on a bad
// configuration.
func newReader(rc kafka.ReaderConfig, what string) (*Reader, error) {
	if err := rc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka reader %s: %w", what, err)
	}
	return &Reader{r: kafka.NewReader(rc)}, nil
}
