package dumpgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// defaultRowGroupSize is the CSV-text size of the rows of one Parquet row
// group: a few row groups per chunk, so the encoders split a file.
const defaultRowGroupSize = 16 << 20

// pqKind is how a generated column is typed in Parquet, from its SQL type
// in the CREATE TABLE, as a Spark or DuckDB export types it.
type pqKind uint8

const (
	pqString   pqKind = iota // STRING (char, varchar, text, ...)
	pqBinary                 // plain BYTE_ARRAY (binary, varbinary, blob)
	pqInt                    // INT64
	pqUint                   // INT64 read as unsigned
	pqDecimal                // DECIMAL(p, s) on INT64 (p <= 18)
	pqDouble                 // DOUBLE
	pqDate                   // DATE
	pqDatetime               // TIMESTAMP(MICROS, local)
)

type pqColumn struct {
	kind  pqKind
	scale int
	// int32: a DECIMAL of precision <= 9 is on INT32, as the format asks.
	int32 bool
}

var createColumn = regexp.MustCompile("(?m)^\\s*`([^`]+)` (\\w+)(?:\\((\\d+)(?:,(\\d+))?\\))?( unsigned)?")

// parquetColumns types def's columns from its CREATE TABLE.
func parquetColumns(def *tableDef) ([]pqColumn, pqgo.Group) {
	types := map[string][]string{}
	for _, m := range createColumn.FindAllStringSubmatch(def.create, -1) {
		types[strings.ToLower(m[1])] = m[2:]
	}
	cols := make([]pqColumn, len(def.columns))
	group := pqgo.Group{}
	for i, name := range def.columns {
		m := types[strings.ToLower(name)]
		var node pqgo.Node = pqgo.String()
		if m != nil {
			switch strings.ToLower(m[0]) {
			case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
				cols[i].kind, node = pqInt, pqgo.Int(64)
				if m[3] != "" {
					cols[i].kind, node = pqUint, pqgo.Uint(64)
				}
			case "decimal", "numeric":
				p, _ := strconv.Atoi(m[1])
				s, _ := strconv.Atoi(m[2])
				if p > 0 && p <= 18 {
					cols[i] = pqColumn{kind: pqDecimal, scale: s, int32: p <= 9}
					node = pqgo.Decimal(s, p, pqgo.Int64Type)
					if p <= 9 {
						node = pqgo.Decimal(s, p, pqgo.Int32Type)
					}
				}
			case "float", "double", "real":
				cols[i].kind, node = pqDouble, pqgo.Leaf(pqgo.DoubleType)
			case "date":
				cols[i].kind, node = pqDate, pqgo.Date()
			case "datetime", "timestamp":
				cols[i].kind, node = pqDatetime, pqgo.TimestampAdjusted(pqgo.Microsecond, false)
			case "binary", "varbinary", "blob", "tinyblob", "mediumblob", "longblob":
				cols[i].kind, node = pqBinary, pqgo.Leaf(pqgo.ByteArrayType)
			}
		}
		group[name] = pqgo.Optional(node)
	}
	return cols, group
}

// parquetValue converts a generated value's text to its Parquet value.
func parquetValue(c pqColumn, kind valueKind, b []byte, arena *[]byte) (pqgo.Value, error) {
	if kind == kindNull {
		return pqgo.NullValue(), nil
	}
	s := string(b)
	switch c.kind {
	case pqInt:
		n, err := strconv.ParseInt(s, 10, 64)
		return pqgo.Int64Value(n), err
	case pqUint:
		n, err := strconv.ParseUint(s, 10, 64)
		return pqgo.Int64Value(int64(n)), err
	case pqDecimal:
		whole, frac, _ := strings.Cut(s, ".")
		if len(frac) > c.scale {
			return pqgo.Value{}, fmt.Errorf("decimal %q has more than %d fraction digits", s, c.scale)
		}
		n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", c.scale-len(frac)), 10, 64)
		if c.int32 {
			return pqgo.Int32Value(int32(n)), err
		}
		return pqgo.Int64Value(n), err
	case pqDouble:
		f, err := strconv.ParseFloat(s, 64)
		return pqgo.DoubleValue(f), err
	case pqDate:
		t, err := time.Parse(time.DateOnly, s)
		return pqgo.Int32Value(int32(t.Unix() / 86400)), err
	case pqDatetime:
		t, err := time.Parse("2006-01-02 15:04:05.999999", s)
		return pqgo.Int64Value(t.UnixMicro()), err
	}
	// The writer copies the bytes when the batch is written; until then
	// they live in the batch's arena (r.buf is reused row to row).
	start := len(*arena)
	*arena = append(*arena, b...)
	return pqgo.ByteArrayValue((*arena)[start:len(*arena):len(*arena)]), nil
}

