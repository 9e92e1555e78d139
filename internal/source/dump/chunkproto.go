package dump

import (
	"path/filepath"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ChunkFromProto rebuilds the reader's view of a chunk from its message;
// dumpDir is the dump directory the message's file is relative to. A data
// character set the message names but ParseCharset does not know (a newer
// producer's) is left binary: check it with ParseCharset first.
func ChunkFromProto(dumpDir string, ch *lsv1.Chunk) Chunk {
	c := Chunk{
		ID: ch.Id, DB: ch.Db, Table: ch.Table, File: filepath.Join(dumpDir, filepath.FromSlash(ch.File)),
		Start: ch.StartOffset, End: ch.EndOffset, RowIDBase: ch.RowIdBase, RowIDMax: ch.RowIdMax,
		Header: ch.SqlHeader, CutAfterTuple: ch.CutAfterTuple, Columns: ch.Columns, HasHeader: ch.HasHeader,
		Names: ch.Names, TimeZone: ch.TimeZone,
	}
	switch ch.Format {
	case lsv1.Format_FORMAT_CSV:
		c.Format = FormatCSV
	case lsv1.Format_FORMAT_PARQUET:
		c.Format = FormatParquet
		c.FirstRowGroup, c.RowGroups, c.FileSize = int(ch.ParquetFirstRowGroup), int(ch.ParquetRowGroups), ch.FileSize
	}
	if ch.DataCharacterSet != "" {
		c.DataCharset, _ = ParseCharset(ch.DataCharacterSet, false)
		c.InvalidCharReplace = ch.DataInvalidCharReplace
	}
	switch ch.Compression {
	case lsv1.Compression_COMPRESSION_GZIP:
		c.Compression = CompressionGzip
	case lsv1.Compression_COMPRESSION_ZSTD:
		c.Compression = CompressionZstd
	case lsv1.Compression_COMPRESSION_SNAPPY:
		c.Compression = CompressionSnappy
	}
	return c
}

// ChunkFromProtoIn is ChunkFromProto of a dump in a storage: the
// message's file is named relative to the storage's root (an object key
// under an S3 prefix), and the chunk reads it from st.
func ChunkFromProtoIn(st storage.Storage, ch *lsv1.Chunk) Chunk {
	c := ChunkFromProto("", ch)
	c.File, c.Storage, c.Opener = st.Join(ch.File), st, openerOf(st)
	return c
}

// CSVOptionsFromProto converts the message form of the CSV options; a
// message without them (a SQL chunk's) gives rowparse.DefaultCSVOptions.
func CSVOptionsFromProto(o *lsv1.CSVOptions) rowparse.CSVOptions {
	if o == nil {
		return rowparse.DefaultCSVOptions()
	}
	return rowparse.CSVOptions{
		Separator: o.Separator, Delimiter: o.Delimiter, Terminator: o.Terminator, Header: o.Header,
		NotNull: o.NotNull, Null: o.Null, BackslashEscape: o.BackslashEscape, TrimLastSeparator: o.TrimLastSeparator,
	}
}
