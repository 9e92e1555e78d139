package kafkaio

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	fsasl "github.com/twmb/franz-go/pkg/sasl"
	fplain "github.com/twmb/franz-go/pkg/sasl/plain"
	fscram "github.com/twmb/franz-go/pkg/sasl/scram"
)

// DeleteRecords deletes every record the topics' partitions hold now
// (Kafka's DeleteRecords up to each partition's high watermark): the
// broker drops their segments, while the topics themselves, and the
// consumer groups subscribed to them, stay as they are. kafka-go has no
// DeleteRecords, so this one request goes through franz-go's client,
// which sends each partition's part to its leader. A topic that does not
// exist is not an error.
func DeleteRecords(ctx context.Context, cfg Config, topics ...string) error {
	if len(topics) == 0 {
		return nil
	}
	parts, err := TopicPartitions(ctx, cfg, topics...)
	if err != nil {
		return fmt.Errorf("delete records: %w", err)
	}
	if len(parts) == 0 {
		return nil
	}
	opts, err := cfg.franzOptions()
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("delete records: %w", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	req.TimeoutMillis = 30_000
	for _, t := range topics {
		n, ok := parts[t]
		if !ok {
			continue
		}
		rt := kmsg.NewDeleteRecordsRequestTopic()
		rt.Topic = t
		for p := 0; p < n; p++ {
			rp := kmsg.NewDeleteRecordsRequestTopicPartition()
			rp.Partition = int32(p)
			rp.Offset = -1 // the high watermark
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	var errs []error
	for _, shard := range cl.RequestSharded(ctx, req) {
		if shard.Err != nil {
			if errors.Is(shard.Err, kerr.UnknownTopicOrPartition) {
				continue
			}
			errs = append(errs, fmt.Errorf("delete records: %w", shard.Err))
			continue
		}
		resp := shard.Resp.(*kmsg.DeleteRecordsResponse)
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if e := kerr.ErrorForCode(p.ErrorCode); e != nil && !errors.Is(e, kerr.UnknownTopicOrPartition) {
					errs = append(errs, fmt.Errorf("delete records of %s[%d]: %w", t.Topic, p.Partition, e))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// franzOptions are the configuration as franz-go client options: the same
// brokers, client id, dial timeout, TLS and SASL as the kafka-go transport.
func (c Config) franzOptions() ([]kgo.Opt, error) {
	v, err := c.validated()
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{kgo.SeedBrokers(v.Brokers...), kgo.ClientID(v.ClientID), kgo.DialTimeout(v.DialTimeout)}
	tc, err := v.tlsConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	var mech fsasl.Mechanism
	switch v.SASL.Mechanism {
	case "":
	case SASLPlain:
		mech = fplain.Auth{User: v.SASL.User, Pass: v.SASL.Password}.AsMechanism()
	case SASLScramSHA256:
		mech = fscram.Auth{User: v.SASL.User, Pass: v.SASL.Password}.AsSha256Mechanism()
	case SASLScramSHA512:
		mech = fscram.Auth{User: v.SASL.User, Pass: v.SASL.Password}.AsSha512Mechanism()
	default:
		return nil, fmt.Errorf("kafka config: SASL Mechanism %q unknown", v.SASL.Mechanism)
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}
