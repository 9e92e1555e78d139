package dump

import (
	"fmt"
	"io"

	"github.com/lightstream-io/lightstream/internal/rowparse"
)

// Rows reads the rows of one chunk, SQL or CSV alike.
type Rows struct {
	closer  io.Closer
	next    func() ([]rowparse.Field, error)
	columns func() []string
	pos     func() int64
	sql     *rowparse.SQLReader
}

// OpenRows opens a chunk for reading rows. csv are the dump's CSV options
// (ignored for SQL); noBackslashEscapes is the dump's SQL mode flag.
func (c *Chunk) OpenRows(csv rowparse.CSVOptions, noBackslashEscapes bool) (*Rows, error) {
	r, err := c.Open()
	if err != nil {
		return nil, fmt.Errorf("open chunk %s: %w", c.ID, err)
	}
	rows := &Rows{closer: r}
	switch c.Format {
	case FormatSQL:
		sr := rowparse.NewSQLReader(r, c.SQLOptions(noBackslashEscapes))
		rows.sql = sr
		rows.next, rows.columns, rows.pos = checkInsertTable(c.File, sr), sr.Columns, sr.Pos
	case FormatCSV:
		cr, err := rowparse.NewCSVReader(r, c.CSVOptions(csv))
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("chunk %s: %w", c.ID, err)
		}
		header := c.Columns
		if !csv.Header {
			header = nil
		}
		rows.next, rows.pos = cr.Next, cr.Pos
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
	return rows, nil
}

// Next returns the next row, or io.EOF after the last one. The fields
// alias the reader's buffer until the next call.
func (r *Rows) Next() ([]rowparse.Field, error) { return r.next() }

// Columns returns the column list of the current row: the INSERT
// statement's list or the CSV header; nil means all columns in order.
func (r *Rows) Columns() []string { return r.columns() }

// Pos returns the file offset where the current row starts.
func (r *Rows) Pos() int64 { return r.pos() }

// TimeZone returns the dump's SET TIME_ZONE seen so far (SQL), or "".
func (r *Rows) TimeZone() string {
	if r.sql != nil {
		return r.sql.TimeZone()
	}
	return ""
}

// Close releases the file.
func (r *Rows) Close() error { return r.closer.Close() }
