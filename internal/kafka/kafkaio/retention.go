package kafkaio

import (
	"context"
	"errors"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// ErrNoTopic: the topic does not exist.
var ErrNoTopic = errors.New("no such topic")

// FirstOffsets returns the oldest offset each partition of topic still
// holds (0 while nothing expired), by partition.
func FirstOffsets(ctx context.Context, cfg Config, topic string) ([]int64, error) {
	c, tr, err := cfg.client()
	if err != nil {
		return nil, err
	}
	defer tr.CloseIdleConnections()
	parts, err := describe(ctx, c, []string{topic})
	if err != nil {
		return nil, err
	}
	n, ok := parts[topic]
	if !ok {
		return nil, fmt.Errorf("topic %s: %w", topic, ErrNoTopic)
	}
	reqs := make([]kafka.OffsetRequest, n)
	for p := range reqs {
		reqs[p] = kafka.FirstOffsetOf(p)
	}
	resp, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("first offsets of %s: %w", topic, err)
	}
	out := make([]int64, n)
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("first offset of %s[%d]: %w", topic, po.Partition, po.Error)
		}
		if po.Partition >= 0 && po.Partition < n {
			out[po.Partition] = po.FirstOffset
		}
	}
	return out, nil
}

// SetRetention sets the topics' retention.ms (-1: forever).
func SetRetention(ctx context.Context, cfg Config, ms int64, topics ...string) error {
	if len(topics) == 0 {
		return nil
	}
	c, tr, err := cfg.client()
	if err != nil {
		return err
	}
	defer tr.CloseIdleConnections()
	req := &kafka.IncrementalAlterConfigsRequest{}
	for _, t := range topics {
		req.Resources = append(req.Resources, kafka.IncrementalAlterConfigsRequestResource{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: t,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "retention.ms", Value: fmt.Sprint(ms), ConfigOperation: kafka.ConfigOperationSet}},
		})
	}
	resp, err := c.IncrementalAlterConfigs(ctx, req)
	if err != nil {
		return fmt.Errorf("set retention: %w", err)
	}
	var errs []error
	for _, r := range resp.Resources {
		if r.Error != nil {
			errs = append(errs, fmt.Errorf("set retention of %s: %w", r.ResourceName, r.Error))
		}
	}
	return errors.Join(errs...)
}

// EndOffset returns the offset the next record of partition of topic will
// get (0 for an empty partition).
func EndOffset(ctx context.Context, cfg Config, topic string, partition int) (int64, error) {
	c, tr, err := cfg.client()
	if err != nil {
		return 0, err
	}
	defer tr.CloseIdleConnections()
	res, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(partition)}},
	})
	if err != nil {
		return 0, fmt.Errorf("end offset of %s[%d]: %w", topic, partition, err)
	}
	for _, p := range res.Topics[topic] {
		if p.Partition != partition {
			continue
		}
		if p.Error != nil {
			return 0, fmt.Errorf("end offset of %s[%d]: %w", topic, partition, p.Error)
		}
		return p.LastOffset, nil
	}
	return 0, fmt.Errorf("end offset of %s[%d]: no answer for the partition", topic, partition)
}
