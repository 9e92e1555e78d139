// Package producer is the producer stage: it discovers a mydumper/dumpling
// dump, cuts every table's data files into chunks that start at row
// boundaries, creates the import's topics, and publishes one manifest per
// table (its chunks, its schema text) and then one message per chunk.
//
// Publishing is idempotent: the same dump always gives the same chunks
// with the same ids, so a producer restarted half-way publishes them again
// and the consumers count each chunk once.
package producer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Config of the producer.
type Config struct {
	// ImportID names the import's topics; required to publish (MakePlan
	// leaves the KV topics unnamed without it: Plan.SetImportID).
	ImportID string
	// Dump is the dump's location: a directory, or s3://bucket/prefix
	// with Lightning's URL options (storage.Open). It may carry
	// credentials: what the producer records or prints of it is
	// storage.Redact'ed.
	Dump string
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Filter rules in Lightning's table-filter syntax (default all).
	Filter []string
	// Routes map source tables onto target tables (Lightning's
	// [[routes]]); the filter selects by source names.
	Routes []dump.Route
	// Source holds Lightning's [mydumper] file rules, case sensitivity,
	// [black-white-list] and character sets (zero: default naming, files
	// read as bytes).
	Source dump.Source
	// ChunkSize in bytes of source data (default dump.DefaultChunkSize).
	ChunkSize int64
	// KVPartitions is the most partitions a table's KV topic gets (default
	// 8): a table gets one partition per PartitionBytes of source data, at
	// least one and at most KVPartitions, so that small tables do not pay
	// for engines and ingests they do not need.
	KVPartitions int
	// PartitionBytes of source data per KV partition (default 64 MiB).
	PartitionBytes int64
	// ChunkPartitions of the chunks topic: the most encoders that can
	// work at once (default 16).
	ChunkPartitions int
	// CSV options of the dump's CSV files (default dumpling's dialect).
	CSV rowparse.CSVOptions
	// NoBackslashEscapes: the dump was written in that SQL mode.
	NoBackslashEscapes bool
	// Retention of the import's topics in ms (default -1: kept, so that a
	// table can be replayed without re-encoding).
	RetentionMS int64
	// Logger receives the producer's log (nil: slog.Default()): the files
	// not imported and schema files that name another table, as warnings.
	Logger *slog.Logger
}

// ErrNoTables: the dump holds no table that could be imported (no schema
// file and no data file in the dumpling/mydumper layout).
var ErrNoTables = errors.New("no tables to import")

