package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/segmentio/kafka-go"
)

// ErrPartitionMismatch reports an existing topic whose partition count
// differs from the one asked for: data already partitioned one way cannot
// be read back as if partitioned another.
var ErrPartitionMismatch = errors.New("topic exists with a different partition count")

// TopicSpec describes a topic EnsureTopics creates.
type TopicSpec struct {
	// Name is the topic name (see TopicName); required.
	Name string
	// Partitions is the partition count; 0 means the broker default.
	Partitions int
	// ReplicationFactor is the replica count; 0 means the broker default.
	ReplicationFactor int
	// Configs are topic configs (retention.ms, cleanup.policy, ...),
	// applied at creation only.
	Configs map[string]string
}

// TopicInfo is one topic as the cluster reports it.
type TopicInfo struct {
	Name       string
	Partitions int
}

// EnsureTopics creates the topics that do not exist and checks those that
// do. It is idempotent: an existing topic with the asked partition count (or
// any count when Partitions is 0) is fine; a different count is an error
// wrapping ErrPartitionMismatch. It returns once every topic is visible in
// metadata.
func EnsureTopics(ctx context.Context, cfg Config, specs []TopicSpec) error {
	if len(specs) == 0 {
		return nil
	}
	c, tr, err := cfg.client()
	if err != nil {
		return err
	}
	defer tr.CloseIdleConnections()
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		if !ValidTopicName(s.Name) {
			return fmt.Errorf("ensure topics: invalid topic name %q", s.Name)
		}
		if s.Partitions < 0 || s.ReplicationFactor < 0 {
			return fmt.Errorf("ensure topics: topic %s: negative partitions or replication factor", s.Name)
		}
		names = append(names, s.Name)
	}
	existing, err := describe(ctx, c, names)
	if err != nil {
		return fmt.Errorf("ensure topics: %w", err)
	}
	var create []kafka.TopicConfig
	for _, s := range specs {
		if _, ok := existing[s.Name]; ok {
			continue
		}
		tc := kafka.TopicConfig{Topic: s.Name, NumPartitions: -1, ReplicationFactor: -1}
		if s.Partitions > 0 {
			tc.NumPartitions = s.Partitions
		}
		if s.ReplicationFactor > 0 {
			tc.ReplicationFactor = s.ReplicationFactor
		}
		keys := make([]string, 0, len(s.Configs))
		for k := range s.Configs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: s.Configs[k]})
		}
		create = append(create, tc)
	}
	if len(create) > 0 {
		resp, err := c.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: create})
		if err != nil {
			return fmt.Errorf("ensure topics: create: %w", err)
		}
		for name, e := range resp.Errors {
			// Another stage may have created it meanwhile; the
			// partition check below decides.
			if e != nil && !errors.Is(e, kafka.TopicAlreadyExists) {
				return fmt.Errorf("ensure topics: create %s: %w", name, e)
			}
		}
	}
	// Creation is asynchronous in Kafka: wait until metadata shows every
	// topic with its partitions.
	backoff := 20 * time.Millisecond
	for {
		existing, err = describe(ctx, c, names)
		if err != nil {
			return fmt.Errorf("ensure topics: %w", err)
		}
		if len(existing) == len(names) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ensure topics: waiting for %d topics to appear: %w", len(names)-len(existing), ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
	for _, s := range specs {
		if got := existing[s.Name]; s.Partitions > 0 && got != s.Partitions {
			return fmt.Errorf("ensure topics: topic %s has %d partitions, want %d: %w", s.Name, got, s.Partitions, ErrPartitionMismatch)
		}
	}
	return nil
}

// describe returns the partition counts of those of names that exist.
func describe(ctx context.Context, c *kafka.Client, names []string) (map[string]int, error) {
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: names})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	out := make(map[string]int, len(names))
	for _, t := range md.Topics {
		if t.Error != nil {
			if errors.Is(t.Error, kafka.UnknownTopicOrPartition) || errors.Is(t.Error, kafka.LeaderNotAvailable) {
				continue
			}
			return nil, fmt.Errorf("metadata of %s: %w", t.Name, t.Error)
		}
		if len(t.Partitions) > 0 {
			out[t.Name] = len(t.Partitions)
		}
	}
	return out, nil
}

// TopicPartitions returns the partition counts of those of the named
// topics that exist (a topic being created may show none yet: it is left
// out until it has partitions).
func TopicPartitions(ctx context.Context, cfg Config, names ...string) (map[string]int, error) {
	c, tr, err := cfg.client()
	if err != nil {
		return nil, err
	}
	defer tr.CloseIdleConnections()
	return describe(ctx, c, names)
}

// ListTopics returns the cluster's non-internal topics sorted by name.
func ListTopics(ctx context.Context, cfg Config) ([]TopicInfo, error) {
	c, tr, err := cfg.client()
	if err != nil {
		return nil, err
	}
	defer tr.CloseIdleConnections()
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	out := make([]TopicInfo, 0, len(md.Topics))
	for _, t := range md.Topics {
		if t.Internal || t.Error != nil {
			continue
		}
		out = append(out, TopicInfo{Name: t.Name, Partitions: len(t.Partitions)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteTopics deletes the named topics; topics that do not exist are not an
// error.
func DeleteTopics(ctx context.Context, cfg Config, names ...string) error {
	if len(names) == 0 {
		return nil
	}
	c, tr, err := cfg.client()
	if err != nil {
		return err
	}
	defer tr.CloseIdleConnections()
	resp, err := c.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: names})
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	var errs []error
	for name, e := range resp.Errors {
		if e != nil && !errors.Is(e, kafka.UnknownTopicOrPartition) {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", name, e))
		}
	}
	return errors.Join(errs...)
}
