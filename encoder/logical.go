package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlliteral"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// The logical backend (--backend tidb): the table's schema message carries
// LogicalImport, and the encoder turns the chunk's rows into SQL batches
// (schemas SQLBatch) instead of KV pairs. All batches of a chunk go to one
// partition of the table's topic (LogicalPartition), in order, so a writer
// meets them in order; the end-of-chunk markers go to every partition as
// for KV pairs, the chunk's own partition's marker with the row count
// (kvs), the XOR (checksum) and the sum (bytes) of the rows' CRC32
// (sqlliteral.Checksum), which the ChunkEncoded event also carries: the
// source side of the table's query checksum.

// Lightning's defaults of logical-import-batch-size and -rows.
const (
	DefaultLogicalBatchBytes = 96 << 10
	DefaultLogicalBatchRows  = 65536
)

// LogicalPartition is the partition of a table's topic that carries all of
// a chunk's SQL batches.
func LogicalPartition(ch *lsv1.Chunk, partitions int) int {
	return int(ch.Ordinal) % max(partitions, 1)
}

// InsertVerb is the statement of a conflict strategy (Lightning's
// on-duplicate / [conflict] strategy): error INSERT, ignore INSERT IGNORE,
// replace REPLACE.
func InsertVerb(onDuplicate string) (string, error) {
	switch strings.ToLower(onDuplicate) {
	case "", "error":
		return "INSERT INTO", nil
	case "ignore":
		return "INSERT IGNORE INTO", nil
	case "replace":
		return "REPLACE INTO", nil
	}
	return "", fmt.Errorf("on-duplicate %q: want error, replace or ignore", onDuplicate)
}

// logicalRows renders one chunk's rows: the columns written, the literal
// renderer and the checksum.
type logicalRows struct {
	conv     *valueconv.Converter
	model    *tablemodel.Table
	builders map[string]*sqlBuilder
	lit      sqlliteral.Renderer
	sum      *sqlliteral.Checksum
	prefix   string
	row      []datum.Datum
	text     []byte
}

// sqlBuilder maps one column list of the dump onto the written columns.
type sqlBuilder struct {
	rb *valueconv.RowBuilder
	// raw[offset] is the field index of an unsupported (GEOMETRY) column,
	// whose dump value is passed on; -1 when the dump omits it.
	raw map[int]int
}

func newLogicalRows(ti *schematopic.Table, dumpTimeZone string) (*logicalRows, error) {
	sess, err := rowcodec.Session(ti.Msg.SqlMode, ti.Msg.TimeZone, dumpTimeZone, time.Unix(0, ti.Msg.TimestampUnixNano).UTC())
	if err != nil {
		return nil, err
	}
	conv, err := valueconv.NewConverter(ti.Model, sess)
	if err != nil {
		return nil, err
	}
	verb, err := InsertVerb(ti.Msg.Logical.GetOnDuplicate())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, col := range ti.Model.Columns {
		if sqlliteral.Written(col) {
			names = append(names, sqlliteral.QuoteName(col.Name))
		}
	}
	return &logicalRows{
		conv: conv, model: ti.Model, builders: map[string]*sqlBuilder{}, sum: sqlliteral.NewChecksum(ti.Model),
		// Values are written in the session's SQL mode; TIMESTAMPs in UTC
		// (the writer's session runs with time_zone '+00:00').
		lit:    sqlliteral.Renderer{NoBackslashEscapes: sess.Mode.Has(sqlmode.NoBackslashEscapes), Loc: time.UTC},
		prefix: verb + " " + sqlliteral.TableName(ti.Msg.Db, ti.Msg.Table) + " (" + strings.Join(names, ",") + ") VALUES",
		row:    make([]datum.Datum, len(ti.Model.Columns)),
	}, nil
}

func (s *logicalRows) builder(columns []string) (*sqlBuilder, error) {
	key := strings.Join(columns, "\x00")
	if columns == nil {
		key = "\x01all"
	}
	if b := s.builders[key]; b != nil {
		return b, nil
	}
	rb, err := valueconv.NewRowBuilder(s.conv, columns, nil)
	if err != nil {
		return nil, err
	}
	b := &sqlBuilder{rb: rb, raw: map[int]int{}}
	t := s.model
	i := 0
	for _, col := range t.Columns {
		if !sqlliteral.Unsupported(col) {
			if columns == nil && !col.IsGenerated() {
				i++
			}
			continue
		}
		b.raw[col.Offset] = -1
		if columns == nil {
			b.raw[col.Offset] = i
			i++
			continue
		}
		for k, name := range columns {
			if strings.EqualFold(name, col.Name) {
				b.raw[col.Offset] = k
			}
		}
	}
	s.builders[key] = b
	return b, nil
}

