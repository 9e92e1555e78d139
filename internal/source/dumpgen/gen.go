// Package dumpgen writes deterministic dumps in dumpling's layout (schema
// files, multi-row INSERT or CSV data files, optional gzip/zstd, a metadata
// file) for benchmarks and large tests. The same Config produces
// byte-identical files.
package dumpgen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Compression is how the generated files are compressed.
type Compression uint8

// The compressions the generator writes.
const (
	CompressNone Compression = iota
	CompressGzip
	CompressZstd
)

func (c Compression) String() string {
	switch c {
	case CompressGzip:
		return "gzip"
	case CompressZstd:
		return "zstd"
	}
	return "none"
}

// suffix is what dumpling adds to a compressed file's name.
func (c Compression) suffix() string {
	switch c {
	case CompressGzip:
		return ".gz"
	case CompressZstd:
		return ".zst"
	}
	return ""
}

// ParseFormat reads "sql", "csv" or "parquet".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "sql", "":
		return FormatSQL, nil
	case "csv":
		return FormatCSV, nil
	case "parquet":
		return FormatParquet, nil
	}
	return 0, fmt.Errorf("%w: format %q (want sql, csv or parquet)", ErrConfig, s)
}

// ParseCompression reads "none", "gzip" (or "gz") or "zstd" (or "zst").
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "none", "":
		return CompressNone, nil
	case "gzip", "gz":
		return CompressGzip, nil
	case "zstd", "zst":
		return CompressZstd, nil
	}
	return 0, fmt.Errorf("%w: compression %q (want none, gzip or zstd)", ErrConfig, s)
}

// ErrConfig is returned for a Config that cannot be generated.
var ErrConfig = errors.New("invalid generator config")

// Defaults of Config.
const (
	DefaultFileSize = 256 << 20
	DefaultDB       = "gen"
	DefaultTable    = "sbtest"
)

// Config says what to generate.
type Config struct {
	// Dir is the output directory; it is created if missing. Existing
	// files of the same names are overwritten.
	Dir string
	// Size is the total size of the data files in bytes before
	// compression, split between the tables in proportion to their
	// weights (evenly when none is given).
	Size int64
	// Tables are the tables to write (see TableNames; "tpch" stands for
	// lineitem, orders and partsupp, "tpch-sf1" for the same in a TPC-H
	// dump's proportions); default sbtest. An entry "name:weight" gives
	// the table a share of Size of weight over the sum of weights (1 for
	// a name alone).
	Tables []string
	// Seed selects the random rows; the same seed gives the same files.
	Seed uint64
	// Format of the data files (default SQL).
	Format Format
	// Compress compresses every file but metadata (default none); for
	// Parquet it is the codec inside the data files (default Snappy).
	Compress Compression
	// FileSize bounds one data file in bytes before compression (default
	// 256 MiB); a file holds at least one row.
	FileSize int64
	// DB is the database name (default "gen").
	DB string
	// RowGroupSize is the size in bytes (counted as CSV text) of the rows
	// of one Parquet row group (default 16 MiB).
	RowGroupSize int64
	// StatementSize is the size in bytes after which an INSERT statement
	// is closed (default 1000000, dumpling's --statement-size).
	StatementSize int64

	sizes []int64 // each table's share of Size, set by adjust
}

