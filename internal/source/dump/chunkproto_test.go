package dump

import (
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestChunkFromProto: every field of a chunk message lands in the chunk,
// its file under the dump directory.
func TestChunkFromProto(t *testing.T) {
	msg := &lsv1.Chunk{
		Id: "d.t:1:300", Db: "d", Table: "t", File: "sub/d.t.000000001.csv.gz", StartOffset: 300, EndOffset: 900,
		RowIdBase: 40, RowIdMax: 90, SqlHeader: "INSERT INTO `t` VALUES", CutAfterTuple: true, Columns: []string{"a", "b"},
		HasHeader: true, Names: "utf8mb4", TimeZone: "+08:00", Format: lsv1.Format_FORMAT_CSV,
		DataCharacterSet: "gbk", DataInvalidCharReplace: "?", Compression: lsv1.Compression_COMPRESSION_GZIP,
	}
	want := Chunk{
		ID: "d.t:1:300", DB: "d", Table: "t", File: filepath.Join("/dumps/x", "sub", "d.t.000000001.csv.gz"), Start: 300, End: 900,
		RowIDBase: 40, RowIDMax: 90, Header: "INSERT INTO `t` VALUES", CutAfterTuple: true, Columns: []string{"a", "b"},
		HasHeader: true, Names: "utf8mb4", TimeZone: "+08:00", Format: FormatCSV,
		DataCharset: CharsetGBK, InvalidCharReplace: "?", Compression: CompressionGzip,
	}
	if got := ChunkFromProto("/dumps/x", msg); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for comp, want := range map[lsv1.Compression]Compression{
		lsv1.Compression_COMPRESSION_NONE: CompressionNone, lsv1.Compression_COMPRESSION_ZSTD: CompressionZstd,
		lsv1.Compression_COMPRESSION_SNAPPY: CompressionSnappy,
	} {
		if got := ChunkFromProto("", &lsv1.Chunk{Compression: comp}); got.Compression != want || got.Format != FormatSQL || got.DataCharset != CharsetBinary {
			t.Errorf("%v: %+v", comp, got)
		}
	}
}

// TestCSVOptionsFromProto: the message's options as they are, the
// defaults without them.
func TestCSVOptionsFromProto(t *testing.T) {
	if got := CSVOptionsFromProto(nil); !reflect.DeepEqual(got, rowparse.DefaultCSVOptions()) {
		t.Errorf("nil: %+v", got)
	}
	want := rowparse.CSVOptions{Separator: "|", Delimiter: "'", Terminator: "\r\n", Header: true, NotNull: true,
		Null: []string{"NULL", "\\N"}, BackslashEscape: false, TrimLastSeparator: true}
	got := CSVOptionsFromProto(&lsv1.CSVOptions{Separator: "|", Delimiter: "'", Terminator: "\r\n", Header: true, NotNull: true,
		Null: []string{"NULL", "\\N"}, BackslashEscape: false, TrimLastSeparator: true})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestChunkFromProtoRows reads a gzipped CSV chunk through its message as
// the encoder does: the file is found, decompressed and parsed with the
// message's CSV options.
func TestChunkFromProtoRows(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "sub", "d.t.000000000.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	text := "a|b\n1|x\n2|NULL\n"
	zw := gzip.NewWriter(f)
	zw.Write([]byte(text))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	msg := &lsv1.Chunk{Id: "d.t:0:0", Db: "d", Table: "t", File: "sub/d.t.000000000.csv.gz", EndOffset: int64(len(text)),
		Format: lsv1.Format_FORMAT_CSV, Compression: lsv1.Compression_COMPRESSION_GZIP, HasHeader: true,
		Csv: &lsv1.CSVOptions{Separator: "|", Delimiter: `"`, Header: true, Null: []string{"NULL"}}}
	c := ChunkFromProto(dir, msg)
	rows, err := c.OpenRows(CSVOptionsFromProto(msg.Csv), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][]string
	for {
		fields, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var row []string
		for _, f := range fields {
			if f.Kind == literal.FieldNull {
				row = append(row, "<null>")
				continue
			}
			row = append(row, string(f.Bytes))
		}
		got = append(got, row)
	}
	if want := [][]string{{"1", "x"}, {"2", "<null>"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	if cols := rows.Columns(); !reflect.DeepEqual(cols, []string{"a", "b"}) {
		t.Errorf("columns %q", cols)
	}
}
