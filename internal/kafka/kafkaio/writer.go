package kafkaio

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
)

// Compression is the codec of produced record batches.
type Compression int8

// The codecs. The zero value is the default of the place it is used in
// (lz4 for WriterOptions); CompressionNone asks for none explicitly. The
// values are Kafka's codec ids.
const (
	CompressionNone   Compression = -1
	CompressionGzip   Compression = Compression(compress.Gzip)
	CompressionSnappy Compression = Compression(compress.Snappy)
	CompressionLz4    Compression = Compression(compress.Lz4)
	CompressionZstd   Compression = Compression(compress.Zstd)
)

// String is the codec's name as ParseCompression reads it ("" for the
// zero value).
func (c Compression) String() string {
	switch c {
	case 0:
		return ""
	case CompressionNone:
		return "none"
	case CompressionGzip, CompressionSnappy, CompressionLz4, CompressionZstd:
		return compress.Compression(c).String()
	}
	return fmt.Sprintf("compression(%d)", int8(c))
}

// WriterOptions tune a Writer.
type WriterOptions struct {
	// Topic, when set, is the topic of every message; otherwise each
	// Message names its own Topic.
	Topic string
	// Compression is the batch codec; default lz4. Use CompressionNone
	// to disable.
	Compression Compression
	// BatchBytes caps a produce batch (uncompressed bytes); default 1 MiB,
	// under Kafka's default message.max.bytes. A single message larger
	// than this is rejected, and not retriable (IsRetriable).
	BatchBytes int64
	// BatchSize caps a batch in messages; default 10000.
	BatchSize int
	// Linger is how long a partial batch waits for more messages; default
	// 5ms. kafka-go's own default (1s) would stall every synchronous
	// WriteMessages call whose batch is not full.
	Linger time.Duration
	// MaxAttempts is how many times kafka-go tries a batch; default 10.
	MaxAttempts int
}

// Writer produces Messages, each to exactly the partition in its Partition
// field, and returns from WriteMessages once every message is acknowledged
// by all in-sync replicas. It is safe for concurrent use.
type Writer struct {
	w *kafka.Writer
	// free holds the kafka-go message slices of finished WriteMessages
	// calls (at most maxFreeBuffers), so that a steady stream of calls
	// converts into reused memory and allocates nothing of its own. (A
	// sync.Pool would be emptied by every GC, which large batches cause
	// often.)
	mu   sync.Mutex
	free [][]kafka.Message
}

const maxFreeBuffers = 16

// WriteMessages writes msgs and waits for their acknowledgement. The
// messages' byte slices must not change until it returns.
func (w *Writer) WriteMessages(ctx context.Context, msgs ...Message) error {
	buf := w.buffer()
	for i := range msgs {
		buf = append(buf, msgs[i].toKafka())
	}
	if err := w.w.WriteMessages(ctx, buf...); err != nil {
		// kafka-go's errors may keep the messages (MessageTooLargeError
		// keeps some): leave buf to them.
		return err
	}
	clear(buf) // the free list must not keep the caller's bytes alive
	w.mu.Lock()
	if len(w.free) < maxFreeBuffers {
		w.free = append(w.free, buf[:0])
	}
	w.mu.Unlock()
	return nil
}

// buffer returns an empty slice to convert into, reused when one is free.
func (w *Writer) buffer() []kafka.Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.free)
	if n == 0 {
		return nil
	}
	buf := w.free[n-1]
	w.free[n-1] = nil
	w.free = w.free[:n-1]
	return buf
}

// Close flushes pending writes and releases the connections.
func (w *Writer) Close() error { return w.w.Close() }

// explicitPartition is a kafka-go Balancer that sends each message to the
// partition in its Partition field. kafka-go's Writer otherwise ignores
// Message.Partition (writer.go: the Balancer alone picks the partition), and
// lightstream's stages need exact partition control. A Partition outside
// the topic's partitions is sent as is and the broker rejects it.
type explicitPartition struct{}

// Balance implements kafka.Balancer.
func (explicitPartition) Balance(msg kafka.Message, _ ...int) int { return msg.Partition }

// NewWriter returns a Writer that writes each message to exactly
// the partition in its Partition field, waits for all in-sync replicas
// (RequiredAcks all) and never auto-creates topics. Close it to flush and
// release its connections.
func NewWriter(cfg Config, opts WriterOptions) (*Writer, error) {
	v, err := cfg.validated()
	if err != nil {
		return nil, err
	}
	tr, err := v.transport()
	if err != nil {
		return nil, err
	}
	if opts.BatchBytes < 0 || opts.BatchSize < 0 || opts.Linger < 0 || opts.MaxAttempts < 0 {
		return nil, fmt.Errorf("kafka writer: negative BatchBytes, BatchSize, Linger or MaxAttempts")
	}
	if opts.Topic != "" && !ValidTopicName(opts.Topic) {
		return nil, fmt.Errorf("kafka writer: invalid topic name %q", opts.Topic)
	}
	var comp compress.Compression
	switch opts.Compression {
	case 0:
		comp = compress.Lz4
	case CompressionNone:
		comp = 0
	case CompressionGzip, CompressionSnappy, CompressionLz4, CompressionZstd:
		comp = compress.Compression(opts.Compression)
	default:
		return nil, fmt.Errorf("kafka writer: unknown compression %d", opts.Compression)
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
	return &Writer{w: &kafka.Writer{
		Addr:                   kafka.TCP(v.Brokers...),
		Topic:                  opts.Topic,
		Balancer:               explicitPartition{},
		MaxAttempts:            opts.MaxAttempts,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        2 * time.Second,
		BatchSize:              opts.BatchSize,
		BatchBytes:             opts.BatchBytes,
		BatchTimeout:           opts.Linger,
		ReadTimeout:            30 * time.Second,
		WriteTimeout:           30 * time.Second,
		RequiredAcks:           kafka.RequireAll,
		Compression:            comp,
		Transport:              tr,
		AllowAutoTopicCreation: false,
	}}, nil
}

// ParseCompression reads a codec name: none, gzip, snappy, lz4 or zstd.
func ParseCompression(name string) (Compression, error) {
	switch name {
	case "none":
		return CompressionNone, nil
	case "gzip":
		return CompressionGzip, nil
	case "snappy":
		return CompressionSnappy, nil
	case "lz4":
		return CompressionLz4, nil
	case "zstd":
		return CompressionZstd, nil
	}
	return 0, fmt.Errorf("unknown compression %q (none, gzip, snappy, lz4 or zstd)", name)
}