func (c *Config) validate() error {
	if c.Dump == "" {
		return errors.New("producer: no dump directory")
	}
	if !storage.IsRemote(c.Dump) {
		if st, err := os.Stat(c.Dump); err != nil {
			return fmt.Errorf("dump directory: %w", err)
		} else if !st.IsDir() {
			return fmt.Errorf("dump directory %s is not a directory", c.Dump)
		}
	}
	if c.ChunkSize <= 0 {
		c.ChunkSize = dump.DefaultChunkSize
	}
	if c.KVPartitions <= 0 {
		c.KVPartitions = 8
	}
	if c.PartitionBytes <= 0 {
		c.PartitionBytes = 64 << 20
	}
	if c.ChunkPartitions <= 0 {
		c.ChunkPartitions = 16
	}
	if c.CSV.Separator == "" {
		// Lightning's [mydumper.csv] defaults: header = true.
		c.CSV = rowparse.DefaultCSVOptions()
		c.CSV.Header = true
	}
	if c.RetentionMS == 0 {
		c.RetentionMS = -1
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("role", "producer")
	return nil
}

// Result says what was published.
type Result struct {
	Tables      int
	Chunks      int
	SourceBytes int64
}

// Plan is a discovered, chunked dump: what the producer publishes.
type Plan struct {
	Dump      *dump.Dump
	Manifests []*lsv1.TableManifest
	Chunks    [][]*lsv1.Chunk // per manifest
}

// MakePlan discovers the dump and cuts it into chunks.
func MakePlan(cfg Config) (*Plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	filter, err := cfg.Source.Filter(cfg.Filter)
	if err != nil {
		return nil, err
	}
	router, err := dump.NewRouterCase(cfg.Routes, cfg.Source.CaseSensitive)
	if err != nil {
		return nil, err
	}
	// Planning has no context of its own: a listing or read that hangs is
	// ended by the storage's retries giving up.
	st, err := storage.Open(context.Background(), cfg.Dump)
	if err != nil {
		return nil, err
	}
	d, err := dump.ScanStorage(st, filter, router, cfg.Source)
	if err != nil {
		return nil, err
	}
	shown := storage.Redact(cfg.Dump)
	for _, w := range d.Warnings {
		cfg.Logger.Warn(w, "dump", shown)
	}
	if len(d.Tables) == 0 {
		// Nothing would ever complete the import: say why instead.
		if !cfg.Source.BWList.Empty() {
			return nil, fmt.Errorf("dump %s: the black-white-list matches none of its tables", shown)
		}
		if len(cfg.Filter) > 0 {
			return nil, fmt.Errorf("dump %s: the filter %q matches none of its tables", shown, strings.Join(cfg.Filter, ","))
		}
		return nil, fmt.Errorf("dump %s: %w: no {db}.{table}-schema.sql and no {db}.{table}.NNN.sql or .csv data file (dumpling/mydumper layout); %d file(s) not imported, named in the warnings", shown, ErrNoTables, len(d.Warnings))
	}
	dbSchemas := map[string]string{}
	for _, db := range d.Databases {
		if db.SchemaFile == "" {
			continue
		}
		b, err := dump.ReadSchemaFileIn(st, db.SchemaFile, cfg.Source.CharacterSet)
		if err != nil {
			return nil, err
		}
		// Read leniently, as Lightning does (it needs only the name).
		text, err := tablemodel.DatabaseSchemaSQL(db.Name, string(b))
		if err != nil {
			return nil, fmt.Errorf("schema file %s of database %s: %w", db.SchemaFile, db.Name, err)
		}
		dbSchemas[checkpoint.Key(db.Name, "")] = text
	}
	views, err := viewDefinitions(cfg, st, d.Views)
	if err != nil {
		return nil, err
	}
	p := &Plan{Dump: d}
	// The manifests and chunk options of every table first, then their
	// files cut all at once (scanning is most of planning a large dump).
	mfs := make([]*lsv1.TableManifest, len(d.Tables))
	chunkOpts := make([]dump.ChunkOptions, len(d.Tables))
	for i, t := range d.Tables {
		mf := &lsv1.TableManifest{
			Version: 1, Db: t.DB, Table: t.Name,
			DbSchemaSql: dbSchemas[checkpoint.Key(t.DB, "")],
			TableCount:  uint32(len(d.Tables)), TableOrdinal: uint32(i),
		}
		if i == 0 {
			mf.Views = views
		}
		columns := 0
		if t.SchemaFile != "" {
			b, err := dump.ReadSchemaFileIn(st, t.SchemaFile, cfg.Source.CharacterSet)
			if err != nil {
				return nil, err
			}
			if err := checkSchemaFile(cfg.Logger, t.SchemaFile, b, t.Name, len(t.Sources) > 0); err != nil {
				return nil, err
			}
			mf.SchemaSql = string(b)
			if len(t.Sources) > 0 {
				// Routed: the definition creates the target table.
				if mf.SchemaSql, err = tablemodel.RenameCreateTable(mf.SchemaSql, t.Name); err != nil {
					return nil, fmt.Errorf("%s: %w", t.SchemaFile, err)
				}
			}
			if names, err := dump.ColumnNames(b); err == nil {
				columns = len(names)
			}
		} else if len(t.DataFiles) > 0 {
			return nil, fmt.Errorf("table %s.%s has data files but no schema file %s.%s-schema.sql", t.DB, t.Name, t.DB, t.Name)
		}
		mfs[i] = mf
		chunkOpts[i] = dump.ChunkOptions{ChunkSize: cfg.ChunkSize, Columns: columns, CSV: cfg.CSV, NoBackslashEscapes: cfg.NoBackslashEscapes,
			DataCharset: cfg.Source.DataCharacterSet, InvalidCharReplace: cfg.Source.DataInvalidCharReplace, Storage: st}
	}
	allChunks, err := dump.MakeTablesChunks(d.Tables, chunkOpts, runtime.GOMAXPROCS(0))
	if te := (*dump.TableChunksError)(nil); errors.As(err, &te) {
		return nil, fmt.Errorf("chunk %s.%s: %w", te.Table.DB, te.Table.Name, err)
	} else if err != nil {
		return nil, err
	}
	for i, mf := range mfs {
		chunks := allChunks[i]
		msgs := make([]*lsv1.Chunk, len(chunks))
		for j := range chunks {
			m, err := chunkMessage(cfg, st, &chunks[j], j, len(chunks))
			if err != nil {
				return nil, err
			}
			msgs[j] = m
			mf.ChunkIds = append(mf.ChunkIds, m.Id)
			mf.ChunkBytes = append(mf.ChunkBytes, m.SourceBytes)
			mf.ChunkFiles = append(mf.ChunkFiles, m.File)
			m.TableOffset = mf.SourceBytes
			mf.SourceBytes += m.SourceBytes
		}
		// Each chunk's place on the table's byte line: its record pairs
		// are spread over the KV partitions along it (schemas.RecordSplit).
		for _, m := range msgs {
			m.TableBytes = mf.SourceBytes
		}
		mf.KvPartitions = uint32(kvPartitions(mf.SourceBytes, cfg.PartitionBytes, cfg.KVPartitions))
		mf.PartitionPlan = partitionPlan(cfg.Logger, st, mf, msgs)
		p.Manifests = append(p.Manifests, mf)
		p.Chunks = append(p.Chunks, msgs)
	}
	p.stampDump(shown)
	if cfg.ImportID != "" {
		p.SetImportID(cfg.ImportID)
	}
	return p, nil
}

// kvPartitions is a table's KV partition count for its source size.
func kvPartitions(size, per int64, max int) int {
	n := int((size + per - 1) / per)
	if n < 1 {
		n = 1
	}
	if n > max {
		n = max
	}
	return n
}

// chunkMessage is a chunk's message. Its file is named relative to the
// dump's root (the object key under the prefix, for S3), which every
// encoder joins to its own --dump.
func chunkMessage(cfg Config, st storage.Storage, c *dump.Chunk, ordinal, total int) (*lsv1.Chunk, error) {
	rel, err := st.Rel(c.File)
	if err != nil {
		return nil, fmt.Errorf("chunk %s: %w", c.ID, err)
	}
	m := &lsv1.Chunk{
		Version: 1, Id: c.ID, Db: c.DB, Table: c.Table,
		Ordinal: uint32(ordinal), TotalChunks: uint32(total),
		File: rel, StartOffset: c.Start, EndOffset: c.End,
		RowIdBase: c.RowIDBase, RowIdMax: c.RowIDMax,
		Columns: c.Columns, SqlHeader: c.Header, CutAfterTuple: c.CutAfterTuple, HasHeader: c.HasHeader,
		Names: c.Names, TimeZone: c.TimeZone, NoBackslashEscapes: cfg.NoBackslashEscapes,
		SourceBytes: c.End - c.Start,
	}
	if c.DataCharset != dump.CharsetBinary {
		m.DataCharacterSet, m.DataInvalidCharReplace = c.DataCharset.String(), c.InvalidCharReplace
	}
	// Names the chunk carries (an INSERT's column list, a CSV header) go
	// into string fields, which must be UTF-8: a file in another character
	// set needs it said.
	for _, s := range append([]string{m.SqlHeader, m.Names, m.File}, m.Columns...) {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%s: names in the file (%q) are not UTF-8: give its character set with [mydumper] data-character-set (--data-character-set)", c.File, s)
		}
	}
	switch c.Format {
	case dump.FormatSQL:
		m.Format = lsv1.Format_FORMAT_SQL
	case dump.FormatCSV:
		m.Format = lsv1.Format_FORMAT_CSV
		m.Csv = CSVToProto(cfg.CSV)
	case dump.FormatParquet:
		m.Format = lsv1.Format_FORMAT_PARQUET
		m.ParquetFirstRowGroup, m.ParquetRowGroups, m.FileSize = uint32(c.FirstRowGroup), uint32(c.RowGroups), c.FileSize
	}
	switch c.Compression {
	case dump.CompressionGzip:
		m.Compression = lsv1.Compression_COMPRESSION_GZIP
	case dump.CompressionZstd:
		m.Compression = lsv1.Compression_COMPRESSION_ZSTD
	case dump.CompressionSnappy:
		m.Compression = lsv1.Compression_COMPRESSION_SNAPPY
	}
	if c.Compression != dump.CompressionNone {
		// A compressed file is one chunk; its source bytes are the
		// decompressed size the chunker measured.
		m.EndOffset = c.End
	}
	return m, nil
}

