// Package member runs one consumer-group member: it joins a Kafka consumer
// group (kafkaio.ConsumerGroup), and for every partition the group
// assigns it, runs a handler until the next rebalance. Encoders and
// sorters are both built on it; they differ only in what a claim does.
//
// The handler, not the group, decides where reading starts: a sorter
// resumes from the offset its engine recorded (the engine is the durable
// state), an encoder from the group's committed offset.
package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

// Config says which group to join.
type Config struct {
	// Kafka reaches the brokers (addresses, TLS, SASL).
	Kafka kafkaio.Config
	// Group is the consumer group ID.
	Group string
	// Topics the group consumes.
	Topics []string
	// SessionTimeout: how long the broker waits for heartbeats before it
	// gives a member's partitions to others (default 10s).
	SessionTimeout time.Duration
	// RebalanceTimeout: how long members get to finish their claims when
	// the group rebalances (default 30s).
	RebalanceTimeout time.Duration
	// HeartbeatInterval: how often a member heartbeats, which is also how
	// soon it notices a rebalance (default 100ms). A group's members join
	// one after another: the first is given every partition and starts,
	// and each later join holds the others idle until the first notices
	// it and rejoins (kafka-go's 3s, and the 1s this was, left one of two
	// encoders idle for a second at every import's start, and threw away
	// the first one's work of that second). A heartbeat is a small
	// request: ten a second per member cost nothing a broker notices.
	HeartbeatInterval time.Duration
	// GroupBalancers are the assignors the member offers, preferred first
	// (the group uses the first that every member offers; default range,
	// then round-robin).
	GroupBalancers []kafkaio.GroupBalancer
	// OnAssign, if set, is told each generation's assignment of this
	// member (topic -> partitions; empty when it got none), before its
	// claims start.
	OnAssign func(generation int32, assigned map[string][]int)
}

func (c *Config) validate() error {
	switch {
	case len(c.Kafka.Brokers) == 0:
		return errors.New("member: no brokers")
	case c.Group == "":
		return errors.New("member: no group id")
	case len(c.Topics) == 0:
		return errors.New("member: no topics")
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = 10 * time.Second
	}
	if c.RebalanceTimeout == 0 {
		c.RebalanceTimeout = 30 * time.Second
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	return nil
}

// DefaultHeartbeatInterval is Config.HeartbeatInterval's default.
const DefaultHeartbeatInterval = 100 * time.Millisecond

// Claim is one partition assigned to this member for one generation.
type Claim struct {
	Topic     string
	Partition int
	// Committed is the group's committed offset for the partition: the
	// next offset to read, or a negative value (kafkaio.FirstOffset) when
	// nothing was committed.
	Committed int64
	gen       *kafkaio.Generation
}

// Commit records that every message before offset is done (offset is the
// next one to read).
func (c *Claim) Commit(offset int64) error {
	return c.gen.CommitOffsets(map[string]map[int]int64{c.Topic: {c.Partition: offset}})
}

// Handler processes a claim until ctx ends (a rebalance or shutdown: return
// nil then) or it fails (return the error: the member stops).
type Handler func(ctx context.Context, c *Claim) error

// Run joins the group and runs h for every assigned partition until ctx
// ends or a handler fails.
func Run(ctx context.Context, cfg Config, h Handler) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	group, err := kafkaio.NewConsumerGroup(cfg.Kafka, kafkaio.GroupConfig{
		ID:                cfg.Group,
		Topics:            cfg.Topics,
		SessionTimeout:    cfg.SessionTimeout,
		RebalanceTimeout:  cfg.RebalanceTimeout,
		HeartbeatInterval: cfg.HeartbeatInterval,
		Balancers:         cfg.GroupBalancers,
	})
	if err != nil {
		return fmt.Errorf("join group %s: %w", cfg.Group, err)
	}
	defer group.Close()

	var (
		failMu sync.Mutex
		failed error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for {
		gen, err := group.Next(ctx)
		if err != nil {
			failMu.Lock()
			f := failed
			failMu.Unlock()
			if f != nil {
				return f
			}
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, kafkaio.ErrGroupClosed) {
				return nil
			}
			// Joining races with other members joining or leaving
			// (RebalanceInProgress, UnknownMemberId, ...): the group is
			// already joining again (pacing itself: the broker holds a
			// join during a rebalance, and other failures wait the
			// group's JoinGroupBackoff), and its next generation waits
			// for this call: a pause here only left this member's
			// partitions idle for it.
			if kafkaio.IsGroupChurn(err) {
				continue
			}
			if kafkaio.IsRetriable(err) {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(200 * time.Millisecond):
				}
				continue
			}
			return fmt.Errorf("group %s: %w", cfg.Group, err)
		}
		if cfg.OnAssign != nil {
			assigned := make(map[string][]int, len(gen.Assignments))
			for topic, parts := range gen.Assignments {
				for _, p := range parts {
					assigned[topic] = append(assigned[topic], p.ID)
				}
			}
			cfg.OnAssign(gen.ID, assigned)
		}
		for topic, parts := range gen.Assignments {
			for _, p := range parts {
				claim := &Claim{Topic: topic, Partition: p.ID, Committed: p.Offset, gen: gen}
				gen.Start(func(gctx context.Context) {
					// gctx ends at the next rebalance; ctx when the member stops.
					cctx, ccancel := context.WithCancel(gctx)
					defer ccancel()
					go func() {
						select {
						case <-ctx.Done():
							ccancel()
						case <-cctx.Done():
						}
					}()
					if err := h(cctx, claim); err != nil && cctx.Err() == nil {
						failMu.Lock()
						if failed == nil {
							failed = fmt.Errorf("%s[%d]: %w", claim.Topic, claim.Partition, err)
						}
						failMu.Unlock()
						cancel()
					}
				})
			}
		}
	}
}

// FormatAssignment is a one-line account of an assignment for logs:
// "generation 3: 5 partitions: topic[0 1] other[2]".
func FormatAssignment(generation int32, assigned map[string][]int) string {
	topics := make([]string, 0, len(assigned))
	n := 0
	for t, ps := range assigned {
		topics = append(topics, t)
		n += len(ps)
	}
	sort.Strings(topics)
	var b strings.Builder
	fmt.Fprintf(&b, "generation %d: %d partitions", generation, n)
	for i, t := range topics {
		if i == 0 {
			b.WriteString(":")
		}
		ps := slices.Sorted(slices.Values(assigned[t]))
		fmt.Fprintf(&b, " %s%v", t, ps)
	}
	return b.String()
}
