package bench

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// Sizes the stages use, the same as the pipeline's defaults.
const (
	// batchBytes is encoder.Config.BatchBytes' default: the packed size of
	// one KV batch message.
	batchBytes = 512 << 10
	// flushBytes is sorter.Config.FlushBytes' default.
	flushBytes = sorter.DefaultFlushBytes
	// queueDepth is encoder.Config.QueueDepth's default (the depth of a
	// chunk's send queue), used for the hand-off channels too.
	queueDepth = 8
	// poolEngines is the pipeline's engine pool size.
	poolEngines = 8
)

// kvMsg is what the encoder hands to its kafka writer at once: a batch for
// one partition (one send queue group), or a chunk's end-of-chunk markers
// for every partition (one WriteMessages call).
type kvMsg struct {
	gp      int // global table partition (batches, and hand-off markers)
	marker  bool
	ordinal uint32 // hand-off markers: the chunk's ordinal in its table
	msgs    []kafkaio.Message
	pairs   []byte // hand-off only: the packed pairs
}

// encodeSink turns rows of one chunk at a time into KV messages exactly as
// the encoder's chunkSink does (routing by schemas.Layout, packing,
// checksums, 512 KiB batches, markers), collecting them instead of
// producing them.
type encodeSink struct {
	c       chunkRef
	attempt string
	rc      *rowcodec.RowCoder
	tz      string
	pairs   kvenc.Pairs

	bufs    [][]byte
	counts  []uint32
	totals  []tidbcodec.Checksum
	batches []uint32
	seq     uint32
	layout  schemas.Layout
	split   schemas.RecordSplit
	record  int // the current row's record partition

	out      []kvMsg
	emit     func(kvMsg) error // when set, messages go here unmarshalled instead of to out
	rows     int64
	checksum map[*table]*tidbcodec.Checksum // per table, over finished chunks
}

func newEncodeSink() *encodeSink {
	return &encodeSink{checksum: map[*table]*tidbcodec.Checksum{}}
}

// encode adds one buffered row (or ends its chunk).
func (s *encodeSink) encode(b *rowBuffer, r *bufferedRow) error {
	if r.endOfChunk {
		return s.endChunk(r.c)
	}
	return s.encodeRow(r.c, r.columns, b.fields[r.first:r.end], r.rowID, r.timeZone, r.pos)
}

// encodeRow encodes one row of chunk c as encoder.encodeRows does.
func (s *encodeSink) encodeRow(c chunkRef, columns []string, fields []literal.Field, rowID int64, timeZone string, pos int64) error {
	if s.c.ch != c.ch {
		s.start(c)
	}
	s.record = s.split.Partition(pos - c.ch.StartOffset)
	if s.rc == nil || timeZone != s.tz {
		ts := s.c.t.schema
		sess, err := rowcodec.Session(ts.SqlMode, ts.TimeZone, timeZone, time.Unix(0, ts.TimestampUnixNano).UTC())
		if err != nil {
			return fmt.Errorf("table %s: %w", tableKey(s.c.t), err)
		}
		rc, err := rowcodec.NewRowCoder(s.c.t.model, sess, rowcodec.Options{})
		if err != nil {
			return fmt.Errorf("table %s: %w", tableKey(s.c.t), err)
		}
		s.rc, s.tz = rc, timeZone
	}
	s.pairs.Reset()
	if err := s.rc.Encode(columns, fields, rowID, &s.pairs); err != nil {
		return fmt.Errorf("chunk %s row id %d: %w", s.c.ch.Id, rowID, err)
	}
	for i := 0; i < s.pairs.Len(); i++ {
		if err := s.add(s.pairs.Key(i), s.pairs.Value(i)); err != nil {
			return err
		}
	}
	s.rows++
	return nil
}

func (s *encodeSink) start(c chunkRef) {
	n := int(c.t.mf.KvPartitions)
	s.c, s.rc, s.tz, s.seq = c, nil, "", 0
	s.attempt = "bench@" + c.ch.Id
	s.bufs = make([][]byte, n)
	s.counts = make([]uint32, n)
	s.totals = make([]tidbcodec.Checksum, n)
	s.batches = make([]uint32, n)
	s.layout = c.t.layout()
	s.split = encoder.ChunkSplit(c.ch, s.layout)
}

func (s *encodeSink) add(key, value []byte) error {
	p := s.layout.Partition(key, s.record)
	s.bufs[p] = schemas.AppendPair(s.bufs[p], key, value)
	s.counts[p]++
	s.totals[p].Update(key, value)
	if len(s.bufs[p]) >= batchBytes {
		return s.flush(p)
	}
	return nil
}

func (s *encodeSink) flush(p int) error {
	if s.counts[p] == 0 {
		return nil
	}
	s.seq++
	gp := s.c.t.partBase + p
	if s.emit != nil {
		// In-process hand-off: the packed pairs go as they are.
		m := kvMsg{gp: gp, pairs: s.bufs[p]}
		s.batches[p]++
		s.bufs[p] = make([]byte, 0, batchBytes+batchBytes/8)
		s.counts[p] = 0
		return s.emit(m)
	}
	b, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{
		ChunkId: s.c.ch.Id, Attempt: s.attempt, Seq: s.seq, Count: s.counts[p], Pairs: s.bufs[p],
	}}})
	if err != nil {
		return err
	}
	s.batches[p]++
	s.bufs[p] = make([]byte, 0, batchBytes+batchBytes/8)
	s.counts[p] = 0
	s.out = append(s.out, kvMsg{gp: gp, msgs: []kafkaio.Message{message(s.c.t.mf.KvTopic, p, s.c.ch.Id, "b", b)}})
	return nil
}

// endChunk ends chunk c (which may have had no rows).
func (s *encodeSink) endChunk(c chunkRef) error {
	if s.c.ch != c.ch {
		s.start(c)
	}
	return s.finish()
}

// finish flushes the chunk's partitions and adds its markers.
func (s *encodeSink) finish() error {
	sum := s.checksum[s.c.t]
	if sum == nil {
		sum = &tidbcodec.Checksum{}
		s.checksum[s.c.t] = sum
	}
	markers := make([]kafkaio.Message, 0, len(s.bufs))
	for p := range s.bufs {
		if err := s.flush(p); err != nil {
			return err
		}
		t := s.totals[p]
		sum.Add(t)
		if s.emit != nil {
			if err := s.emit(kvMsg{gp: s.c.t.partBase + p, marker: true, ordinal: s.c.ch.Ordinal}); err != nil {
				return err
			}
			continue
		}
		b, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{
			ChunkId: s.c.ch.Id, Attempt: s.attempt, Partition: uint32(p), Kvs: t.KVs, Bytes: t.Bytes, Checksum: t.Sum, Batches: s.batches[p],
		}}})
		if err != nil {
			return err
		}
		markers = append(markers, message(s.c.t.mf.KvTopic, p, s.c.ch.Id, "e", b))
	}
	if s.emit == nil {
		s.out = append(s.out, kvMsg{marker: true, msgs: markers})
	}
	s.c = chunkRef{}
	return nil
}

// message is a record for an explicit partition, as the encoder builds it.
func message(topic string, p int, key, kind string, value []byte) kafkaio.Message {
	return kafkaio.Message{
		Topic: topic, Partition: p, Key: []byte(key), Value: value,
		Headers: []kafkaio.Header{{Key: schemas.HeaderKind, Value: []byte(kind)}},
	}
}
