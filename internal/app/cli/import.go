package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

func init() {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "dump", Usage: "the mydumper/dumpling dump: a directory or s3://bucket/prefix?region=..&endpoint=.. (required, unless --config names it)"},
		&cli.StringFlag{Name: "config", Usage: "a TiDB Lightning configuration file (tidb-lightning.toml): its keys stand for the flags of the same meaning (flags given win, for every key; --no-tidb keeps its [tidb] from choosing the catalog), [[mydumper.files]] and [black-white-list] apply as in Lightning; a key Lightning does not know is an error, known keys with no effect here are listed with why (README: Coming from TiDB Lightning)"},
		&cli.StringFlag{Name: "work-dir", Value: "lightstream-work", Usage: "keeps broker data, store, engines and checkpoints; rerun with the same one to resume"},
		&cli.IntFlag{Name: "encoders", Value: 2, Usage: "encoder group members to run in this process (0: none, encoders run elsewhere against --brokers)"},
		&cli.IntFlag{Name: "sorters", Value: 2, Usage: "sorter group members to run in this process (0: none, sorters run elsewhere against --brokers)"},
		&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "table filter rule in Lightning syntax (repeatable), e.g. -f 'db.*' -f '!db.tmp*'"},
		&cli.StringSliceFlag{Name: "route", Usage: "import source tables under another name (Lightning's [[routes]], repeatable): 'shard_*.orders_*=shop.orders' merges every orders_N of every shard_N into shop.orders; 'src=dst' renames a database"},
		&cli.StringFlag{Name: "chunk-size", Value: "64MiB", Usage: "source bytes per chunk"},
		&cli.IntFlag{Name: "kv-partitions", Value: 8, Usage: "most partitions of a table's KV topic (one per --partition-size of source data)"},
		&cli.StringFlag{Name: "partition-size", Value: "64MiB", Usage: "source bytes per KV topic partition"},
		&cli.StringFlag{Name: "sql-mode", Value: sqlmode.DefaultText, Usage: "SQL mode values are converted with"},
		&cli.StringFlag{Name: "time-zone", Value: "+00:00", Usage: "time zone of TIMESTAMP values (the dump's SET TIME_ZONE wins)"},
		&cli.IntFlag{Name: "max-error", Usage: "record up to N bad rows in <work-dir>/rejects.jsonl and go on"},
		&cli.StringFlag{Name: "summary", Usage: "write a JSON summary to this file"},
		&cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus metrics on this host:port"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress display"},
		&cli.IntFlag{Name: "ingest-concurrency", Value: 4, Usage: "ingest batches (transactions or region writes) in flight per partition (the embedded store takes one partition and one batch at a time)"},
		kvCompressionFlag,
		&cli.StringFlag{Name: "memory-limit", Value: "1536MiB", Usage: "soft limit of the Go heap (GOMEMLIMIT); the garbage collector works harder near it (peak RSS of a 1 or 4 GiB import stays under 1.8 GB with the default)"},
	}
	flags = append(flags, csvFlags()...)
	flags = append(flags, sourceFlags()...)
	flags = append(flags, noTiDBFlag)
	flags = append(flags, diskFlags()...)
	flags = append(flags, conflictFlags()...)
	flags = append(flags, incrementalFlag)
	flags = append(flags, lightningFlags()...)
	flags = append(flags, statusFlag(), statusLingerFlag())
	flags = append(flags, precheckFlags()...)
	flags = append(flags, progressFlag())
	flags = append(flags, importIDFlag(importIDUsageImport))
	flags = append(flags, kafkaFlags("brokers")...)
	flags = append(flags, ingestFlag())
	flags = append(flags, storeFlags()...)
	flags = append(flags, tidbFlags()...)
	flags = append(flags, logicalFlags()...)
	addCommand(&cli.Command{
		Name:      "import",
		Usage:     "import a dump (every role in this process; embedded broker and store by default)",
		UsageText: "lightstream import --dump DIR [--work-dir W] [--brokers host:port ...] [--pd host:port ...] [--ingest physical|txn]",
		Flags:     flags,
		Action:    runImport,
	})
}