// CSVToProto converts reader options to their message form.
func CSVToProto(o rowparse.CSVOptions) *lsv1.CSVOptions {
	return &lsv1.CSVOptions{
		Separator: o.Separator, Delimiter: o.Delimiter, Terminator: o.Terminator, Header: o.Header,
		NotNull: o.NotNull, Null: o.Null, BackslashEscape: o.BackslashEscape, TrimLastSeparator: o.TrimLastSeparator,
	}
}

// Topics returns the import's topics as the producer creates them.
func Topics(cfg Config, p *Plan) []kafkaio.TopicSpec {
	retention := map[string]string{"retention.ms": fmt.Sprint(cfg.RetentionMS)}
	specs := []kafkaio.TopicSpec{
		{Name: schemas.Topic(cfg.ImportID, schemas.ChunksSuffix), Partitions: cfg.ChunkPartitions, Configs: retention},
		{Name: schemas.Topic(cfg.ImportID, schemas.ManifestsSuffix), Partitions: 1, Configs: retention},
		{Name: schemas.Topic(cfg.ImportID, schemas.SchemasSuffix), Partitions: 1, Configs: retention},
		{Name: schemas.Topic(cfg.ImportID, schemas.EventsSuffix), Partitions: 1, Configs: retention},
		{Name: schemas.Topic(cfg.ImportID, schemas.ConflictsSuffix), Partitions: 1, Configs: retention},
	}
	for _, mf := range p.Manifests {
		specs = append(specs, kafkaio.TopicSpec{Name: mf.KvTopic, Partitions: int(mf.KvPartitions), Configs: retention})
	}
	return specs
}

