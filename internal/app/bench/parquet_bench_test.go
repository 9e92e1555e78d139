package bench

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// BenchmarkParseEncode reads and encodes the same generated rows written as
// CSV and as Parquet, on one goroutine: parse + convert + encode, as an
// encoder does per chunk. MB/s counts the rows' CSV text for both formats
// (the same data); rows/s is reported too. LIGHTSTREAM_BENCH_SIZE sets the
// data size in bytes (default 64 MiB), LIGHTSTREAM_BENCH_TABLES the tables
// (default tpch):
//
//	LIGHTSTREAM_BENCH_SIZE=268435456 go test -run '^$' -bench ParseEncode -benchtime 1x ./internal/app/bench/
func BenchmarkParseEncode(b *testing.B) {
	size := int64(64 << 20)
	if s := os.Getenv("LIGHTSTREAM_BENCH_SIZE"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	tables := []string{"tpch"}
	if s := os.Getenv("LIGHTSTREAM_BENCH_TABLES"); s != "" {
		tables = filepath.SplitList(s)
	}
	for _, format := range []dumpgen.Format{dumpgen.FormatCSV, dumpgen.FormatParquet} {
		b.Run(format.String(), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "dump")
			g, err := dumpgen.Run(context.Background(), dumpgen.Config{Dir: dir, Size: size, Tables: tables, Format: format, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			csv := rowparse.DefaultCSVOptions()
			csv.Header = true
			p, err := makePlan(context.Background(), &Config{Dump: dir, ChunkSize: dump.DefaultChunkSize, KVPartitions: 8, CSV: csv,
				SQLMode: sqlmode.DefaultText, TimeZone: "+00:00"}, "bench", planBrokers)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(g.Bytes)
			b.ResetTimer()
			var rows int64
			for range b.N {
				for _, c := range p.chunks {
					n, err := parseEncode(p, c)
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(g.DiskBytes)/float64(g.Bytes), "disk/text")
		})
	}
}

// parseEncode reads and encodes every row of a chunk.
func parseEncode(p *plan, c chunkRef) (int64, error) {
	rows, err := p.openRows(c)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	sess, err := rowcodec.Session(c.t.schema.SqlMode, c.t.schema.TimeZone, "", time.Unix(0, c.t.schema.TimestampUnixNano).UTC())
	if err != nil {
		return 0, err
	}
	rc, err := rowcodec.NewRowCoder(c.t.model, sess, rowcodec.Options{})
	if err != nil {
		return 0, err
	}
	var pairs kvenc.Pairs
	var n int64
	for {
		fields, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		pairs.Reset()
		if err := rc.Encode(rows.Columns(), fields, c.ch.RowIdBase+n, &pairs); err != nil {
			return n, err
		}
	}
}
