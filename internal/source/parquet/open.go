// Package parquet reads the rows of Parquet data files as the SQL and CSV
// readers hand them on: literal.Field values, which valueconv converts as
// TiDB would. The file format itself is decoded by
// github.com/parquet-go/parquet-go; this package maps Parquet's physical
// and logical types onto values as TiDB Lightning does
// (pkg/lightning/mydump/parquet_parser.go), chooses row groups, and turns
// what a damaged file does to the library into errors naming the file.
//
// Files are opened through an Opener (a ReaderAt and a size, by path), so
// that a dump in object storage reads the same way as local files.
package parquet

import (
	"errors"
	"fmt"
	"io"
	"os"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// File is a Parquet file opened for random access: the library reads the
// footer, then each column chunk by its byte range.
type File interface {
	io.ReaderAt
	io.Closer
	// Size is the file's size in bytes.
	Size() int64
}

// Opener opens a data file by path (a local path, or an object key where
// the dump is in object storage).
type Opener interface {
	Open(path string) (File, error)
}

// Local opens local files.
type Local struct{}

// Open opens a local file.
func (Local) Open(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localFile{File: f, size: info.Size()}, nil
}

type localFile struct {
	*os.File
	size int64
}

func (f *localFile) Size() int64 { return f.size }

// ErrCorrupt marks a file the library could not decode: not Parquet, cut
// short, or damaged.
var ErrCorrupt = errors.New("corrupt Parquet file")

// ErrUnsupported marks a column lightstream cannot import: nested or
// repeated (LIST, MAP, a group), or a type without a SQL value (INTERVAL).
var ErrUnsupported = errors.New("unsupported Parquet column")

// RowGroup is one row group of a file.
type RowGroup struct {
	// Rows is the row group's row count.
	Rows int64
	// Start and End are the byte range its column chunks span.
	Start, End int64
}

// Meta is what the footer of a file says: its columns and row groups.
type Meta struct {
	// Columns are the leaf columns in file order.
	Columns []Column
	// RowGroups in file order.
	RowGroups []RowGroup
	// Rows is the file's row count.
	Rows int64
	// Size is the file size in bytes.
	Size int64
}

// Names returns the column names as the file writes them.
func (m *Meta) Names() []string {
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = c.Name
	}
	return names
}

// ReadMeta reads the footer of the file at path.
func ReadMeta(op Opener, path string) (*Meta, error) {
	f, err := op.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open Parquet file %s: %w", path, err)
	}
	defer f.Close()
	_, meta, err := openFile(path, f)
	return meta, err
}

// openFile opens the library's view of f and checks its schema.
func openFile(path string, f File) (pf *pqgo.File, meta *Meta, err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, meta, err = nil, nil, fmt.Errorf("%s: %w: footer: %v", path, ErrCorrupt, r)
		}
	}()
	pf, err = pqgo.OpenFile(f, f.Size(), pqgo.SkipPageIndex(true), pqgo.SkipBloomFilters(true), pqgo.ReadBufferSize(1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %w", path, ErrCorrupt, err)
	}
	md := pf.Metadata()
	meta = &Meta{Rows: md.NumRows, Size: f.Size()}
	if meta.Columns, err = flatColumns(md.Schema); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var sum int64
	for i := range md.RowGroups {
		rg := &md.RowGroups[i]
		if len(rg.Columns) != len(meta.Columns) {
			return nil, nil, fmt.Errorf("%s: %w: row group %d has %d column chunks for %d columns", path, ErrCorrupt, i, len(rg.Columns), len(meta.Columns))
		}
		g := RowGroup{Rows: rg.NumRows, Start: -1}
		for j := range rg.Columns {
			cm := &rg.Columns[j].MetaData
			start := cm.DataPageOffset
			if cm.DictionaryPageOffset > 0 && cm.DictionaryPageOffset < start {
				start = cm.DictionaryPageOffset
			}
			end := start + cm.TotalCompressedSize
			if start < 0 || cm.TotalCompressedSize < 0 || end > meta.Size {
				return nil, nil, fmt.Errorf("%s: %w: row group %d, column %q: chunk at [%d, %d) outside the file of %d bytes", path, ErrCorrupt, i, meta.Columns[j].Name, start, end, meta.Size)
			}
			if g.Start < 0 || start < g.Start {
				g.Start = start
			}
			g.End = max(g.End, end)
		}
		if g.Start < 0 {
			g.Start = 0
		}
		if rg.NumRows < 0 {
			return nil, nil, fmt.Errorf("%s: %w: row group %d has %d rows", path, ErrCorrupt, i, rg.NumRows)
		}
		sum += rg.NumRows
		meta.RowGroups = append(meta.RowGroups, g)
	}
	if sum != md.NumRows {
		return nil, nil, fmt.Errorf("%s: %w: the row groups hold %d rows, the footer says %d", path, ErrCorrupt, sum, md.NumRows)
	}
	if len(pf.RowGroups()) != len(meta.RowGroups) {
		return nil, nil, fmt.Errorf("%s: %w: %d row groups read of %d", path, ErrCorrupt, len(pf.RowGroups()), len(meta.RowGroups))
	}
	return pf, meta, nil
}

// flatColumns reads the leaf columns of a schema that must be flat: the
// root's children are all primitive and not repeated, as Lightning reads
// (a LIST or MAP is unsupported there too).
func flatColumns(schema []format.SchemaElement) ([]Column, error) {
	if len(schema) == 0 {
		return nil, fmt.Errorf("%w: empty schema", ErrCorrupt)
	}
	n := int(schema[0].NumChildren.V)
	if n != len(schema)-1 {
		// Some element below the root has children: find it to name it.
		for i := 1; i < len(schema); i++ {
			if schema[i].NumChildren.V > 0 {
				return nil, fmt.Errorf("%w: column %q is nested (a group%s): lightstream imports flat columns only", ErrUnsupported, schema[i].Name, logicalName(&schema[i]))
			}
		}
		return nil, fmt.Errorf("%w: schema root has %d children in %d elements", ErrCorrupt, n, len(schema))
	}
	cols := make([]Column, 0, n)
	for i := 1; i < len(schema); i++ {
		e := &schema[i]
		if e.NumChildren.V > 0 || !e.Type.Valid {
			return nil, fmt.Errorf("%w: column %q is nested (a group%s): lightstream imports flat columns only", ErrUnsupported, e.Name, logicalName(e))
		}
		if e.RepetitionType.Valid && e.RepetitionType.V == format.Repeated {
			return nil, fmt.Errorf("%w: column %q is repeated: lightstream imports flat columns only", ErrUnsupported, e.Name)
		}
		c, err := newColumn(e)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func logicalName(e *format.SchemaElement) string {
	switch {
	case e.LogicalType.Value != nil:
		return ", " + e.LogicalType.String()
	case e.ConvertedType.Valid:
		return fmt.Sprintf(", converted type %d", e.ConvertedType.V)
	}
	return ""
}
