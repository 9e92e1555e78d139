package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/gzip"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
)

// TestParquetGenDump imports a generated dump written as Parquet (typed
// columns, several files per table, several row groups per file, chunks
// of several row groups) and the same rows written as CSV: every table
// verifies its checksum and exports the same bytes as from the CSV dump.
func TestParquetGenDump(t *testing.T) {
	t.Parallel()
	tables := []string{"sbtest", "orderline", "wide", "texts", "tpch"}
	gen := func(format dumpgen.Format) string {
		dir := filepath.Join(t.TempDir(), "dump")
		if _, err := dumpgen.Run(context.Background(), dumpgen.Config{Dir: dir, Size: 6 << 20, Tables: tables, Format: format,
			FileSize: 512 << 10, RowGroupSize: 64 << 10, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	pqDir, csvDir := gen(dumpgen.FormatParquet), gen(dumpgen.FormatCSV)

	d, err := dump.Scan(pqDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range d.Tables {
		chunks, err := dump.MakeChunks(tb, dump.ChunkOptions{ChunkSize: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(tb.DataFiles) < 2 || len(chunks) <= len(tb.DataFiles) {
			t.Errorf("%s: %d Parquet files in %d chunks: want several files, each cut", tb.Name, len(tb.DataFiles), len(chunks))
		}
	}

	imp := func(dir string) string {
		work := t.TempDir()
		if out, err := runCLI(t, "import", "-q", "--dump", dir, "--work-dir", work, "--chunk-size", "64KiB"); err != nil {
			t.Fatalf("import %s: %v\n%s", dir, err, out)
		}
		return work
	}
	pqWork, csvWork := imp(pqDir), imp(csvDir)
	for _, tb := range d.Tables {
		got, want := exportCSV(t, pqWork, "gen", tb.Name), exportCSV(t, csvWork, "gen", tb.Name)
		if len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("gen.%s: the Parquet import exports %d bytes, the CSV import %d, not the same", tb.Name, len(got), len(want))
		}
	}
}

// writeParquet writes rows (in the schema's field order, nil for NULL).
func writeParquet(t *testing.T, path string, root pqgo.Group, rows [][]any, opts ...pqgo.WriterOption) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schema := pqgo.NewSchema("t", root)
	w := pqgo.NewWriter(f, append([]pqgo.WriterOption{schema}, opts...)...)
	fields := schema.Fields()
	for _, r := range rows {
		row := make(pqgo.Row, len(fields))
		for i, fld := range fields {
			def := 0
			if fld.Optional() {
				def = 1
			}
			switch x := r[i].(type) {
			case nil:
				row[i] = pqgo.NullValue().Level(0, 0, i)
			case pqgo.Value:
				row[i] = x.Level(0, def, i)
			default:
				row[i] = pqgo.ValueOf(x).Level(0, def, i)
			}
		}
		if _, err := w.WriteRows([]pqgo.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestParquetTypes imports a Parquet file whose columns are named in
// another case and order than the table's, of Parquet's logical types,
// with NULLs and a table column the file lacks (its default); a file with
// a nested column, one with a column the table lacks and a cut file each
// stop the import naming the file.
func TestParquetTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"shop-schema-create.sql": "CREATE DATABASE shop;",
		"shop.items-schema.sql": "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(20), price DECIMAL(10,2), qty INT UNSIGNED, made DATE," +
			" seen DATETIME(6), ts TIMESTAMP(3) NULL, flag TINYINT(1), score DOUBLE, note VARCHAR(10) DEFAULT 'none', raw VARBINARY(8), big DECIMAL(30,3));",
	})
	ts := time.Date(2020, 10, 29, 9, 27, 52, 356000000, time.UTC)
	group := pqgo.Group{
		"ID":    pqgo.Int(64),
		"Name":  pqgo.Optional(pqgo.String()),
		"PRICE": pqgo.Optional(pqgo.Decimal(2, 10, pqgo.Int64Type)),
		"qty":   pqgo.Optional(pqgo.Uint(32)),
		"made":  pqgo.Optional(pqgo.Date()),
		"seen":  pqgo.Optional(pqgo.TimestampAdjusted(pqgo.Microsecond, false)),
		"ts":    pqgo.Optional(pqgo.TimestampAdjusted(pqgo.Millisecond, true)),
		"flag":  pqgo.Optional(pqgo.Leaf(pqgo.BooleanType)),
		"score": pqgo.Optional(pqgo.Leaf(pqgo.DoubleType)),
		"raw":   pqgo.Optional(pqgo.Leaf(pqgo.ByteArrayType)),
		"big":   pqgo.Optional(pqgo.Decimal(3, 30, pqgo.FixedLenByteArrayType(13))),
	}
	// Field order (names sorted as bytes): ID, Name, PRICE, big, flag,
	// made, qty, raw, score, seen, ts. big is -2^96 unscaled.
	bigVal := make([]byte, 13)
	bigVal[0] = 0xff
	writeParquet(t, filepath.Join(dir, "shop.items.000000001.parquet"), group, [][]any{
		{int64(1), "crème", int64(-12345), pqgo.FixedLenByteArrayValue(bigVal), true, int32(18564), int32(-1), []byte{0, 1}, 2.5,
			ts.UnixMicro() + 1, ts.UnixMilli()},
		{int64(2), nil, nil, nil, false, nil, nil, nil, nil, nil, nil},
	})
	work := t.TempDir()
	if out, err := runCLI(t, "import", "-q", "--dump", dir, "--work-dir", work); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	got := sortedRows(t, exportTable(t, work, "shop", "items"), "id", "name", "price", "qty", "made", "seen", "ts", "flag", "score", "note", "raw", "big")
	want := []string{
		"1|crème|-123.45|4294967295|2020-10-29|2020-10-29 09:27:52.356001|2020-10-29 09:27:52.356|1|2.5|none|\x00\x01|-79228162514264337593543950.336",
		"2|\\N|\\N|\\N|\\N|\\N|\\N|0|\\N|none|\\N|\\N",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}

	// A UTC-adjusted TIMESTAMP is an instant: a DATETIME column gets its
	// wall clock in the session's time zone; a TIMESTAMP column the instant.
	tzDir := t.TempDir()
	writeDumpFiles(t, tzDir, map[string]string{
		"shop-schema-create.sql": "CREATE DATABASE shop;",
		"shop.events-schema.sql": "CREATE TABLE events (id INT PRIMARY KEY, at DATETIME(3), ts TIMESTAMP(3) NULL);",
	})
	writeParquet(t, filepath.Join(tzDir, "shop.events.parquet"), pqgo.Group{
		"at": pqgo.TimestampAdjusted(pqgo.Millisecond, true), "id": pqgo.Int(32), "ts": pqgo.TimestampAdjusted(pqgo.Millisecond, true),
	}, [][]any{{ts.UnixMilli(), int32(1), ts.UnixMilli()}})
	tzWork := t.TempDir()
	if out, err := runCLI(t, "import", "-q", "--dump", tzDir, "--work-dir", tzWork, "--time-zone", "+08:00"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if got := sortedRows(t, exportTable(t, tzWork, "shop", "events"), "id", "at", "ts"); !slices.Equal(got, []string{"1|2020-10-29 17:27:52.356|2020-10-29 09:27:52.356"}) {
		t.Errorf("time zone +08:00: %q", got)
	}

	// Files the import refuses, each named with the reason.
	good, err := os.ReadFile(filepath.Join(dir, "shop.items.000000001.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		write func(path string)
		want  []string
	}{
		{"nested", func(path string) {
			writeParquet(t, path, pqgo.Group{"id": pqgo.Int(64), "tags": pqgo.List(pqgo.String())}, [][]any{})
		}, []string{"tags", "nested"}},
		{"extra column", func(path string) {
			writeParquet(t, path, pqgo.Group{"id": pqgo.Int(64), "colour": pqgo.String()}, [][]any{{"red", int64(1)}})
		}, []string{"colour"}},
		{"cut short", func(path string) {
			if err := os.WriteFile(path, good[:len(good)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"corrupt Parquet file"}},
		{"damaged page", func(path string) {
			bad := slices.Clone(good)
			for i := 8; i < len(bad)/2; i++ {
				bad[i] ^= 0x5a
			}
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"corrupt Parquet file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := t.TempDir()
			writeDumpFiles(t, bad, map[string]string{
				"shop-schema-create.sql": "CREATE DATABASE shop;",
				"shop.items-schema.sql":  "CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(20));",
			})
			c.write(filepath.Join(bad, "shop.items.parquet"))
			out, err := runCLI(t, "import", "-q", "--dump", bad, "--work-dir", t.TempDir())
			if err == nil {
				t.Fatalf("imported:\n%s", out)
			}
			t.Log(err)
			// The text is the contract here: when the coordinator stops
			// the import from the encoder's failure event, only the text
			// crossed the topic (internal/source/parquet's tests check the
			// kinds with errors.Is).
			for _, w := range append(c.want, "shop.items.parquet") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestParquetAuroraLayout imports a dump laid out as an Aurora snapshot
// export (db/db.table/part-*.gz.parquet, gzip inside the files), routed by
// the [[mydumper.files]] rule TiDB's documentation gives for it.
func TestParquetAuroraLayout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"schema/shop-schema-create.sql":   "CREATE DATABASE shop;",
		"schema/shop.orders-schema.sql":   "CREATE TABLE orders (o_id INT PRIMARY KEY, o_note VARCHAR(20), o_total DECIMAL(12,4));",
		"schema/shop.customer-schema.sql": "CREATE TABLE customer (c_id INT PRIMARY KEY, c_name VARCHAR(20));",
	})
	for i, part := range []string{"part-00000-c3744aeb-c000.gz.parquet", "part-00001-f61f4bef-c000.gz.parquet"} {
		writeParquet(t, filepath.Join(dir, "shop", "shop.orders", part), pqgo.Group{
			"o_id": pqgo.Int(32), "o_note": pqgo.Optional(pqgo.String()), "o_total": pqgo.Decimal(4, 12, pqgo.Int64Type),
		}, [][]any{{int32(2*i + 1), "a", int64(15850)}, {int32(2*i + 2), nil, int64(-1)}}, pqgo.Compression(&gzip.Codec{}))
	}
	writeParquet(t, filepath.Join(dir, "shop", "shop.customer", "1", "part-00000-aaaa-c000.gz.parquet"), pqgo.Group{
		"c_id": pqgo.Int(32), "c_name": pqgo.String(),
	}, [][]any{{int32(20), "eLNEDIW"}}, pqgo.Compression(&gzip.Codec{}))
	work := importWithConfig(t, `
[mydumper]
data-source-dir = '`+dir+`'
default-file-rules = true
[[mydumper.files]]
pattern = '(?i)^(?:[^/]*/)*([a-z0-9_]+)\.([a-z0-9_]+)/(?:[^/]*/)*(?:[a-z0-9\-_.]+\.(parquet))$'
schema = '$1'
table = '$2'
type = '$3'
`)
	if got, want := sortedRows(t, exportTable(t, work, "shop", "orders"), "o_id", "o_note", "o_total"),
		[]string{"1|a|1.5850", "2|\\N|-0.0001", "3|a|1.5850", "4|\\N|-0.0001"}; !slices.Equal(got, want) {
		t.Errorf("shop.orders rows %q, want %q", got, want)
	}
	if got := sortedRows(t, exportTable(t, work, "shop", "customer"), "c_id", "c_name"); !slices.Equal(got, []string{"20|eLNEDIW"}) {
		t.Errorf("shop.customer rows %q", got)
	}
}
