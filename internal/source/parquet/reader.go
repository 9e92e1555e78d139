package parquet

import (
	"errors"
	"fmt"
	"io"
	"time"

	pqgo "github.com/parquet-go/parquet-go"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// Options selects what a Reader reads.
type Options struct {
	// FirstRowGroup and RowGroups select a run of row groups; RowGroups 0
	// means every row group from FirstRowGroup on.
	FirstRowGroup, RowGroups int
	// Location is the session's time zone, in which instants (TIMESTAMP
	// and TIME with isAdjustedToUTC, INT96) are written; nil means UTC.
	Location *time.Location
}

// Reader reads the rows of a run of row groups.
type Reader struct {
	path string
	file File
	pf   *pqgo.File
	meta *Meta
	loc  *time.Location

	// first and last+1 row group to read; rg is the current one, rowsLeft
	// the rows of it not yet read, base the file's rows before it.
	rg, end  int
	rowsLeft int64
	base     int64
	// start and stop are the byte range of the selected row groups, total
	// their rows: Pos spreads the rows read over the range.
	start, stop, total int64
	read               int64

	cols   []columnReader
	fields []literal.Field
	names  []string
}

// columnReader walks the pages of one column chunk.
type columnReader struct {
	col     *Column
	pages   pqgo.Pages
	values  pqgo.ValueReader
	buf     []pqgo.Value
	i, n    int
	scratch []byte
}

// Open opens the file at path and prepares to read the selected row
// groups. It fails on a file that is not Parquet, is damaged in its
// footer, or has nested or repeated columns.
func Open(op Opener, path string, opts Options) (*Reader, error) {
	f, err := op.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open Parquet file %s: %w", path, err)
	}
	pf, meta, err := openFile(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	n := len(meta.RowGroups)
	if opts.FirstRowGroup < 0 || opts.FirstRowGroup > n || opts.RowGroups < 0 || opts.FirstRowGroup+opts.RowGroups > n {
		f.Close()
		return nil, fmt.Errorf("%s: row groups [%d, +%d) of a file with %d", path, opts.FirstRowGroup, opts.RowGroups, n)
	}
	end := n
	if opts.RowGroups > 0 {
		end = opts.FirstRowGroup + opts.RowGroups
	}
	r := &Reader{path: path, file: f, pf: pf, meta: meta, loc: opts.Location, rg: opts.FirstRowGroup - 1, end: end}
	for _, g := range meta.RowGroups[:max(opts.FirstRowGroup-1, 0)] {
		r.base += g.Rows
	}
	if r.loc == nil {
		r.loc = time.UTC
	}
	for i := opts.FirstRowGroup; i < end; i++ {
		g := meta.RowGroups[i]
		if i == opts.FirstRowGroup {
			r.start = g.Start
		}
		r.stop = max(r.stop, g.End)
		r.total += g.Rows
	}
	r.cols = make([]columnReader, len(meta.Columns))
	for i := range r.cols {
		r.cols[i] = columnReader{col: &meta.Columns[i], buf: make([]pqgo.Value, 256)}
	}
	r.fields = make([]literal.Field, len(meta.Columns))
	r.names = meta.Names()
	return r, nil
}

// Meta returns what the file's footer says.
func (r *Reader) Meta() *Meta { return r.meta }

// Columns returns the column names, as the file writes them (the same
// slice on every call: callers must not change it).
func (r *Reader) Columns() []string { return r.names }

// Parsed returns the number of rows read so far.
func (r *Reader) Parsed() uint64 { return uint64(r.read) }

// RowPos locates a row of a Parquet file, which has no byte offset of its
// own: its row group and its number within the group and within the file.
type RowPos struct {
	// RowGroup is the row group's index, from 0 as the footer lists them
	// (and as parquet tools number them).
	RowGroup int
	// InGroup is the row's number in its row group, from 1.
	InGroup int64
	// InFile is the row's number in the file, from 1: the number
	// Lightning reports for a Parquet row.
	InFile int64
}

func (p RowPos) String() string {
	return fmt.Sprintf("row %d (row group %d, row %d of it)", p.InFile, p.RowGroup, p.InGroup)
}

// Row returns where the row the last Next returned is in the file (the
// zero RowPos before the first).
func (r *Reader) Row() RowPos {
	if r.read == 0 || r.rg < 0 || r.rg >= r.end {
		return RowPos{}
	}
	in := r.meta.RowGroups[r.rg].Rows - r.rowsLeft
	return RowPos{RowGroup: r.rg, InGroup: in, InFile: r.base + in}
}

// nextRow is where the row Next is reading is.
func (r *Reader) nextRow() RowPos {
	in := r.meta.RowGroups[r.rg].Rows - r.rowsLeft + 1
	return RowPos{RowGroup: r.rg, InGroup: in, InFile: r.base + in}
}

// Pos returns the byte offset of the current row, spread evenly over the
// selected row groups' byte range (a row has no byte offset of its own in
// a columnar file): it grows with the rows read and stays in the range.
func (r *Reader) Pos() int64 {
	if r.total == 0 {
		return r.start
	}
	return r.start + int64(float64(r.stop-r.start)*float64(r.read)/float64(r.total))
}

// Next returns the next row, or io.EOF after the last one. The fields
// alias the reader's buffers until the next call.
func (r *Reader) Next() (fields []literal.Field, err error) {
	defer func() {
		if p := recover(); p != nil {
			where := fmt.Sprintf("row group %d", r.rg)
			if r.rg >= 0 && r.rg < r.end && r.rowsLeft > 0 {
				where = r.nextRow().String()
			}
			fields, err = nil, fmt.Errorf("%s: %w: %s: %v", r.path, ErrCorrupt, where, p)
		}
	}()
	for r.rowsLeft == 0 {
		if err := r.nextRowGroup(); err != nil {
			return nil, err
		}
	}
	for i := range r.cols {
		c := &r.cols[i]
		v, err := c.next()
		if err == nil {
			r.fields[i], c.scratch, err = c.col.value(v, c.scratch, r.loc)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w: the column ends before the row group's %d rows", ErrCorrupt, r.meta.RowGroups[r.rg].Rows)
			}
			return nil, fmt.Errorf("%s: %s, column %q (%s): %w", r.path, r.nextRow(), c.col.Name, c.col.Type, corrupt(err))
		}
	}
	r.rowsLeft--
	r.read++
	return r.fields, nil
}

