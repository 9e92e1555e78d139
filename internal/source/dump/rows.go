package dump

import (
	"fmt"
	"io"
	"strings"

	"github.com/lightstream-io/lightstream/internal/source/parquet"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// Rows reads the rows of one chunk, SQL, CSV or Parquet alike.
type Rows struct {
	closer  io.Closer
	next    func() ([]literal.Field, error)
	columns func() []string
	pos     func() int64
	rowPos  func() RowPos // Parquet: where the current row is; nil otherwise
	parsed  func() uint64
	sql     *rowparse.SQLReader
}

// OpenRows opens a chunk for reading rows. csv are the dump's CSV options
// (ignored for SQL); noBackslashEscapes is the dump's SQL mode flag.
func (c *Chunk) OpenRows(csv rowparse.CSVOptions, noBackslashEscapes bool) (*Rows, error) {
	if c.Format == FormatParquet {
		return c.openParquetRows()
	}
	r, err := c.Open()
	if err != nil {
		return nil, fmt.Errorf("open chunk %s: %w", c.ID, err)
	}
	rows := &Rows{closer: r}
	// A failed read (an object gone from S3, a broken disk) ends the
	// parser's input, which it reports as a syntax error at that offset;
	// the read error is what the user needs, kept with its kind.
	rr := &readErrors{r: r}
	r = rr
	// A chunk in another character set is decoded to UTF-8 before it is
	// parsed; the reader then counts decoded bytes from the chunk start,
	// mapped back to file offsets for every place it reports.
	in, dec := newDecodingReader(r, c.DataCharset, c.InvalidCharReplace)
	start := int64(0)
	if dec != nil {
		start = c.Start
	}
	switch c.Format {
	case FormatSQL:
		opts := c.SQLOptions(noBackslashEscapes)
		opts.Offset -= start
		sr := rowparse.NewSQLReader(in, opts)
		rows.sql = sr
		rows.columns, rows.parsed = sr.Columns, sr.Tuples
		next := checkInsertTable(c.File, sr)
		rows.next = func() ([]literal.Field, error) {
			f, err := next()
			return f, dec.fileError(err, start)
		}
		rows.pos = func() int64 { return dec.fileOffset(sr.Pos(), start) }
	case FormatCSV:
		opts := c.CSVOptions(csv)
		opts.Offset -= start
		cr, err := rowparse.NewCSVReader(in, opts)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("chunk %s: %w", c.ID, err)
		}
		header := c.Columns
		if !csv.Header {
			header = nil
		}
		rows.parsed = cr.Records
		rows.next = func() ([]literal.Field, error) {
			f, err := cr.Next()
			return f, dec.fileError(err, start)
		}
		rows.pos = func() int64 { return dec.fileOffset(cr.Pos(), start) }
		rows.columns = func() []string {
			if h, _ := cr.Header(); h != nil {
				return h
			}
			return header
		}
	default:
		r.Close()
		return nil, fmt.Errorf("chunk %s: unknown format %d", c.ID, c.Format)
	}
	next := rows.next
	rows.next = func() ([]literal.Field, error) {
		f, err := next()
		if err != nil && err != io.EOF && rr.err != nil {
			if strings.Contains(rr.err.Error(), c.File) {
				return nil, fmt.Errorf("chunk %s: %w", c.ID, rr.err)
			}
			return nil, fmt.Errorf("chunk %s: read %s: %w", c.ID, c.File, rr.err)
		}
		return f, err
	}
	return rows, nil
}

// readErrors keeps the first error of a reader other than io.EOF.
type readErrors struct {
	r   io.ReadCloser
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

func (r *readErrors) Close() error { return r.r.Close() }

// Next returns the next row, or io.EOF after the last one. The fields
// alias the reader's buffer until the next call.
func (r *Rows) Next() ([]literal.Field, error) { return r.next() }

// Columns returns the column list of the current row: the INSERT
// statement's list or the CSV header; nil means all columns in order.
func (r *Rows) Columns() []string { return r.columns() }

// Parsed returns how many rows the reader has parsed so far: value tuples
// lexed (SQL) or data records read (CSV), counted by the reader itself.
func (r *Rows) Parsed() uint64 { return r.parsed() }

// Pos returns the file offset where the current row starts.
func (r *Rows) Pos() int64 { return r.pos() }

// RowPos locates a row of a Parquet file, which has no byte offset.
type RowPos = parquet.RowPos

// RowPos returns where the current row is in a Parquet file: its row
// group, its row in the group and in the file. false for SQL and CSV,
// whose rows are found by their byte offset (Pos); a Parquet row's Pos is
// only an estimate spread over its row groups' bytes.
func (r *Rows) RowPos() (RowPos, bool) {
	if r.rowPos == nil {
		return RowPos{}, false
	}
	return r.rowPos(), true
}

// TimeZone returns the dump's SET TIME_ZONE seen so far (SQL), or "".
func (r *Rows) TimeZone() string {
	if r.sql != nil {
		return r.sql.TimeZone()
	}
	return ""
}

// Close releases the file.
func (r *Rows) Close() error { return r.closer.Close() }
