package encoder

import (
	"context"
	"fmt"
	"hash/crc64"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// partitionTotals is what one chunk sent to one partition: TiDB's checksum
// (XOR of CRC64-ECMA over key||value), pairs and bytes.
type partitionTotals struct {
	sum, kvs, bytes uint64
	batches         uint32
}

// chunkSink collects one chunk's pairs into per-partition batches and hands
// full batches to a writer goroutine through a bounded queue, so that
// encoding and producing overlap while memory stays bounded by
// queueDepth*batchBytes.
type chunkSink struct {
	topic      string
	chunk      *lsv1.Chunk
	attempt    string
	partitions int
	batchBytes int

	bufs   [][]byte
	counts []uint32
	totals []partitionTotals
	seq    uint32

	queue chan []kafka.Message
	g     *errgroup.Group
	gctx  context.Context
}

func newChunkSink(ctx context.Context, w *kafka.Writer, topic string, partitions int, chunk *lsv1.Chunk, attempt string, batchBytes, queueDepth int) *chunkSink {
	g, gctx := errgroup.WithContext(ctx)
	s := &chunkSink{
		topic: topic, chunk: chunk, attempt: attempt, partitions: partitions, batchBytes: batchBytes,
		bufs: make([][]byte, partitions), counts: make([]uint32, partitions), totals: make([]partitionTotals, partitions),
		queue: make(chan []kafka.Message, queueDepth), g: g, gctx: gctx,
	}
	queue := s.queue // wait() clears the field; the writer keeps its channel
	g.Go(func() error {
		for msgs := range queue {
			if err := writeRetry(gctx, w, msgs); err != nil {
				// Drain so that senders never block on a dead writer.
				for range queue {
				}
				return err
			}
		}
		return nil
	})
	return s
}

// add routes one pair to its partition.
func (s *chunkSink) add(key, value []byte) error {
	p := schemas.KVPartition(key, s.chunk.Ordinal, s.chunk.TotalChunks, s.partitions)
	s.bufs[p] = schemas.AppendPair(s.bufs[p], key, value)
	s.counts[p]++
	t := &s.totals[p]
	c := crc64.Update(0, crcTable, key)
	c = crc64.Update(c, crcTable, value)
	t.sum ^= c
	t.kvs++
	t.bytes += uint64(len(key) + len(value))
	if len(s.bufs[p]) >= s.batchBytes {
		return s.flush(p)
	}
	return nil
}

func (s *chunkSink) flush(p int) error {
	if s.counts[p] == 0 {
		return nil
	}
	s.seq++
	msg := &lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{
		ChunkId: s.chunk.Id, Attempt: s.attempt, Seq: s.seq, Count: s.counts[p], Pairs: s.bufs[p],
	}}}
	b, err := proto.Marshal(msg)
	if err != nil {
		return err
	}
	s.totals[p].batches++
	// The packed buffer now belongs to the marshalled message; start anew.
	s.bufs[p] = make([]byte, 0, s.batchBytes+s.batchBytes/8)
	s.counts[p] = 0
	return s.send([]kafka.Message{partitionMessage(s.topic, p, s.chunk.Id, "b", b)})
}

func (s *chunkSink) send(msgs []kafka.Message) error {
	select {
	case s.queue <- msgs:
		return nil
	case <-s.gctx.Done():
		return s.wait()
	}
}

// finish flushes every partition, then writes the end-of-chunk marker to
// every partition (all partitions: a sorter must learn that a chunk is done
// even where it sent nothing), and waits until the broker acknowledged all
// of it. It returns the chunk's totals.
func (s *chunkSink) finish() (partitionTotals, error) {
	for p := 0; p < s.partitions; p++ {
		if err := s.flush(p); err != nil {
			return partitionTotals{}, err
		}
	}
	var all partitionTotals
	markers := make([]kafka.Message, 0, s.partitions)
	for p := 0; p < s.partitions; p++ {
		t := s.totals[p]
		all.sum ^= t.sum
		all.kvs += t.kvs
		all.bytes += t.bytes
		all.batches += t.batches
		b, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{
			ChunkId: s.chunk.Id, Attempt: s.attempt, Partition: uint32(p), Kvs: t.kvs, Bytes: t.bytes, Checksum: t.sum, Batches: t.batches,
		}}})
		if err != nil {
			return partitionTotals{}, err
		}
		markers = append(markers, partitionMessage(s.topic, p, s.chunk.Id, "e", b))
	}
	if err := s.send(markers); err != nil {
		return partitionTotals{}, err
	}
	return all, s.wait()
}

// abort stops the writer without waiting for queued batches.
func (s *chunkSink) abort() { _ = s.wait() }

func (s *chunkSink) wait() error {
	if s.queue != nil {
		close(s.queue)
		s.queue = nil
	}
	if err := s.g.Wait(); err != nil {
		return fmt.Errorf("produce to %s: %w", s.topic, err)
	}
	return nil
}

// partitionMessage builds a record for an explicit partition (the writer
// from kafkaio.NewWriter honours Message.Partition).
func partitionMessage(topic string, p int, key, kind string, value []byte) kafka.Message {
	return kafka.Message{
		Topic:     topic,
		Partition: p,
		Key:       []byte(key),
		Value:     value,
		Headers:   []kafka.Header{{Key: schemas.HeaderKind, Value: []byte(kind)}},
	}
}
