package dump

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/source/parquet"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// DefaultChunkSize is the default chunk size: 64 MiB, a quarter of
// Lightning's max-region-size. A chunk is one encoder's unit of work and
// a dump often has few, big files: smaller chunks keep every encoder busy
// on a one-file table and let the sorters' data partitions complete (and
// be ingested) while later chunks are still being encoded.
const DefaultChunkSize = 64 << 20

// ChunkOptions configures MakeChunks.
type ChunkOptions struct {
	// ChunkSize is the target chunk size in bytes (default 64 MiB). As in
	// Lightning, a file up to 1.1 x ChunkSize stays one chunk.
	ChunkSize int64
	// Columns is the table's column count, for the row-ID estimate.
	Columns int
	// CSV are the CSV options of the dump (DefaultCSVOptions if Separator
	// is empty).
	CSV rowparse.CSVOptions
	// NoBackslashEscapes is the SQL mode flag for SQL files.
	NoBackslashEscapes bool
	// DataCharset and InvalidCharReplace are Lightning's
	// data-character-set and data-invalid-char-replace: the files are
	// decoded to UTF-8 before they are scanned (cuts stay file offsets).
	DataCharset        Charset
	InvalidCharReplace string
	// Storage reads the files (nil: they are local paths).
	Storage storage.Storage
	// Opener opens Parquet files (nil: local files).
	Opener parquet.Opener
}

// Chunk is a byte range of a data file that starts at a row boundary.
type Chunk struct {
	// ID is stable across runs: db.table:fileNumber:startOffset, where
	// fileNumber is the file's position in the table's file list.
	ID        string
	DB, Table string
	File      string
	FileIndex int
	Format    Format
	// Compression != CompressionNone means the chunk is the whole file.
	Compression Compression
	// Start and End are byte offsets in the (uncompressed) file.
	Start, End int64
	// RowIDBase: row k (1-based) of the chunk gets row ID RowIDBase+k;
	// RowIDMax bounds the IDs the chunk may use (Lightning's estimate:
	// size/(columns+2) rows for SQL, size/columns for CSV).
	RowIDBase, RowIDMax int64
	// Header is the INSERT statement header ("INSERT INTO `t` (`a`) VALUES")
	// of a SQL chunk that starts at a tuple inside a statement.
	Header string
	// CutAfterTuple is set for a SQL chunk that ends inside a statement.
	CutAfterTuple bool
	// Columns are the CSV header's names for a CSV chunk; HasHeader says
	// the chunk itself starts with the header record.
	Columns   []string
	HasHeader bool
	// Names and TimeZone are the SET NAMES / SET TIME_ZONE in effect at
	// the start of a SQL chunk (empty when none came before it).
	Names, TimeZone string
	// DataCharset is the character set the file is written in; the rows
	// are decoded to UTF-8 before parsing, with InvalidCharReplace for
	// what cannot be decoded (binary, the default: bytes as they are).
	DataCharset        Charset
	InvalidCharReplace string
	// Storage reads File (nil: a local path).
	Storage storage.Storage
	// FirstRowGroup and RowGroups are the run of row groups a Parquet
	// chunk reads (Start and End the bytes they span); FileSize is the
	// file's size when listed (0: unknown).
	FirstRowGroup, RowGroups int
	FileSize                 int64
	// Location is the session's time zone for a Parquet chunk's instants
	// (nil: UTC); Opener opens its file (nil: a local file).
	Location *time.Location
	Opener   parquet.Opener
}

// SQLOptions returns the reader options for a SQL chunk.
func (c *Chunk) SQLOptions(noBackslashEscapes bool) rowparse.SQLOptions {
	return rowparse.SQLOptions{File: c.File, Offset: c.Start, NoBackslashEscapes: noBackslashEscapes,
		Header: []byte(c.Header), CutAfterTuple: c.CutAfterTuple, AtFileEnd: c.atFileEnd(),
		OnSkip: func(offset int64, head string) { warnSkipped(c.File, offset, head) }}
}

// CSVOptions returns the reader options for a CSV chunk from the dump's.
func (c *Chunk) CSVOptions(base rowparse.CSVOptions) rowparse.CSVOptions {
	base.File, base.Offset = c.File, c.Start
	base.Header = c.HasHeader
	return base
}

// Open returns the chunk's bytes.
func (c *Chunk) Open() (io.ReadCloser, error) {
	return OpenRangeIn(c.Storage, c.File, c.Compression, c.Start, c.End)
}

func (o *ChunkOptions) adjust() {
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Columns <= 0 {
		o.Columns = 1
	}
	if o.CSV.Separator == "" {
		hdr := o.CSV.Header
		o.CSV = rowparse.DefaultCSVOptions()
		o.CSV.Header = hdr
	}
}