// render converts one row and appends its value tuple to dst; it returns
// the row's checksum.
func (s *logicalRows) render(columns []string, fields []literal.Field, rowID int64, dst []byte) ([]byte, uint32, error) {
	b, err := s.builder(columns)
	if err != nil {
		return dst, 0, err
	}
	for i := range s.row {
		// Values' buffers are reused, as the KV encoder's row is
		// (rowcodec): Convert appends into them.
		s.row[i] = datum.Datum{B: s.row[i].B[:0]}
	}
	if _, err := b.rb.Build(fields, rowID, s.row); err != nil {
		return dst, 0, err
	}
	var crc uint32
	crc, s.text = s.sum.Row(s.row, s.text)
	dst = append(dst, '(')
	first := true
	for _, col := range s.model.Columns {
		if !sqlliteral.Written(col) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if k, ok := b.raw[col.Offset]; ok {
			dst = appendRawField(dst, s.lit, fields, k)
			continue
		}
		dst = s.lit.Append(dst, col, &s.row[col.Offset])
	}
	return append(dst, ')'), crc, nil
}

// appendRawField passes a dump value through as it was written (a column
// of a type TiDB lacks, such as GEOMETRY, has no conversion here).
func appendRawField(dst []byte, r sqlliteral.Renderer, fields []literal.Field, k int) []byte {
	if k < 0 || k >= len(fields) {
		return append(dst, "DEFAULT"...)
	}
	f := fields[k]
	switch f.Kind {
	case literal.FieldNull:
		return append(dst, "NULL"...)
	case literal.FieldDefault:
		return append(dst, "DEFAULT"...)
	case literal.FieldHex, literal.FieldBit:
		return sqlliteral.AppendHex(dst, f.Bytes)
	case literal.FieldNumber, literal.FieldBool:
		return append(dst, f.Bytes...)
	}
	return r.AppendQuoted(dst, f.Bytes)
}