// Run creates the import's manifests topic (so that members started
// alongside know the import exists while the dump is planned), discovers
// the dump, creates the other topics and publishes manifests, then chunks:
// MakePlan, then Publish.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.validateRun(); err != nil {
		return nil, err
	}
	if err := claimImport(ctx, cfg, importid.Dump{}); err != nil {
		return nil, err
	}
	p, err := MakePlan(cfg)
	if err != nil {
		return nil, err
	}
	return Publish(ctx, cfg, p)
}

// validateRun checks what publishing needs beyond a plan: an import id
// and a Kafka configuration.
func (c *Config) validateRun() error {
	if err := c.validate(); err != nil {
		return err
	}
	if err := importid.Require("producer", c.ImportID); err != nil {
		return err
	}
	return c.Kafka.Validate()
}

// Publish creates the topics of plan p (made by MakePlan from the same
// cfg) and publishes its manifests, then its chunks.
func Publish(ctx context.Context, cfg Config, p *Plan) (*Result, error) {
	if err := cfg.validateRun(); err != nil {
		return nil, err
	}
	p.SetImportID(cfg.ImportID)
	if err := claimImport(ctx, cfg, p.Identity()); err != nil {
		return nil, err
	}
	if err := kafkaio.EnsureTopics(ctx, cfg.Kafka, Topics(cfg, p)); err != nil {
		return nil, fmt.Errorf("create topics: %w", err)
	}
	w, err := topiclog.NewWriter(cfg.Kafka)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	res := &Result{Tables: len(p.Manifests)}
	manifests := schemas.Topic(cfg.ImportID, schemas.ManifestsSuffix)
	for _, mf := range p.Manifests {
		if err := w.Append(ctx, manifests, checkpoint.Key(mf.Db, mf.Table), mf); err != nil {
			return nil, fmt.Errorf("publish manifest of %s.%s: %w", mf.Db, mf.Table, err)
		}
		res.SourceBytes += mf.SourceBytes
	}
	// Chunks are spread over the chunks topic's partitions round-robin in
	// table order, so that the encoder group works on all tables at once.
	chunksTopic := schemas.Topic(cfg.ImportID, schemas.ChunksSuffix)
	var batch []kafkaio.Message
	var batchBytes int64
	publish := func() error {
		if err := w.AppendRaw(ctx, batch...); err != nil {
			return fmt.Errorf("publish chunks: %w", err)
		}
		metrics.ChunksPublished.Add(float64(len(batch)))
		metrics.SourceBytesPublished.Add(float64(batchBytes))
		batch, batchBytes = batch[:0], 0
		return nil
	}
	n := 0
	for _, chunks := range p.Chunks {
		for _, c := range chunks {
			b, err := proto.Marshal(c)
			if err != nil {
				return nil, err
			}
			batch = append(batch, kafkaio.Message{Topic: chunksTopic, Partition: n % cfg.ChunkPartitions, Key: []byte(c.Id), Value: b})
			batchBytes += c.SourceBytes
			n++
			if len(batch) == 256 {
				if err := publish(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := publish(); err != nil {
		return nil, err
	}
	res.Chunks = n
	return res, nil
}
