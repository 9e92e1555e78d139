package dump

import (
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/source/parquet"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// cutParquet cuts a Parquet file into runs of whole row groups of about
// ChunkSize bytes each (a row group larger than that is a chunk alone), as
// Lightning reads a Parquet file by row groups. RowIDMax holds the run's
// row count for MakeChunks to turn into IDs.
func cutParquet(f DataFile, opts ChunkOptions) ([]Chunk, error) {
	meta, err := parquet.ReadMeta(opener(opts.Opener), f.Path)
	if err != nil {
		return nil, err
	}
	var out []Chunk
	cur := Chunk{}
	flush := func() {
		if cur.RowGroups > 0 {
			out = append(out, cur)
		}
	}
	for i, g := range meta.RowGroups {
		if cur.RowGroups > 0 && g.End-cur.Start > opts.ChunkSize+opts.ChunkSize/10 {
			flush()
			cur = Chunk{}
		}
		if cur.RowGroups == 0 {
			cur.Start, cur.FirstRowGroup = g.Start, i
		}
		cur.RowGroups++
		cur.End = max(cur.End, g.End)
		cur.RowIDMax += g.Rows
	}
	flush()
	if len(out) == 0 {
		// A file without row groups is one empty chunk, so the table
		// still counts it.
		out = []Chunk{{Start: 0, End: 0}}
	}
	for i := range out {
		out[i].Columns = meta.Names()
	}
	return out, nil
}

func opener(op parquet.Opener) parquet.Opener {
	if op == nil {
		return parquet.Local{}
	}
	return op
}

// storageOpener opens Parquet files of a storage: an S3 object is read
// at offsets with ranged GETs.
type storageOpener struct{ st storage.Storage }

func (o storageOpener) Open(path string) (parquet.File, error) {
	// Parquet readers have no context: closing the file ends its reads.
	return o.st.OpenReaderAt(context.Background(), path)
}

// openerOf is the Parquet opener of a storage (nil: none given).
func openerOf(st storage.Storage) parquet.Opener {
	if st == nil {
		return nil
	}
	return storageOpener{st}
}

// openParquetRows opens a Parquet chunk's row groups.
func (c *Chunk) openParquetRows() (*Rows, error) {
	r, err := parquet.Open(opener(c.Opener), c.File, parquet.Options{FirstRowGroup: c.FirstRowGroup, RowGroups: c.RowGroups, Location: c.Location})
	if err != nil {
		return nil, fmt.Errorf("open chunk %s: %w", c.ID, err)
	}
	if c.RowGroups == 0 && len(r.Meta().RowGroups) > 0 {
		// RowGroups 0 reads every row group to the reader: a chunk of
		// none reads nothing.
		r.Close()
		return nil, fmt.Errorf("chunk %s: no row groups of %s selected", c.ID, c.File)
	}
	return &Rows{closer: r, next: func() ([]literal.Field, error) { return r.Next() }, columns: r.Columns, pos: r.Pos, rowPos: r.Row, parsed: r.Parsed}, nil
}
