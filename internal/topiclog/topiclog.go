// Package topiclog reads and writes the small single-partition control
// topics of an import (manifests, schemas, events) as logs of protobuf
// messages: a reader follows the log from the first offset, a writer
// appends synchronously (a message is acknowledged by the broker when
// Append returns).
package topiclog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafkaio"
)

// Follow reads partition 0 of topic from the first offset and calls fn for
// every record, then keeps waiting for new ones until ctx ends or fn
// returns an error. ErrStop from fn ends Follow with a nil error.
func Follow(ctx context.Context, cfg kafkaio.Config, topic string, fn func(m kafka.Message) error) error {
	dialer, err := cfg.Dialer()
	if err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     cfg.Brokers,
		Dialer:      dialer,
		Topic:       topic,
		Partition:   0,
		MinBytes:    1,
		MaxBytes:    16 << 20,
		MaxWait:     200 * time.Millisecond,
		StartOffset: kafka.FirstOffset,
	})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s: %w", topic, err)
		}
		if err := fn(m); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
}

// ErrStop ends Follow without error.
var ErrStop = errors.New("stop following")

// Writer appends protobuf messages to control topics.
type Writer struct {
	w *kafka.Writer
}

// NewWriter returns a writer for any topic of the cluster.
func NewWriter(cfg kafkaio.Config) (*Writer, error) {
	// Control topics have one partition: Message.Partition 0 everywhere.
	w, err := kafkaio.NewWriter(cfg, kafkaio.WriterOptions{Linger: time.Millisecond})
	if err != nil {
		return nil, err
	}
	return &Writer{w: w}, nil
}

// Append writes one message with the given key and waits for the broker's
// acknowledgement.
func (w *Writer) Append(ctx context.Context, topic, key string, m proto.Message) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %T: %w", m, err)
	}
	return w.AppendRaw(ctx, kafka.Message{Topic: topic, Key: []byte(key), Value: b})
}

// AppendRaw writes already encoded messages and waits for their
// acknowledgement, retrying transient broker errors.
func (w *Writer) AppendRaw(ctx context.Context, msgs ...kafka.Message) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = w.w.WriteMessages(ctx, msgs...); err == nil || !kafkaio.IsRetriable(err) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 100 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("write %d messages: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the writer.
func (w *Writer) Close() error { return w.w.Close() }

// EndOffset returns the offset the next record of partition 0 of topic
// will get (0 for an empty topic).
func EndOffset(ctx context.Context, cfg kafkaio.Config, topic string) (int64, error) {
	tr, err := cfg.Transport()
	if err != nil {
		return 0, err
	}
	defer tr.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Transport: tr}
	res, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}},
	})
	if err != nil {
		return 0, fmt.Errorf("end offset of %s: %w", topic, err)
	}
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return 0, fmt.Errorf("end offset of %s: %w", topic, p.Error)
		}
		return p.LastOffset, nil
	}
	return 0, fmt.Errorf("end offset of %s: no answer for partition 0", topic)
}