func runImport(c *cli.Context) error {
	note, err := applyLightningFlags(c)
	if err != nil {
		return err
	}
	// The configuration file sets the flags the command line left, the
	// log's and the status page's included: before they are used.
	var lists configLists
	if path := c.String("config"); path != "" {
		warn := func(s string) { fmt.Fprintln(c.App.ErrWriter, "warning:", s) }
		if lists, err = applyLightningConfig(c, path, warn); err != nil {
			return err
		}
	}
	logOut, err := setupLogger(c, true)
	if err != nil {
		return err
	}
	defer logOut.Close()
	if note != "" {
		slog.Warn(note)
	}
	for _, n := range lists.Notes {
		slog.Warn(n, "config", c.String("config"))
	}
	status, err := openStatus(c)
	if err != nil {
		return err
	}
	defer status.close()
	status.logWarnings()
	if c.String("dump") == "" {
		return errors.New(`import: no dump directory: give --dump DIR or s3://bucket/prefix (or [mydumper] data-source-dir in --config)`)
	}
	if strings.EqualFold(c.String("backend"), "tidb") {
		if c.String("tidb") == "" {
			return errors.New("--backend tidb: give the target server with --tidb host:port (or [tidb] host and port in --config)")
		}
		tuneLogicalGC(os.Getenv)
	}
	chunkSize, err := sizeFlag(c, "chunk-size")
	if err != nil {
		return err
	}
	routes, err := routeFlags(c)
	if err != nil {
		return err
	}
	csv, err := csvOptions(c)
	if err != nil {
		return err
	}
	if lists.Null != nil && !c.IsSet("csv-null") {
		csv.Null = lists.Null
	}
	filter := c.StringSlice("filter")
	if lists.Filter != nil && !c.IsSet("filter") {
		filter = lists.Filter
	}
	src, err := sourceOptions(c, lists)
	if err != nil {
		return err
	}
	partSize, err := sizeFlag(c, "partition-size")
	if err != nil {
		return err
	}
	if err := setMemoryLimit(c.String("memory-limit")); err != nil {
		return err
	}
	// Bound before any work: a busy port fails the run at once.
	var metricsLn net.Listener
	if addr := c.String("metrics-addr"); addr != "" {
		if metricsLn, err = listenMetrics(addr); err != nil {
			return err
		}
		defer metricsLn.Close()
	}
	kcfg, err := optionalKafka(c)
	if err != nil {
		return err
	}
	sc, err := storeConfig(c)
	if err != nil {
		return err
	}
	comp, err := kvCompression(c, len(kcfg.Brokers) > 0)
	if err != nil {
		return err
	}
	iopts, err := ingestOptions(c, ingest.Options{Concurrency: c.Int("ingest-concurrency")})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runPrechecks(ctx, c, c.App.ErrWriter, importTargets{
		dump: c.String("dump"), workDir: c.String("work-dir"), engineDir: c.String("sorted-kv-dir"),
		tidb: c.String("tidb"), pd: sc.PD, brokers: kcfg.Brokers, logical: strings.EqualFold(c.String("backend"), "tidb"),
	}); err != nil {
		return err
	}
	mode, err := progressModeOf(c, c.App.ErrWriter)
	if err != nil {
		return err
	}
	ui := newProgress(c.App.ErrWriter, mode)
	// The log's terminal lines go through the progress display, which
	// prints them above its bars; a --log-file is kept.
	logOut.redirect(ui)
	cfg := pipeline.Config{
		Dump: c.String("dump"), WorkDir: c.String("work-dir"), Kafka: kcfg, ImportID: c.String("import-id"),
		Encoders: c.Int("encoders"), Sorters: c.Int("sorters"), Filter: filter, Routes: routes, Source: src,
		ChunkSize: chunkSize, KVPartitions: c.Int("kv-partitions"), PartitionBytes: partSize, CSV: csv, NoBackslashEscapes: c.Bool("no-backslash-escapes"),
		SQLMode: c.String("sql-mode"), TimeZone: c.String("time-zone"), MaxErrors: c.Int("max-error"),
		KVCompression: comp, EngineDir: c.String("sorted-kv-dir"),
		OnImportID: printImportID(c),
	}
	cfg.Store, cfg.Ingest = sc, iopts
	cfg.Incremental = c.Bool("incremental")
	if err := diskOptions(c, &cfg); err != nil {
		return err
	}
	if cfg.Conflict, err = conflictOptions(c); err != nil {
		return err
	}
	logical, logicalCat, err := logicalConfig(ctx, c, cfg.SQLMode)
	if err != nil {
		return err
	}
	if logical != nil {
		defer logicalCat.Close()
		cfg.Logical, cfg.Catalog, cfg.Cluster = logical, logicalCat, logicalCat
	}
	var tidb *tidbcatalog.TiDB
	if logical == nil {
		if tidb, err = tidbCatalog(ctx, c, cfg.SQLMode); err != nil {
			return err
		}
	}
	if tidb != nil {
		defer tidb.Close()
		cfg.Catalog, cfg.Cluster = tidb, tidb
	}
	if c.IsSet("encoders") && cfg.Encoders == 0 {
		// pipeline.Config reads 0 as its default; negative means none.
		cfg.Encoders = -1
	}
	if c.IsSet("sorters") && cfg.Sorters == 0 {
		cfg.Sorters = -1
	}
	var coord *coordinator.Coordinator
	stopMetrics := func() {}
	defer func() { stopMetrics() }() // served until the command returns
	cfg.OnStart = func(co *coordinator.Coordinator) {
		coord = co
		ui.start(co)
		status.start(co)
		if metricsLn != nil {
			stopMetrics = serveMetrics(ctx, metricsLn, co)
		}
	}
	res, err := pipeline.Run(ctx, cfg)
	err = diskFull(err, cfg.WorkDir)
	ui.stop()
	_ = coord
	if res != nil && res.AlreadyComplete {
		fmt.Fprintf(c.App.Writer, "import of %s is already complete (work dir %s); nothing to do\n", res.State.Dump, cfg.WorkDir)
		return writeSummary(c, res, cfg)
	}
	if res != nil {
		summary.PrintTable(c.App.Writer, summary.FromResult(res))
		if serr := writeSummary(c, res, cfg); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; run the same command again to resume")
		}
		return err
	}
	return nil
}