// MakeChunks cuts a table's data files into chunks. Uncompressed files
// larger than 1.1 x ChunkSize are scanned with the real reader (quotes and
// escapes tracked from the file start, unlike Lightning's strict-format
// guess) and cut at row starts: CSV at a record start, SQL at a tuple's
// '(' — at the statement start when the tuple is its first, otherwise the
// chunk carries the statement header to parse from the middle. SQL is
// skimmed (rowparse.SQLOptions.Skim): a value the row reader would refuse
// fails its chunk's encoding, as in Lightning, not the cutting. Compressed
// files are one chunk each; their decompressed size is measured so the
// row-ID range is an upper bound.
func MakeChunks(t *Table, opts ChunkOptions) ([]Chunk, error) {
	all, err := MakeTablesChunks([]*Table{t}, []ChunkOptions{opts}, 1)
	if err != nil {
		return nil, err
	}
	return all[0], nil
}

// MakeTablesChunks is MakeChunks of each table (with the options of the
// same index), the files of all tables scanned by up to parallel
// goroutines at once: scanning a large dump is CPU-bound, and nothing of
// an import can start before its plan. The chunks, and which error is
// returned (the first in table and file order), are MakeChunks's.
func MakeTablesChunks(tables []*Table, opts []ChunkOptions, parallel int) ([][]Chunk, error) {
	if len(opts) != len(tables) {
		return nil, fmt.Errorf("make chunks: %d tables, %d options", len(tables), len(opts))
	}
	type file struct{ t, f int }
	var files []file
	cuts := make([][][]Chunk, len(tables))
	errs := make([][]error, len(tables))
	for ti, t := range tables {
		opts[ti].adjust()
		if opts[ti].Opener == nil {
			opts[ti].Opener = openerOf(opts[ti].Storage)
		}
		cuts[ti] = make([][]Chunk, len(t.DataFiles))
		errs[ti] = make([]error, len(t.DataFiles))
		for fi := range t.DataFiles {
			files = append(files, file{ti, fi})
		}
	}
	// Largest first: the long scans start early and the short ones fill in.
	sort.SliceStable(files, func(i, j int) bool {
		return tables[files[i].t].DataFiles[files[i].f].Size > tables[files[j].t].DataFiles[files[j].f].Size
	})
	var g errgroup.Group
	g.SetLimit(max(parallel, 1))
	for _, x := range files {
		g.Go(func() error {
			cuts[x.t][x.f], errs[x.t][x.f] = cutFile(tables[x.t].DataFiles[x.f], opts[x.t])
			return nil
		})
	}
	_ = g.Wait() // every error is kept in errs
	out := make([][]Chunk, len(tables))
	for ti, t := range tables {
		for fi := range t.DataFiles {
			if err := errs[ti][fi]; err != nil {
				return nil, &TableChunksError{Table: t, Err: err}
			}
		}
		out[ti] = assembleChunks(t, opts[ti], cuts[ti])
	}
	return out, nil
}

// TableChunksError is a failure to cut a table's files into chunks.
type TableChunksError struct {
	Table *Table
	Err   error
}

func (e *TableChunksError) Error() string {
	return fmt.Sprintf("make chunks of %s.%s: %v", e.Table.DB, e.Table.Name, e.Err)
}

func (e *TableChunksError) Unwrap() error { return e.Err }

// cutFile cuts one data file (see MakeChunks): the chunks' Start, End and
// what the reader needs to start there; Parquet chunks carry their row
// count in RowIDMax.
func cutFile(f DataFile, opts ChunkOptions) ([]Chunk, error) {
	switch {
	case f.Format == FormatParquet:
		return cutParquet(f, opts)
	case f.Compression != CompressionNone:
		size, err := decompressedSize(opts.Storage, f)
		if err != nil {
			return nil, err
		}
		return []Chunk{{Start: 0, End: size, HasHeader: f.Format == FormatCSV && opts.CSV.Header}}, nil
	case f.Size > opts.ChunkSize+opts.ChunkSize/10:
		if f.Format == FormatSQL {
			return cutSQL(f, opts)
		}
		return cutCSV(f, opts)
	}
	cuts := []Chunk{{Start: 0, End: f.Size}}
	if f.Format == FormatCSV && opts.CSV.Header {
		cuts[0].HasHeader = true
	}
	return cuts, nil
}