// codec is the compression inside the Parquet files: Snappy (Spark's
// default) unless gzip or zstd was asked for.
func (c Compression) codec() compress.Codec {
	switch c {
	case CompressGzip:
		return &gzip.Codec{}
	case CompressZstd:
		return &zstd.Codec{}
	}
	return &snappy.Codec{}
}

// writeParquetTable writes def's rows as Parquet files. Sizes count the
// rows as dumpling's CSV would write them, so a Parquet dump holds the
// same rows as a CSV dump of the same size and seed.
func writeParquetTable(ctx context.Context, cfg *Config, def *tableDef, share int64, seed [2]uint64) (TableResult, error) {
	res := TableResult{Name: def.name}
	cols, group := parquetColumns(def)
	schema := pqgo.NewSchema(def.name, group)
	// order[k] is the generated value of schema field k.
	fields := schema.Fields()
	order := make([]int, len(fields))
	for k, f := range fields {
		for i, name := range def.columns {
			if name == f.Name() {
				order[k] = i
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed[0], seed[1]))
	src := def.newSource(rng, max(share/def.avgRow, 1))
	var (
		r               row
		line, arena     []byte
		batch           []pqgo.Row
		f               *os.File
		w               *pqgo.Writer
		inFile, inGroup int64
		index           int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := w.WriteRows(batch)
		batch, arena = batch[:0], arena[:0]
		return err
	}
	closeFile := func() error {
		if f == nil {
			return nil
		}
		err := flush()
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if st, serr := f.Stat(); serr == nil {
			res.DiskBytes += st.Size()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f = nil
		return err
	}
	fail := func(err error) (TableResult, error) {
		if f != nil {
			f.Close()
		}
		return res, err
	}
	header := int64(len(csvHeader(def.columns)))
	for {
		if res.Rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
		}
		r.reset()
		src.next(&r)
		line = appendCSVRecord(line[:0], &r)
		need := int64(len(line)) + int64(len(csvTerminator))
		rotate := f != nil && inFile+need > cfg.FileSize
		if f == nil || rotate {
			need += header
		}
		if res.Bytes+need > share {
			break
		}
		if rotate {
			if err := closeFile(); err != nil {
				return fail(err)
			}
		}
		if f == nil {
			name := fmt.Sprintf("%s.%s.%09d.parquet", cfg.DB, def.name, index)
			var err error
			if f, err = os.Create(filepath.Join(cfg.Dir, name)); err != nil {
				return fail(fmt.Errorf("create %s: %w", name, err))
			}
			w = pqgo.NewWriter(f, schema, pqgo.Compression(cfg.Compress.codec()), pqgo.CreatedBy("lightstream gen", "1", ""))
			index, inFile, inGroup = index+1, 0, 0
			res.Files++
		}
		pr := make(pqgo.Row, len(fields))
		for k := range fields {
			i := order[k]
			v, err := parquetValue(cols[i], r.vals[i].kind, r.value(i), &arena)
			if err != nil {
				return fail(fmt.Errorf("column %s: %w", def.columns[i], err))
			}
			lvl := 1
			if v.IsNull() {
				lvl = 0
			}
			pr[k] = v.Level(0, lvl, k)
		}
		batch = append(batch, pr)
		if len(batch) == 1024 {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
		inFile += need
		inGroup += need
		res.Rows++
		res.Bytes += need
		if inGroup >= cfg.RowGroupSize {
			if err := flush(); err != nil {
				return fail(err)
			}
			if err := w.Flush(); err != nil {
				return fail(err)
			}
			inGroup = 0
		}
	}
	if err := closeFile(); err != nil {
		return res, err
	}
	return res, nil
}
