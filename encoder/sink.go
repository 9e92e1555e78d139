package encoder

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/tidb/crc64ecma"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// partitionTotals is what one chunk sent to one partition: TiDB's checksum
// (XOR of CRC64-ECMA over key||value), pairs and bytes.
type partitionTotals struct {
	sum, kvs, bytes uint64
	batches         uint32
}

// chunkSink collects one chunk's pairs into per-partition batches and hands
// full batches to a writer goroutine through a bounded queue
// (kafkaio.SendQueue), so that encoding and producing overlap while memory
// stays bounded by about 2*queueDepth*batchBytes. The end-of-chunk markers
// are written only after the queue reported every batch acknowledged.
type chunkSink struct {
	ctx        context.Context
	w          *kafkaio.Writer
	topic      string
	chunk      *lsv1.Chunk
	attempt    string
	layout     schemas.Layout
	partitions int
	batchBytes int

	// bufs are the partitions' batches being filled (nil: none yet).
	bufs   []*schemas.BatchBuffer
	totals []partitionTotals
	seq    uint32

	// split and record: the partition of the current row's record pair
	// (set by row).
	split  schemas.RecordSplit
	record int
	// rowOffset is the current row's byte offset in its file, sent with
	// each of its pairs (KVBatch.row_offsets).
	rowOffset int64

	q *kafkaio.SendQueue
	// spares recycles the memory of written batches (nil: none).
	spares *spareBuffers
}

func newChunkSink(ctx context.Context, w *kafkaio.Writer, topic string, layout schemas.Layout, chunk *lsv1.Chunk, attempt string, batchBytes, queueDepth int, spares *spareBuffers) *chunkSink {
	partitions := layout.Partitions()
	return &chunkSink{
		ctx: ctx, w: w, topic: topic, chunk: chunk, attempt: attempt, layout: layout, partitions: partitions, batchBytes: batchBytes,
		bufs: make([]*schemas.BatchBuffer, partitions), totals: make([]partitionTotals, partitions),
		q: kafkaio.NewSendQueue(ctx, queueDepth, func(ctx context.Context, msgs ...kafkaio.Message) error {
			start := time.Now()
			err := writeRetry(ctx, w, msgs)
			metrics.ProduceSeconds.Observe(time.Since(start).Seconds())
			if err == nil {
				// Written and acknowledged: the batches' memory is free.
				for _, m := range msgs {
					spares.put(m.Value)
				}
			}
			return err
		}),
		split: ChunkSplit(chunk, layout), spares: spares,
	}
}

// spareBuffers is a bounded free list of written batches' memory, shared
// by one worker's chunks. A nil *spareBuffers keeps nothing.
type spareBuffers struct {
	free chan []byte
	// most is the largest buffer kept: one a huge pair made grow is let go.
	most int
}

// newSpareBuffers keeps up to n buffers of at most most bytes.
func newSpareBuffers(n, most int) *spareBuffers {
	return &spareBuffers{free: make(chan []byte, n), most: most}
}

// get returns a spare buffer, or nil when there is none.
func (s *spareBuffers) get() []byte {
	if s == nil {
		return nil
	}
	select {
	case b := <-s.free:
		return b
	default:
		return nil
	}
}

// put keeps b for a later batch, unless the list is full.
func (s *spareBuffers) put(b []byte) {
	if s == nil || cap(b) > s.most {
		return
	}
	select {
	case s.free <- b[:0]:
	default:
	}
}

// ChunkSplit is how chunk's record pairs are spread over the partitions of
// layout.
func ChunkSplit(chunk *lsv1.Chunk, layout schemas.Layout) schemas.RecordSplit {
	line := schemas.LineOf(chunk.Ordinal, chunk.TotalChunks, chunk.TableOffset, chunk.SourceBytes, chunk.TableBytes)
	return layout.RecordSplit(line, chunk.EndOffset-chunk.StartOffset)
}

// row says where the next row's pairs come from: its byte offset in the
// dump file, which decides its record pair's partition.
func (s *chunkSink) row(fileOffset int64) {
	s.record = s.split.Partition(fileOffset - s.chunk.StartOffset)
	s.rowOffset = fileOffset
}

// add routes one pair to its partition.
func (s *chunkSink) add(key, value []byte) error {
	p := s.layout.Partition(key, s.record)
	if s.bufs[p] == nil {
		s.bufs[p] = schemas.NewBatchBufferIn(s.spares.get(), s.chunk.Id, s.attempt, s.batchBytes+s.batchBytes/8)
	}
	s.bufs[p].AppendAt(key, value, s.rowOffset)
	t := &s.totals[p]
	t.sum ^= crc64ecma.Pair(key, value)
	t.kvs++
	t.bytes += uint64(len(key) + len(value))
	if s.bufs[p].Len() >= s.batchBytes {
		return s.flush(p)
	}
	return nil
}

func (s *chunkSink) flush(p int) error {
	buf := s.bufs[p]
	if buf == nil || buf.Count() == 0 {
		return nil
	}
	s.seq++
	// The message is built in the batch's own buffer (no copy of the
	// pairs), which now belongs to it; the next pairs start a new one.
	b := buf.Seal(s.chunk.Id, s.attempt, s.seq)
	s.bufs[p] = nil
	s.totals[p].batches++
	metrics.KVBatchBytes.Observe(float64(len(b)))
	metrics.KVPairsProduced.Add(float64(buf.Count()))
	metrics.KVBytesProduced.Add(float64(buf.Len()))
	if err := s.q.Send(partitionMessage(s.topic, p, s.chunk.Id, "b", b)); err != nil {
		return fmt.Errorf("produce to %s: %w", s.topic, err)
	}
	return nil
}

// finish flushes every partition, then writes the end-of-chunk marker to
// every partition (all partitions: a sorter must learn that a chunk is done
// even where it sent nothing), and waits until the broker acknowledged all
// of it. It returns the chunk's totals.
func (s *chunkSink) finish() (partitionTotals, error) {
	for p := 0; p < s.partitions; p++ {
		if err := s.flush(p); err != nil {
			s.abort()
			return partitionTotals{}, err
		}
	}
	// A marker says its partition holds the chunk's batches: write it only
	// once all of them are acknowledged. Were markers queued behind the
	// batches instead, a batch that failed for good in one call could
	// leave its partition's marker written without it.
	if err := s.q.Close(); err != nil {
		return partitionTotals{}, fmt.Errorf("produce to %s: %w", s.topic, err)
	}
	var all partitionTotals
	markers := make([]kafkaio.Message, 0, s.partitions)
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
	if err := writeRetry(s.ctx, s.w, markers); err != nil {
		return partitionTotals{}, fmt.Errorf("produce markers to %s: %w", s.topic, err)
	}
	return all, nil
}

// abort stops the writer goroutine once the batches already queued are
// written (or failed: an encoder stops after a failed chunk, and ctx ends).
func (s *chunkSink) abort() { _ = s.q.Close() }

// partitionMessage builds a record for an explicit partition (the writer
// from kafkaio.NewWriter honours Message.Partition).
func partitionMessage(topic string, p int, key, kind string, value []byte) kafkaio.Message {
	return kafkaio.Message{
		Topic:     topic,
		Partition: p,
		Key:       []byte(key),
		Value:     value,
		Headers:   []kafkaio.Header{{Key: schemas.HeaderKind, Value: []byte(kind)}},
	}
}
