package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// chunkStats are a chunk's row counts: parsed is the reader's own count
// (value tuples lexed, CSV records read), rows those encoded and rejected
// those skipped with --max-error. parsed = rows + rejected, or a row was
// lost between the reader and the encoder: the coordinator checks it.
type chunkStats struct {
	parsed, rows, rejected uint64
}

// rowSource is what the encoder reads a chunk's rows from: dump.Rows, or
// a test's reader.
type rowSource interface {
	Next() ([]literal.Field, error)
	Columns() []string
	Pos() int64
	TimeZone() string
	// Parsed is the reader's count of the rows it parsed so far, kept
	// apart from the rows Next hands out.
	Parsed() uint64
}

// pairSink receives a chunk's pairs (chunkSink).
type pairSink interface {
	// row says where in the file the next row's pairs come from (its
	// record pairs' KV partition follows from it).
	row(fileOffset int64)
	add(key, value []byte) error
}

// RowError is a row that could not be converted or encoded: where it is
// and why.
type RowError struct {
	File   string
	Offset int64
	Err    error
}

func (e *RowError) Error() string {
	return fmt.Sprintf("%s: row at byte offset %d: %v", e.File, e.Offset, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// DumpChunk rebuilds the reader's view of a chunk from its message.
func DumpChunk(dumpDir string, ch *lsv1.Chunk) dump.Chunk {
	c := dump.Chunk{
		ID: ch.Id, DB: ch.Db, Table: ch.Table, File: filepath.Join(dumpDir, filepath.FromSlash(ch.File)),
		Start: ch.StartOffset, End: ch.EndOffset, RowIDBase: ch.RowIdBase, RowIDMax: ch.RowIdMax,
		Header: ch.SqlHeader, CutAfterTuple: ch.CutAfterTuple, Columns: ch.Columns, HasHeader: ch.HasHeader,
		Names: ch.Names, TimeZone: ch.TimeZone,
	}
	switch ch.Format {
	case lsv1.Format_FORMAT_CSV:
		c.Format = dump.FormatCSV
	case lsv1.Format_FORMAT_PARQUET:
		c.Format = dump.FormatParquet
		c.FirstRowGroup, c.RowGroups, c.FileSize = int(ch.ParquetFirstRowGroup), int(ch.ParquetRowGroups), ch.FileSize
	}
	if ch.DataCharacterSet != "" {
		// The producer wrote a name ParseCharset read; encodeRows refuses
		// an unknown one (a newer producer's).
		c.DataCharset, _ = dump.ParseCharset(ch.DataCharacterSet, false)
		c.InvalidCharReplace = ch.DataInvalidCharReplace
	}
	switch ch.Compression {
	case lsv1.Compression_COMPRESSION_GZIP:
		c.Compression = dump.CompressionGzip
	case lsv1.Compression_COMPRESSION_ZSTD:
		c.Compression = dump.CompressionZstd
	case lsv1.Compression_COMPRESSION_SNAPPY:
		c.Compression = dump.CompressionSnappy
	}
	return c
}

// CSVFromProto converts the message form of the CSV options.
func CSVFromProto(o *lsv1.CSVOptions) rowparse.CSVOptions {
	if o == nil {
		return rowparse.DefaultCSVOptions()
	}
	return rowparse.CSVOptions{
		Separator: o.Separator, Delimiter: o.Delimiter, Terminator: o.Terminator, Header: o.Header,
		NotNull: o.NotNull, Null: o.Null, BackslashEscape: o.BackslashEscape, TrimLastSeparator: o.TrimLastSeparator,
	}
}

// Session returns the conversion session of a table's schema message,
// with the dump's own SET TIME_ZONE taking precedence.
func Session(ts *lsv1.TableSchema, dumpTimeZone string) (valueconv.Session, error) {
	mode, err := sqlmode.Parse(ts.SqlMode)
	if err != nil {
		return valueconv.Session{}, err
	}
	tz := ts.TimeZone
	if dumpTimeZone != "" {
		tz = dumpTimeZone
	}
	loc := time.UTC
	if tz != "" {
		if loc, err = mytime.ParseLocation(tz); err != nil {
			return valueconv.Session{}, fmt.Errorf("time zone %q: %w", tz, err)
		}
	}
	return valueconv.Session{Mode: mode, Loc: loc, Now: time.Unix(0, ts.TimestampUnixNano).UTC()}, nil
}

// encodeRows parses, converts and encodes every row of a chunk into sink.
func encodeRows(ctx context.Context, cfg Config, ti *schematopic.Table, ch *lsv1.Chunk, sink pairSink) (chunkStats, error) {
	if _, err := dump.ParseCharset(ch.DataCharacterSet, false); err != nil {
		return chunkStats{}, fmt.Errorf("chunk %s: %w", ch.Id, err)
	}
	dc := DumpChunk(cfg.Dump, ch)
	if dc.Format == dump.FormatParquet {
		// Parquet instants are written in the session's time zone.
		if sess, err := Session(ti.Msg, ""); err == nil {
			dc.Location = sess.Loc
		}
	}
	rows, err := dc.OpenRows(CSVFromProto(ch.Csv), ch.NoBackslashEscapes)
	if err != nil {
		return chunkStats{}, err
	}
	defer rows.Close()
	return encodeFrom(ctx, cfg.Rejects, ti, ch, dc.File, rows, sink)
}

// encodeFrom encodes every row rows yields; file names the chunk's file in
// errors. At the end of the rows the stats take the reader's own count.
func encodeFrom(ctx context.Context, rejects *RejectWriter, ti *schematopic.Table, ch *lsv1.Chunk, file string, rows rowSource, sink pairSink) (chunkStats, error) {
	var st chunkStats
	rc, err := newChunkCoder(ti, ch, ch.TimeZone)
	if err != nil {
		return st, fmt.Errorf("table %s.%s: %w", ch.Db, ch.Table, err)
	}
	var pairs kvenc.Pairs
	// read is what the live progress counter holds of this chunk's source
	// bytes: raised as rows are read, never past the chunk's size, and
	// made up to it at the end.
	read, start := int64(0), rows.Pos()
	progress := func(to int64) {
		if to = min(to, ch.SourceBytes); to > read {
			metrics.SourceBytesRead.Add(float64(to - read))
			read = to
		}
	}
	for k := int64(1); ; k++ {
		if k&1023 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		if k&255 == 0 {
			progress(rows.Pos() - start)
		}
		fields, err := rows.Next()
		if errors.Is(err, io.EOF) {
			st.parsed = rows.Parsed()
			progress(ch.SourceBytes)
			return st, nil
		}
		if err != nil {
			// Syntax errors carry file, offset, line and column already.
			return st, err
		}
		sink.row(rows.Pos())
		if tz := rows.TimeZone(); tz != rc.timeZone {
			if rc, err = newChunkCoder(ti, ch, tz); err != nil {
				return st, fmt.Errorf("%s at byte offset %d: %w", file, rows.Pos(), err)
			}
		}
		pairs.Reset()
		if err := rc.Encode(rows.Columns(), fields, ch.RowIdBase+k, &pairs); err != nil {
			rowErr := &RowError{File: file, Offset: rows.Pos(), Err: err}
			if rejects != nil && rejects.Reject(rowErr, fields) {
				st.rejected++
				metrics.RowsRejected.Inc()
				continue
			}
			return st, rowErr
		}
		for i := 0; i < pairs.Len(); i++ {
			if err := sink.add(pairs.Key(i), pairs.Value(i)); err != nil {
				return st, err
			}
		}
		st.rows++
		metrics.RowsEncoded.Inc()
	}
}

// newChunkCoder is the RowCoder of one chunk: generated AUTO_RANDOM
// handles spread over the shards, drawn from the chunk's row ID base and
// each row's ID, so that the rows of a chunk do not share one shard and a
// resumed chunk gives the same keys (kvenc.Encoder.SpreadAutoRandom).
func newChunkCoder(ti *schematopic.Table, ch *lsv1.Chunk, dumpTimeZone string) (*RowCoder, error) {
	rc, err := NewRowCoder(ti.Msg, ti.Model, dumpTimeZone)
	if err != nil {
		return nil, err
	}
	rc.enc.SpreadAutoRandom(ch.RowIdBase)
	return rc, nil
}

// RowCoder turns rows of dump fields into a table's KV pairs: column
// mapping, value conversion, generated columns, encoding. It is what the
// encoder runs per row, and what `lightstream debug encode` and the
// benchmarks run too.
type RowCoder struct {
	table    *valueconv.Converter
	enc      *kvenc.Encoder
	gen      valueconv.GeneratedEvaluator
	builders map[string]*valueconv.RowBuilder
	row      []datum.Datum
	timeZone string
}

// NewRowCoder prepares the coder of one table; dumpTimeZone is the dump's
// SET TIME_ZONE in force ("" for none).
func NewRowCoder(ts *lsv1.TableSchema, t *tableModel, dumpTimeZone string) (*RowCoder, error) {
	sess, err := Session(ts, dumpTimeZone)
	if err != nil {
		return nil, err
	}
	conv, err := valueconv.NewConverter(t, sess)
	if err != nil {
		return nil, err
	}
	gen, err := compileGenerated(t, sess, conv)
	if err != nil {
		return nil, err
	}
	enc, err := kvenc.NewEncoder(t, kvenc.Options{Loc: sess.Loc})
	if err != nil {
		return nil, err
	}
	return &RowCoder{table: conv, enc: enc, gen: gen, builders: map[string]*valueconv.RowBuilder{},
		row: make([]datum.Datum, len(t.Columns)), timeZone: dumpTimeZone}, nil
}

// Encode converts one row and appends its pairs to dst.
func (rc *RowCoder) Encode(columns []string, fields []literal.Field, rowID int64, dst *kvenc.Pairs) error {
	key := strings.Join(columns, "\x00")
	if columns == nil {
		key = "\x01all"
	}
	rb := rc.builders[key]
	if rb == nil {
		var err error
		if rb, err = valueconv.NewRowBuilder(rc.table, columns, rc.gen); err != nil {
			return err
		}
		rc.builders[key] = rb
	}
	handleID, err := rb.Build(fields, rowID, rc.row)
	if err != nil {
		return err
	}
	return rc.enc.Encode(rc.row, handleID, dst)
}

// Row returns the last converted row (by column offset).
func (rc *RowCoder) Row() []datum.Datum { return rc.row }