// assembleChunks names a table's cut files' chunks and gives them their
// row-ID ranges, in file order.
func assembleChunks(t *Table, opts ChunkOptions, cuts [][]Chunk) []Chunk {
	var chunks []Chunk
	rowID := int64(0)
	for fi, f := range t.DataFiles {
		if f.Format == FormatParquet {
			for _, c := range cuts[fi] {
				c.ID = fmt.Sprintf("%s.%s:%d:%d", t.DB, t.Name, fi, c.Start)
				c.DB, c.Table, c.File, c.FileIndex, c.Format = t.DB, t.Name, f.Path, fi, FormatParquet
				c.FileSize, c.Opener, c.Storage = f.Size, opts.Opener, opts.Storage
				// A Parquet chunk knows its rows: its IDs are exact.
				c.RowIDBase = rowID
				rowID += c.RowIDMax
				c.RowIDMax = rowID
				chunks = append(chunks, c)
			}
			continue
		}
		divisor := int64(opts.Columns)
		if f.Format == FormatSQL {
			divisor += 2
		}
		for _, c := range cuts[fi] {
			c.ID = fmt.Sprintf("%s.%s:%d:%d", t.DB, t.Name, fi, c.Start)
			c.DB, c.Table, c.File, c.FileIndex = t.DB, t.Name, f.Path, fi
			c.Format, c.Compression = f.Format, f.Compression
			c.DataCharset, c.InvalidCharReplace = opts.DataCharset, opts.InvalidCharReplace
			c.Storage = opts.Storage
			c.RowIDBase = rowID
			rowID += (c.End - c.Start) / divisor
			c.RowIDMax = rowID
			chunks = append(chunks, c)
		}
	}
	return chunks
}

func decompressedSize(st storage.Storage, f DataFile) (int64, error) {
	r, err := OpenIn(st, f.Path, f.Compression)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", f.Path, err)
	}
	return n, nil
}

// cutSQL scans a SQL file and cuts it at tuples.
func cutSQL(f DataFile, opts ChunkOptions) ([]Chunk, error) {
	r, err := OpenRangeIn(opts.Storage, f.Path, CompressionNone, 0, f.Size)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	in, dec := newDecodingReader(r, opts.DataCharset, opts.InvalidCharReplace)
	sr := rowparse.NewSQLReader(in, rowparse.SQLOptions{File: f.Path, NoBackslashEscapes: opts.NoBackslashEscapes, Skim: true})
	cur := Chunk{Start: 0}
	var out []Chunk
	lastStmt := int64(-1)
	for {
		_, err := sr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, dec.fileError(err, 0)
		}
		st := sr.Statement()
		first := st.Offset != lastStmt
		lastStmt = st.Offset
		at := sr.Pos()
		if first {
			at = st.Offset
		}
		at = dec.fileOffset(at, 0)
		if at-cur.Start < opts.ChunkSize || at == cur.Start {
			continue
		}
		// Keep the tail from being a tiny chunk.
		if f.Size-at < opts.ChunkSize/10 {
			continue
		}
		cur.End = at
		cur.CutAfterTuple = !first
		out = append(out, cur)
		cur = Chunk{Start: at, Names: sr.Names(), TimeZone: sr.TimeZone()}
		if !first {
			cur.Header = statementHeader(st)
		}
	}
	cur.End = f.Size
	return append(out, cur), nil
}

// statementHeader rebuilds an INSERT header from the statement info.
func statementHeader(st *rowparse.Statement) string {
	var b strings.Builder
	if st.Kind == rowparse.StatementReplace {
		b.WriteString("REPLACE ")
	} else {
		b.WriteString("INSERT ")
		if st.Ignore {
			b.WriteString("IGNORE ")
		}
	}
	b.WriteString("INTO ")
	b.WriteString(quoteIdent(st.Table))
	if st.Columns != nil {
		b.WriteString(" (")
		for i, c := range st.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteIdent(c))
		}
		b.WriteByte(')')
	}
	b.WriteString(" VALUES ")
	return b.String()
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// cutCSV scans a CSV file and cuts it at record starts.
func cutCSV(f DataFile, opts ChunkOptions) ([]Chunk, error) {
	r, err := OpenRangeIn(opts.Storage, f.Path, CompressionNone, 0, f.Size)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	co := opts.CSV
	co.File, co.Offset = f.Path, 0
	in, dec := newDecodingReader(r, opts.DataCharset, opts.InvalidCharReplace)
	cr, err := rowparse.NewCSVReader(in, co)
	if err != nil {
		return nil, err
	}
	header, err := cr.Header()
	if err != nil {
		return nil, dec.fileError(err, 0)
	}
	cur := Chunk{Start: 0, HasHeader: co.Header, Columns: header}
	var out []Chunk
	for {
		_, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, dec.fileError(err, 0)
		}
		at := dec.fileOffset(cr.Pos(), 0)
		if at-cur.Start < opts.ChunkSize || f.Size-at < opts.ChunkSize/10 {
			continue
		}
		cur.End = at
		out = append(out, cur)
		cur = Chunk{Start: at, Columns: header}
	}
	cur.End = f.Size
	return append(out, cur), nil
}