// encodeLogical renders a chunk's rows as SQL batches on the table's topic.
func (e *worker) encodeLogical(ctx context.Context, ti *schematopic.Table, ch *lsv1.Chunk, attempt string) (chunkStats, partitionTotals, error) {
	var st chunkStats
	var tot partitionTotals
	if _, err := dump.ParseCharset(ch.DataCharacterSet, false); err != nil {
		return st, tot, fmt.Errorf("chunk %s: %w", ch.Id, err)
	}
	dc := dump.ChunkFromProto(e.cfg.Dump, ch)
	rows, err := dc.OpenRows(dump.CSVOptionsFromProto(ch.Csv), ch.NoBackslashEscapes)
	if err != nil {
		return st, tot, err
	}
	defer rows.Close()
	sr, err := newLogicalRows(ti, ch.TimeZone)
	if err != nil {
		return st, tot, fmt.Errorf("table %s.%s: %w", ch.Db, ch.Table, err)
	}
	tz := ch.TimeZone
	lg := ti.Msg.Logical
	maxBytes, maxRows := int(lg.GetBatchBytes()), int(lg.GetBatchRows())
	if maxBytes <= 0 {
		maxBytes = DefaultLogicalBatchBytes
	}
	if maxRows <= 0 {
		maxRows = DefaultLogicalBatchRows
	}
	topic := schemas.KVTopic(e.cfg.ImportID, ch.Db, ch.Table)
	partitions := max(int(ti.Msg.KvPartitions), 1)
	part := LogicalPartition(ch, partitions)
	// Message buffers go back to free once written (WriteMessages is done
	// with them when it returns): the chunk marshals into the same few
	// buffers instead of allocating its whole SQL text again.
	free := make(chan []byte, 2*e.cfg.QueueDepth+1)
	q := kafkaio.NewSendQueue(ctx, e.cfg.QueueDepth, func(ctx context.Context, msgs ...kafkaio.Message) error {
		start := time.Now()
		err := writeRetry(ctx, e.kv, msgs)
		metrics.ProduceSeconds.Observe(time.Since(start).Seconds())
		recycle(free, msgs, err)
		return err
	})
	defer q.Close()
	batch := &lsv1.SQLBatch{ChunkId: ch.Id, Attempt: attempt, Db: ch.Db, Table: ch.Table, Prefix: sr.prefix, File: ch.File}
	size := 0
	// arena holds the batch's rendered rows back to back; batch.Rows are
	// slices of it (no allocation per row).
	arena := make([]byte, 0, maxBytes+maxBytes/4)
	flush := func() error {
		if len(batch.Rows) == 0 {
			return nil
		}
		tot.batches++
		batch.Seq = tot.batches
		var buf []byte
		select {
		case buf = <-free:
		default:
		}
		b, err := proto.MarshalOptions{}.MarshalAppend(buf, &lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_SqlBatch{SqlBatch: batch}})
		if err != nil {
			return err
		}
		metrics.KVBatchBytes.Observe(float64(len(b)))
		// Counted a batch at a time, not per row (encoder/rows.go).
		metrics.RowsEncoded.Add(float64(len(batch.Rows)))
		// The message holds a copy: the rows' arena and slices are reused.
		batch.Prefix = sr.prefix
		batch.Rows, batch.RowChecksums, batch.Offsets = batch.Rows[:0], batch.RowChecksums[:0], batch.Offsets[:0]
		arena = arena[:0]
		size = 0
		if err := q.Send(partitionMessage(topic, part, ch.Id, "q", b)); err != nil {
			return fmt.Errorf("produce to %s: %w", topic, err)
		}
		return nil
	}
	for k := int64(1); ; k++ {
		if k&1023 == 0 && ctx.Err() != nil {
			return st, tot, ctx.Err()
		}
		fields, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, tot, err
		}
		if t := rows.TimeZone(); t != tz {
			if sr, err = newLogicalRows(ti, t); err != nil {
				return st, tot, fmt.Errorf("%s at byte offset %d: %w", dc.File, rows.Pos(), err)
			}
			tz = t
		}
		var crc uint32
		at := len(arena)
		arena, crc, err = sr.render(rows.Columns(), fields, ch.RowIdBase+k, arena)
		if err != nil {
			arena = arena[:at]
			rowErr := newRowError(dc.File, rows, err)
			if e.cfg.Rejects != nil && e.cfg.Rejects.Reject(rowErr, fields) {
				st.rejected++
				metrics.RowsRejected.Inc()
				continue
			}
			return st, tot, rowErr
		}
		row := arena[at:len(arena):len(arena)]
		batch.Rows = append(batch.Rows, row)
		batch.RowChecksums = append(batch.RowChecksums, crc)
		batch.Offsets = append(batch.Offsets, rows.Pos())
		size += len(row) + 1
		tot.sum ^= uint64(crc)
		tot.bytes += uint64(crc)
		tot.kvs++
		st.rows++
		if size+len(sr.prefix) >= maxBytes || len(batch.Rows) >= maxRows {
			if err := flush(); err != nil {
				return st, tot, err
			}
		}
	}
	st.parsed = rows.Parsed()
	metrics.SourceBytesRead.Add(float64(ch.SourceBytes))
	if err := flush(); err != nil {
		return st, tot, err
	}
	if err := q.Close(); err != nil {
		return st, tot, fmt.Errorf("produce to %s: %w", topic, err)
	}
	markers := make([]kafkaio.Message, 0, partitions)
	for p := 0; p < partitions; p++ {
		m := &lsv1.EndOfChunk{ChunkId: ch.Id, Attempt: attempt, Partition: uint32(p)}
		if p == part {
			m.Kvs, m.Bytes, m.Checksum, m.Batches = tot.kvs, tot.bytes, tot.sum, tot.batches
		}
		b, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: m}})
		if err != nil {
			return st, tot, err
		}
		markers = append(markers, partitionMessage(topic, p, ch.Id, "e", b))
	}
	if err := writeRetry(ctx, e.kv, markers); err != nil {
		return st, tot, fmt.Errorf("produce markers to %s: %w", topic, err)
	}
	return st, tot, nil
}

// recycle puts the values of written messages back on free (as many as
// it holds); after a failed write nothing, since the writer may still be
// sending them.
func recycle(free chan<- []byte, msgs []kafkaio.Message, err error) {
	if err != nil {
		return
	}
	for _, m := range msgs {
		select {
		case free <- m.Value[:0]:
		default:
			return
		}
	}
}

// encodeLogicalChunk encodes a chunk for the logical backend and reports it.
func (e *worker) encodeLogicalChunk(ctx context.Context, ti *schematopic.Table, ch *lsv1.Chunk, attempt string) error {
	stats, totals, err := e.encodeLogical(ctx, ti, ch, attempt)
	if err != nil {
		return err
	}
	metrics.ChunksEncoded.Inc()
	return e.events.Append(ctx, schemas.Topic(e.cfg.ImportID, schemas.EventsSuffix), ch.Id, &lsv1.Event{
		Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: e.cfg.Member,
		Body: &lsv1.Event_ChunkEncoded{ChunkEncoded: &lsv1.ChunkEncoded{
			Db: ch.Db, Table: ch.Table, ChunkId: ch.Id, Attempt: attempt, Rows: stats.rows,
			Kvs: totals.kvs, Bytes: totals.bytes, Checksum: totals.sum, SourceBytes: ch.SourceBytes, Rejected: stats.rejected,
			RowsParsed: proto.Uint64(stats.parsed), File: ch.File, StartOffset: ch.StartOffset, EndOffset: ch.EndOffset,
		}},
	})
}
