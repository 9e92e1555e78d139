package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
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
	File string
	// Offset is where the row starts in the file (SQL, CSV).
	Offset int64
	// Row, for a Parquet row (which has no byte offset of its own), is its
	// row group and its row in the group and the file; nil otherwise.
	Row *dump.RowPos
	Err error
}

func (e *RowError) Error() string {
	if e.Row != nil {
		return fmt.Sprintf("%s: %s: %v", e.File, e.Row, e.Err)
	}
	return fmt.Sprintf("%s: row at byte offset %d: %v", e.File, e.Offset, e.Err)
}

// rowPlacer is a row source that locates its rows by number (dump.Rows
// of a Parquet chunk).
type rowPlacer interface {
	RowPos() (dump.RowPos, bool)
}

// newRowError is the error of the row rows last returned.
func newRowError(file string, rows interface{ Pos() int64 }, err error) *RowError {
	e := &RowError{File: file, Offset: rows.Pos(), Err: err}
	if rp, ok := rows.(rowPlacer); ok {
		if at, ok := rp.RowPos(); ok {
			e.Row = &at
		}
	}
	return e
}

func (e *RowError) Unwrap() error { return e.Err }

// encodeRows parses, converts and encodes every row of a chunk into sink.
func encodeRows(ctx context.Context, cfg Config, ti *schematopic.Table, ch *lsv1.Chunk, sink pairSink) (chunkStats, error) {
	if _, err := dump.ParseCharset(ch.DataCharacterSet, false); err != nil {
		return chunkStats{}, fmt.Errorf("chunk %s: %w", ch.Id, err)
	}
	st := cfg.Storage
	if st == nil {
		st = storage.LocalDir(cfg.Dump)
	}
	dc := dump.ChunkFromProtoIn(st, ch)
	if dc.Format == dump.FormatParquet {
		// Parquet instants are written in the session's time zone.
		sess, err := rowcodec.Session(ti.Msg.SqlMode, ti.Msg.TimeZone, "", time.Time{})
		if err != nil {
			return chunkStats{}, fmt.Errorf("chunk %s: table %s.%s: %w", ch.Id, ch.Db, ch.Table, err)
		}
		dc.Location = sess.Loc
	}
	rows, err := dc.OpenRows(dump.CSVOptionsFromProto(ch.Csv), ch.NoBackslashEscapes)
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
	// counted is how many of st.rows the rows-encoded counter holds: it
	// is raised with the progress, not per row (two encoders adding to
	// one counter per row was 1% of an import's CPU).
	var counted uint64
	progress := func(to int64) {
		if to = min(to, ch.SourceBytes); to > read {
			metrics.SourceBytesRead.Add(float64(to - read))
			read = to
		}
		if st.rows > counted {
			metrics.RowsEncoded.Add(float64(st.rows - counted))
			counted = st.rows
		}
	}
	defer func() { progress(read) }()
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
			rowErr := newRowError(file, rows, err)
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
	}
}

// chunkCoder is the row coder of one chunk under one dump time zone.
type chunkCoder struct {
	*rowcodec.RowCoder
	// timeZone is the dump's SET TIME_ZONE the coder converts under.
	timeZone string
}

// newChunkCoder is the RowCoder of one chunk: generated AUTO_RANDOM
// handles spread over the shards, drawn from the chunk's row ID base and
// each row's ID, so that the rows of a chunk do not share one shard and a
// resumed chunk gives the same keys (kvenc.Encoder.SpreadAutoRandom).
// dumpTimeZone is the dump's SET TIME_ZONE in force ("" for none), ahead
// of the import's.
func newChunkCoder(ti *schematopic.Table, ch *lsv1.Chunk, dumpTimeZone string) (*chunkCoder, error) {
	ts := ti.Msg
	sess, err := rowcodec.Session(ts.SqlMode, ts.TimeZone, dumpTimeZone, time.Unix(0, ts.TimestampUnixNano).UTC())
	if err != nil {
		return nil, err
	}
	rc, err := rowcodec.NewRowCoder(ti.Model, sess, rowcodec.Options{})
	if err != nil {
		return nil, err
	}
	rc.SpreadAutoRandom(ch.RowIdBase)
	return &chunkCoder{RowCoder: rc, timeZone: dumpTimeZone}, nil
}