func writeSummary(c *cli.Context, res *pipeline.Result, cfg pipeline.Config) error {
	path := c.String("summary")
	if path == "" {
		return nil
	}
	s, err := summaryOf(res, cfg)
	if werr := summary.WriteFile(path, s); werr != nil {
		return werr
	}
	return err
}

// csvFlags are Lightning's [mydumper.csv] options.
func csvFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "csv-separator", Value: ",", Usage: "CSV field separator (may be several bytes)"},
		&cli.StringFlag{Name: "csv-delimiter", Value: `"`, Usage: "CSV quoting delimiter (empty: no quoting)"},
		&cli.StringFlag{Name: "csv-terminator", Usage: "CSV record terminator (default: \\r\\n, \\n or \\r)"},
		&cli.BoolFlag{Name: "csv-header", Value: true, Usage: "CSV files start with a header line"},
		&cli.BoolFlag{Name: "csv-not-null", Usage: "CSV fields are never NULL"},
		&cli.StringSliceFlag{Name: "csv-null", Usage: `CSV text read as NULL (default \N)`},
		&cli.BoolFlag{Name: "csv-backslash-escape", Value: true, Usage: "resolve backslash escapes in CSV fields"},
		&cli.BoolFlag{Name: "csv-trim-last-separator", Usage: "drop an empty last CSV field"},
		&cli.BoolFlag{Name: "no-backslash-escapes", Usage: "the dump's SQL was written with NO_BACKSLASH_ESCAPES"},
	}
}

func csvOptions(c *cli.Context) (rowparse.CSVOptions, error) {
	o := rowparse.DefaultCSVOptions()
	o.Separator = c.String("csv-separator")
	o.Delimiter = c.String("csv-delimiter")
	o.Terminator = c.String("csv-terminator")
	o.Header = c.Bool("csv-header")
	o.NotNull = c.Bool("csv-not-null")
	if n := c.StringSlice("csv-null"); len(n) > 0 {
		o.Null = n
	}
	o.BackslashEscape = c.Bool("csv-backslash-escape")
	o.TrimLastSeparator = c.Bool("csv-trim-last-separator")
	if o.Separator == "" {
		return o, errors.New("--csv-separator must not be empty")
	}
	return o, nil
}

// setMemoryLimit applies --memory-limit unless GOMEMLIMIT is set.
func setMemoryLimit(v string) error {
	if os.Getenv("GOMEMLIMIT") != "" || v == "" || v == "0" {
		return nil
	}
	n, err := dumpgen.ParseSize(v)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	debug.SetMemoryLimit(n)
	return nil
}

// routeFlags parses --route values.
func routeFlags(c *cli.Context) ([]dump.Route, error) {
	var routes []dump.Route
	for _, v := range c.StringSlice("route") {
		r, err := dump.ParseRoute(v)
		if err != nil {
			return nil, fmt.Errorf("--route: %w", err)
		}
		routes = append(routes, r)
	}
	return routes, nil
}
