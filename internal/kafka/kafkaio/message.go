package kafkaio

import (
	"time"
	"unsafe"

	"github.com/segmentio/kafka-go"
)

// Message is one Kafka record as lightstream writes and reads it. Writer
// and Reader hand its byte slices to and from kafka-go as they are: the
// boundary copies no key, value or header bytes, and allocates nothing per
// message.
type Message struct {
	// Topic is the record's topic (a Writer without a topic of its own
	// sends each message to the topic named here).
	Topic string
	// Partition is the partition written to (Writers honour it exactly)
	// or read from.
	Partition int
	// Offset is the record's offset; set by a Reader, ignored by a Writer.
	Offset int64
	Key    []byte
	Value  []byte
	// Headers are the record's headers, in order.
	Headers []Header
	// Time is the record's timestamp; a Writer sends the current time
	// when it is zero.
	Time time.Time
}

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// Offsets a partition reader may start from instead of a real offset.
const (
	// FirstOffset is the oldest offset the partition still holds.
	FirstOffset int64 = kafka.FirstOffset
	// LastOffset is the offset the next record will get.
	LastOffset int64 = kafka.LastOffset
)

// messageOf is the Message of a kafka-go record, sharing its bytes.
func messageOf(m kafka.Message) Message {
	return Message{
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset,
		Key: m.Key, Value: m.Value, Headers: headersOf(m.Headers), Time: m.Time,
	}
}

// toKafka is the kafka-go record of m, sharing its bytes.
func (m *Message) toKafka() kafka.Message {
	return kafka.Message{
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset,
		Key: m.Key, Value: m.Value, Headers: kafkaHeaders(m.Headers), Time: m.Time,
	}
}

// kafkaHeaders views h as kafka-go headers without copying: Header and
// kafka.Header are the same struct (the conversion of their pointers does
// not compile otherwise), so the slice is reinterpreted, not rebuilt.
func kafkaHeaders(h []Header) []kafka.Header {
	if h == nil {
		return nil
	}
	return unsafe.Slice((*kafka.Header)(unsafe.SliceData(h)), len(h))
}

// headersOf is kafkaHeaders the other way.
func headersOf(h []kafka.Header) []Header {
	if h == nil {
		return nil
	}
	return unsafe.Slice((*Header)(unsafe.SliceData(h)), len(h))
}