// corrupt marks a decoding error of the library as ErrCorrupt.
func corrupt(err error) error {
	if errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

func (r *Reader) nextRowGroup() error {
	r.closePages()
	if r.rg >= 0 && r.rg < r.end {
		r.base += r.meta.RowGroups[r.rg].Rows
	}
	r.rg++
	if r.rg >= r.end {
		r.rg = r.end
		return io.EOF
	}
	g := r.pf.RowGroups()[r.rg]
	chunks := g.ColumnChunks()
	if len(chunks) != len(r.cols) {
		return fmt.Errorf("%s: %w: row group %d has %d column chunks for %d columns", r.path, ErrCorrupt, r.rg, len(chunks), len(r.cols))
	}
	for i := range r.cols {
		r.cols[i].pages = chunks[i].Pages()
	}
	r.rowsLeft = r.meta.RowGroups[r.rg].Rows
	return nil
}

func (r *Reader) closePages() {
	for i := range r.cols {
		c := &r.cols[i]
		if c.pages != nil {
			c.pages.Close()
		}
		c.pages, c.values, c.i, c.n = nil, nil, 0, 0
	}
}

// next returns the column's next value, reading pages as needed.
func (c *columnReader) next() (pqgo.Value, error) {
	for c.i == c.n {
		if c.values == nil {
			p, err := c.pages.ReadPage()
			if err != nil {
				return pqgo.Value{}, err
			}
			c.values = p.Values()
		}
		n, err := c.values.ReadValues(c.buf)
		c.i, c.n = 0, n
		if errors.Is(err, io.EOF) || (n == 0 && err == nil) {
			// A page that yields nothing more is done (a damaged one
			// could otherwise say "no values, no error" forever).
			c.values = nil
		} else if err != nil {
			return pqgo.Value{}, err
		}
	}
	v := c.buf[c.i]
	c.i++
	return v, nil
}

// Close releases the file.
func (r *Reader) Close() error {
	r.closePages()
	return r.file.Close()
}