func (c *Config) adjust() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: output directory is empty", ErrConfig)
	}
	if c.Size <= 0 {
		return fmt.Errorf("%w: size %d must be positive", ErrConfig, c.Size)
	}
	if len(c.Tables) == 0 {
		c.Tables = []string{DefaultTable}
	}
	c.Tables = expandTables(c.Tables)
	seen := map[string]bool{}
	weights := make([]float64, len(c.Tables))
	for i, entry := range c.Tables {
		t, w, err := splitWeight(entry)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if _, err := lookupTable(t); err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if seen[t] {
			return fmt.Errorf("%w: table %q listed twice", ErrConfig, t)
		}
		seen[t] = true
		c.Tables[i], weights[i] = t, w
	}
	c.sizes = shares(c.Size, weights)
	for i, n := range c.sizes {
		if n == 0 {
			return fmt.Errorf("%w: table %q gets 0 of the %d bytes: raise the size or its weight", ErrConfig, c.Tables[i], c.Size)
		}
	}
	if c.FileSize == 0 {
		c.FileSize = DefaultFileSize
	}
	if c.FileSize < 0 {
		return fmt.Errorf("%w: file size %d must be positive", ErrConfig, c.FileSize)
	}
	if c.RowGroupSize <= 0 {
		c.RowGroupSize = defaultRowGroupSize
	}
	if c.StatementSize == 0 {
		c.StatementSize = statementLimit
	}
	if c.DB == "" {
		c.DB = DefaultDB
	}
	if strings.ContainsAny(c.DB, "`./\\\x00") {
		return fmt.Errorf("%w: database name %q has a character a dump file name cannot hold", ErrConfig, c.DB)
	}
	if c.Format > FormatParquet {
		return fmt.Errorf("%w: format %d", ErrConfig, c.Format)
	}
	if c.Compress > CompressZstd {
		return fmt.Errorf("%w: compression %d", ErrConfig, c.Compress)
	}
	return nil
}

// TableResult is what was written for one table.
type TableResult struct {
	Name string
	Rows int64
	// Bytes is the size of the data files before compression.
	Bytes int64
	// DiskBytes is the size of the data files as written.
	DiskBytes int64
	Files     int
}

// Result is what Run wrote.
type Result struct {
	Tables []TableResult
	// Rows, Bytes and DiskBytes sum the tables'.
	Rows      int64
	Bytes     int64
	DiskBytes int64
}

// Run writes the dump described by cfg. Tables are generated concurrently,
// each from its own random stream, so the output does not depend on
// scheduling.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.adjust(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	if err := writeWhole(filepath.Join(cfg.Dir, cfg.DB+"-schema-create.sql"), cfg.Compress,
		setNames+"CREATE DATABASE `"+cfg.DB+"` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n"); err != nil {
		return nil, err
	}
	res := &Result{Tables: make([]TableResult, len(cfg.Tables))}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range cfg.Tables {
		def, _ := lookupTable(name)
		share := cfg.sizes[i]
		if err := writeWhole(filepath.Join(cfg.Dir, cfg.DB+"."+def.name+"-schema.sql"), cfg.Compress,
			setNames+def.create); err != nil {
			return nil, err
		}
		g.Go(func() error {
			write := writeTable
			if cfg.Format == FormatParquet {
				write = writeParquetTable
			}
			tr, err := write(gctx, &cfg, def, share, tableSeed(cfg.Seed, def.name))
			res.Tables[i] = tr
			if err != nil {
				return fmt.Errorf("generate table %s: %w", def.name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, t := range res.Tables {
		res.Rows += t.Rows
		res.Bytes += t.Bytes
		res.DiskBytes += t.DiskBytes
	}
	// Dumpling never compresses metadata (export/metadata.go). The times
	// are fixed so the file is the same on every run.
	meta := "Started dump at: 2024-01-01 00:00:00\n" +
		"SHOW MASTER STATUS:\n\tLog: tidb-binlog\n\tPos: 446781925806080001\n\tGTID:\n\n" +
		"Finished dump at: 2024-01-01 00:00:01\n"
	if err := writeWhole(filepath.Join(cfg.Dir, "metadata"), CompressNone, meta); err != nil {
		return nil, err
	}
	return res, nil
}

// tableSeed derives a table's PCG seed from the seed and the table's name
// (FNV-1a), so tables draw independent streams and a table's rows do not
// depend on which other tables are generated.
func tableSeed(seed uint64, name string) [2]uint64 {
	h := uint64(14695981039346656037)
	for j := 0; j < len(name); j++ {
		h ^= uint64(name[j])
		h *= 1099511628211
	}
	return [2]uint64{seed, h}
}
