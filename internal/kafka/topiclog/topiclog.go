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

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

// Follow reads partition 0 of topic from the first offset and calls fn for
// every record, then keeps waiting for new ones until ctx ends or fn
// returns an error. ErrStop from fn ends Follow with a nil error.
//
// A read that fails (the broker restarting: connection refused, a
// dropped connection) is retried from the next offset for up to
// FollowRetryTime: a coordinator must outlive a broker restart, as the
// other members do.
func Follow(ctx context.Context, cfg kafkaio.Config, topic string, fn func(m kafkaio.Message) error) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	next := kafkaio.FirstOffset
	var failingSince time.Time
	backoff := 100 * time.Millisecond
	for {
		before := next
		err := follow(ctx, cfg, topic, &next, fn)
		if err == nil || ctx.Err() != nil || !errors.Is(err, errRead) {
			return err
		}
		// Records read since the last failure: this is a new outage.
		if failingSince.IsZero() || next != before {
			failingSince, backoff = time.Now(), 100*time.Millisecond
		}
		if time.Since(failingSince) > FollowRetryTime {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// FollowRetryTime is how long Follow retries a topic it cannot read.
const FollowRetryTime = 2 * time.Minute

// errRead marks a failed fetch (as opposed to an error of fn).
var errRead = errors.New("read failed")

// follow reads from *next (kafkaio.FirstOffset or an offset) until an
// error; *next is kept at the offset after the last record handled.
func follow(ctx context.Context, cfg kafkaio.Config, topic string, next *int64, fn func(m kafkaio.Message) error) error {
	r, err := kafkaio.NewPartitionReader(cfg, topic, 0, *next, kafkaio.ReaderOptions{
		MaxBytes: 16 << 20,
		MaxWait:  200 * time.Millisecond,
		// kafka-go's own retry defaults: a reader that cannot reach the
		// broker reports it soon, and Follow retries with a new one.
		MaxAttempts:    3,
		ReadBackoffMin: 100 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("read %s from offset %d: %w", topic, *next, err)
	}
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s: %w: %w", topic, errRead, err)
		}
		if err := fn(m); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		*next = m.Offset + 1
	}
}

// ErrStop ends Follow without error.
var ErrStop = errors.New("stop following")

// Writer appends protobuf messages to control topics.
type Writer struct {
	w *kafkaio.Writer
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
	return w.AppendRaw(ctx, kafkaio.Message{Topic: topic, Key: []byte(key), Value: b})
}

// AppendRaw writes already encoded messages and waits for their
// acknowledgement, retrying transient broker errors.
func (w *Writer) AppendRaw(ctx context.Context, msgs ...kafkaio.Message) error {
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
	return kafkaio.EndOffset(ctx, cfg, topic, 0)
}
