package kafkaio

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
)

// WriterOptions tune a Writer.
type WriterOptions struct {
	// Topic, when set, is the topic of every message; otherwise each
	// Message names its own Topic.
	Topic string
	// Compression is the batch codec; default lz4. Use CompressionNone
	// to disable.
	Compression compress.Compression
	// BatchBytes caps a produce batch (uncompressed bytes); default 1 MiB,
	// under Kafka's default message.max.bytes. A single message larger
	// than this is rejected with kafka.MessageTooLargeError.
	BatchBytes int64
	// BatchSize caps a batch in messages; default 10000.
	BatchSize int
	// Linger is how long a partial batch waits for more messages; default
	// 5ms. kafka-go's own default (1s) would stall every synchronous
	// WriteMessages call whose batch is not full.
	Linger time.Duration
	// MaxAttempts is how many times kafka-go tries a batch; default 10.
	MaxAttempts int
	// Async makes WriteMessages return before delivery; default false
	// (synchronous: nil means every message is acknowledged).
	Async bool
	// Completion, with Async, is called with each delivered batch.
	Completion func(messages []kafka.Message, err error)
}

// CompressionNone selects no compression in WriterOptions.
const CompressionNone compress.Compression = -1

// ExplicitPartition is a kafka-go Balancer that sends each message to the
// partition in its Partition field. kafka-go's Writer otherwise ignores
// Message.Partition (writer.go: the Balancer alone picks the partition), and
// lightstream's stages need exact partition control. A Partition outside
// the topic's partitions is sent as is and the broker rejects it.
type ExplicitPartition struct{}

// Balance implements kafka.Balancer.
func (ExplicitPartition) Balance(msg kafka.Message, _ ...int) int { return msg.Partition }

// NewWriter returns a kafka-go Writer that writes each message to exactly
// the partition in its Partition field, waits for all in-sync replicas
// (RequiredAcks all) and never auto-creates topics. Close it to flush and
// release its connections.
func NewWriter(cfg Config, opts WriterOptions) (*kafka.Writer, error) {
	v, err := cfg.validated()
	if err != nil {
		return nil, err
	}
	tr, err := v.Transport()
	if err != nil {
		return nil, err
	}
	if opts.BatchBytes < 0 || opts.BatchSize < 0 || opts.Linger < 0 || opts.MaxAttempts < 0 {
		return nil, fmt.Errorf("kafka writer: negative BatchBytes, BatchSize, Linger or MaxAttempts")
	}
	if opts.Topic != "" && !ValidTopicName(opts.Topic) {
		return nil, fmt.Errorf("kafka writer: invalid topic name %q", opts.Topic)
	}
	comp := opts.Compression
	switch comp {
	case 0:
		comp = compress.Lz4
	case CompressionNone:
		comp = 0
	case compress.Gzip, compress.Snappy, compress.Lz4, compress.Zstd:
	default:
		return nil, fmt.Errorf("kafka writer: unknown compression %d", comp)
	}
	if opts.BatchBytes == 0 {
		opts.BatchBytes = 1 << 20
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 10000
	}
	if opts.Linger == 0 {
		opts.Linger = 5 * time.Millisecond
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 10
	}
	return &kafka.Writer{
		Addr:                   kafka.TCP(v.Brokers...),
		Topic:                  opts.Topic,
		Balancer:               ExplicitPartition{},
		MaxAttempts:            opts.MaxAttempts,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        2 * time.Second,
		BatchSize:              opts.BatchSize,
		BatchBytes:             opts.BatchBytes,
		BatchTimeout:           opts.Linger,
		ReadTimeout:            30 * time.Second,
		WriteTimeout:           30 * time.Second,
		RequiredAcks:           kafka.RequireAll,
		Async:                  opts.Async,
		Completion:             opts.Completion,
		Compression:            comp,
		Transport:              tr,
		AllowAutoTopicCreation: false,
	}, nil
}

// ParseCompression reads a codec name: none, gzip, snappy, lz4 or zstd.
func ParseCompression(name string) (compress.Compression, error) {
	switch name {
	case "none":
		return CompressionNone, nil
	case "gzip":
		return compress.Gzip, nil
	case "snappy":
		return compress.Snappy, nil
	case "lz4":
		return compress.Lz4, nil
	case "zstd":
		return compress.Zstd, nil
	}
	return 0, fmt.Errorf("unknown compression %q (none, gzip, snappy, lz4 or zstd)", name)
}
