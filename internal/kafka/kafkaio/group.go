package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// GroupConfig says which consumer group a ConsumerGroup joins and how.
type GroupConfig struct {
	// ID is the consumer group ID; required.
	ID string
	// Topics the group consumes; required.
	Topics []string
	// SessionTimeout, RebalanceTimeout and HeartbeatInterval are the
	// group timings (0: kafka-go's defaults, 30s, 30s and 3s).
	SessionTimeout    time.Duration
	RebalanceTimeout  time.Duration
	HeartbeatInterval time.Duration
	// Balancers are the assignors offered, preferred first (none: range,
	// then round-robin).
	Balancers []GroupBalancer
	// JoinGroupBackoff is how long the member waits before joining again
	// after a failed join or sync other than a rebalance in progress
	// (which the broker paces); default 250ms (kafka-go's 5s left a
	// member that lost a join race to another idle for five seconds).
	JoinGroupBackoff time.Duration
}

// ConsumerGroup is this process's membership in a consumer group: each
// Next is a generation of the group with this member's assignment.
// Partitions with no committed offset start at FirstOffset.
type ConsumerGroup struct {
	g *kafka.ConsumerGroup
	// conns are the member's connections: Close cuts a join the broker
	// holds (closeGrace).
	conns *readerConns
}

// closeGrace is how long Close lets the member leave by itself before it
// cuts the member's connections. A member closing while the group
// rebalances may be in a JoinGroup the broker holds until every member it
// knows joins or the rebalance timeout (30s) passes, and kafka-go's Close
// waits for that request: seen as a 35s pause at the end of an import
// whose two encoders stopped during a rebalance. Cut, the join fails and
// the member leaves the group over a new connection. kafka-go may also
// start one more join after the cut (a generation that ended just before
// Close, whose handlers were slow to return): from then on Close cuts,
// every closeGrace, any connection older than closeLeave, which a
// LeaveGroup on a fresh connection outlives.
const (
	closeGrace = 200 * time.Millisecond
	closeLeave = time.Second
)

// ErrGroupClosed is what Next returns once the group is closed.
var ErrGroupClosed = kafka.ErrGroupClosed

// NewConsumerGroup joins a consumer group (the join itself happens in the
// background: Next waits for it).
func NewConsumerGroup(cfg Config, gc GroupConfig) (*ConsumerGroup, error) {
	v, err := cfg.validated()
	if err != nil {
		return nil, err
	}
	d, err := v.dialer()
	if err != nil {
		return nil, err
	}
	conns := newReaderConns(d.Timeout)
	d.DialFunc = conns.dial
	joinBackoff := gc.JoinGroupBackoff
	if joinBackoff == 0 {
		joinBackoff = 250 * time.Millisecond
	}
	g, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                gc.ID,
		Brokers:           v.Brokers,
		Dialer:            d,
		Topics:            gc.Topics,
		SessionTimeout:    gc.SessionTimeout,
		RebalanceTimeout:  gc.RebalanceTimeout,
		HeartbeatInterval: gc.HeartbeatInterval,
		GroupBalancers:    kafkaGroupBalancers(gc.Balancers),
		StartOffset:       kafka.FirstOffset,
		JoinGroupBackoff:  joinBackoff,
	})
	if err != nil {
		return nil, fmt.Errorf("kafka consumer group: %w", err)
	}
	return &ConsumerGroup{g: g, conns: conns}, nil
}

// Next waits for the next generation of the group (the first once the
// member joined; later ones after each rebalance). It fails with ctx's
// error, ErrGroupClosed, or a join error (see IsGroupChurn).
func (g *ConsumerGroup) Next(ctx context.Context) (*Generation, error) {
	gen, err := g.g.Next(ctx)
	if err != nil {
		return nil, err
	}
	out := &Generation{ID: gen.ID, Assignments: make(map[string][]PartitionAssignment, len(gen.Assignments)), g: gen}
	for topic, parts := range gen.Assignments {
		as := make([]PartitionAssignment, len(parts))
		for i, p := range parts {
			as[i] = PartitionAssignment{ID: p.ID, Offset: p.Offset}
		}
		out.Assignments[topic] = as
	}
	return out, nil
}

// Close leaves the group, ending the current generation.
func (g *ConsumerGroup) Close() error {
	done := make(chan error, 1)
	go func() { done <- g.g.Close() }()
	t := time.NewTicker(closeGrace)
	defer t.Stop()
	for age := time.Duration(0); ; age = closeLeave {
		select {
		case err := <-done:
			return err
		case <-t.C:
			g.conns.cutOlder(age)
		}
	}
}

// Generation is one generation of a consumer group as this member sees it.
type Generation struct {
	// ID is the generation id the coordinator assigned.
	ID int32
	// Assignments are this member's partitions, by topic.
	Assignments map[string][]PartitionAssignment
	g           *kafka.Generation
}

// PartitionAssignment is one partition assigned to this member.
type PartitionAssignment struct {
	// ID is the partition.
	ID int
	// Offset is the group's committed offset (the next to read), or
	// FirstOffset when nothing was committed.
	Offset int64
}

// Start runs fn in a goroutine the generation owns; fn's ctx ends when
// the generation does (a rebalance, or the group closing), and the next
// generation starts only once every fn returned.
func (g *Generation) Start(fn func(ctx context.Context)) { g.g.Start(fn) }

// CommitOffsets commits, for this generation, the next offset to read of
// each topic's partitions.
func (g *Generation) CommitOffsets(offsets map[string]map[int]int64) error {
	return g.g.CommitOffsets(offsets)
}

// IsGroupChurn reports the errors a member sees while the group changes
// (rebalancing, a member or the coordinator moving): joining again is the
// answer.
func IsGroupChurn(err error) bool {
	for _, e := range []error{kafka.RebalanceInProgress, kafka.UnknownMemberId, kafka.IllegalGeneration, kafka.NotCoordinatorForGroup, kafka.GroupCoordinatorNotAvailable, kafka.GroupLoadInProgress} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
