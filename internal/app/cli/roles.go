package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/member"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/producer"
	"github.com/lightstream-io/lightstream/sorter"
)

// The roles of a distributed import, each runnable alone: the producer
// publishes a dump's chunks and exits; encoders and sorters are long-lived
// consumer-group members (scale them by starting more); the coordinator
// drives the lifecycle and exits when the import is verified.

func roleFlags(extra ...cli.Flag) flagList {
	flags := append([]cli.Flag{importIDFlag(importIDUsageRole)}, extra...)
	flags = append(flags, kafkaFlags("brokers")...)
	return append(flags, logFlags()...)
}

// flagList is a command's flags.
type flagList []cli.Flag

// withStore adds the store selection flags (--pd and TLS).
func (l flagList) withStore() []cli.Flag { return append(l, storeFlags()...) }

func signalContext(c *cli.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
}

func init() {
	addCommand(&cli.Command{
		Name:  "producer",
		Usage: "publish a dump's manifests and chunks to the import's topics, then exit",
		Flags: roleFlags(append([]cli.Flag{
			&cli.StringFlag{Name: "dump", Usage: "the dump directory, or s3://bucket/prefix?options", Required: true, EnvVars: []string{"LIGHTSTREAM_DUMP"}},
			&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "table filter rule (repeatable)"},
			&cli.StringSliceFlag{Name: "route", Usage: "import source tables under another name (Lightning's [[routes]], repeatable): 'shard_*.orders_*=shop.orders' merges every orders_N of every shard_N into shop.orders; 'src=dst' renames a database"},
			&cli.StringFlag{Name: "chunk-size", Value: "64MiB", Usage: "source bytes per chunk"},
			&cli.IntFlag{Name: "kv-partitions", Value: 8, Usage: "most partitions of a table's KV topic (one per --partition-size of source data)"},
			&cli.StringFlag{Name: "partition-size", Value: "64MiB", Usage: "source bytes per KV topic partition"},
			&cli.IntFlag{Name: "chunk-partitions", Value: 16, Usage: "partitions of the chunks topic (the most encoders that work at once)"},
			metricsFlag(),
		}, append(csvFlags(), sourceFlags()...)...)...),
		Action: logged(withMetrics(runProducer)),
	})
	addCommand(&cli.Command{
		Name:  "encoder",
		Usage: "run an encoder group member until SIGINT/SIGTERM",
		Flags: roleFlags(
			&cli.StringFlag{Name: "dump", Usage: "the dump directory or s3://bucket/prefix?options (the same files the producer read)", Required: true, EnvVars: []string{"LIGHTSTREAM_DUMP"}},
			&cli.IntFlag{Name: "max-error", Usage: "record up to N bad rows in --rejects and go on"},
			&cli.StringFlag{Name: "rejects", Value: "rejects.jsonl", Usage: "rejects file (with --max-error)"},
			kvCompressionFlag,
			waitForImportFlag,
			metricsFlag(),
		),
		Action: logged(withMetrics(runEncoder)),
	})
	addCommand(&cli.Command{
		Name:  "sorter",
		Usage: "run a sorter group member until SIGINT/SIGTERM",
		Flags: roleFlags(
			&cli.StringFlag{Name: "engine-dir", Value: "lightstream-engines", Usage: "where this member keeps its engines", EnvVars: []string{"LIGHTSTREAM_ENGINE_DIR"}},
			&cli.StringFlag{Name: "store-dir", Usage: "embedded store directory (one process at a time may open it); required without --pd", EnvVars: []string{"LIGHTSTREAM_STORE_DIR"}},
			&cli.IntFlag{Name: "ingest-concurrency", Value: 4, Usage: "ingest batches in flight per partition (the embedded store takes one partition and one batch at a time)"},
			ingestFlag(),
			waitForImportFlag,
			diskFlags()[0], diskFlags()[1],
			conflictFlags()[0], conflictFlags()[1], conflictFlags()[2],
			incrementalFlag,
			metricsFlag(),
		).withStore(),
		Action: logged(withMetrics(runSorter)),
	})
	addCommand(&cli.Command{
		Name:  "coordinator",
		Usage: "run the import's lifecycle until every table is verified",
		Flags: append(roleFlags(
			&cli.StringFlag{Name: "work-dir", Value: "lightstream-coordinator", Usage: "keeps the checkpoint", EnvVars: []string{"LIGHTSTREAM_WORK_DIR"}},
			&cli.StringFlag{Name: "store-dir", Usage: "embedded store directory (one process at a time may open it); required without --pd", EnvVars: []string{"LIGHTSTREAM_STORE_DIR"}},
			&cli.StringFlag{Name: "sql-mode", Value: sqlmode.DefaultText, Usage: "SQL mode values are converted with"},
			&cli.StringFlag{Name: "time-zone", Value: "+00:00", Usage: "time zone of TIMESTAMP values"},
			&cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus progress metrics on this host:port (containers gate on it and scrape it)", EnvVars: []string{"LIGHTSTREAM_METRICS_ADDR"}},
			waitForImportFlag,
			statusFlag(),
			incrementalFlag,
		).withStore(), append(tidbFlags(), coordinatorLogicalFlags()...)...),
		Action: logged(runCoordinator),
	})
}

func roleKafka(c *cli.Context) (kafkaio.Config, error) {
	if len(c.StringSlice("brokers")) == 0 {
		return kafkaio.Config{}, fmt.Errorf("%s: --brokers is required (start one with `lightstream broker`)", c.Command.Name)
	}
	return kafkaConfig(c, "brokers")
}

func runProducer(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	size, err := sizeFlag(c, "chunk-size")
	if err != nil {
		return err
	}
	csv, err := csvOptions(c)
	if err != nil {
		return err
	}
	partSize, err := sizeFlag(c, "partition-size")
	if err != nil {
		return err
	}
	routes, err := routeFlags(c)
	if err != nil {
		return err
	}
	src, err := sourceOptions(c, configLists{})
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	res, err := producer.Run(ctx, producer.Config{
		ImportID: id, Dump: c.String("dump"), Kafka: kcfg, Filter: c.StringSlice("filter"), Routes: routes, Source: src,
		ChunkSize: size, KVPartitions: c.Int("kv-partitions"), PartitionBytes: partSize, ChunkPartitions: c.Int("chunk-partitions"),
		CSV: csv, NoBackslashEscapes: c.Bool("no-backslash-escapes"),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "published %d tables, %d chunks, %d source bytes as import %s\n", res.Tables, res.Chunks, res.SourceBytes, id)
	return nil
}

func runEncoder(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	comp, err := kvCompression(c, true)
	if err != nil {
		return err
	}
	cfg := encoder.Config{ImportID: id, Dump: c.String("dump"), Kafka: kcfg, MaxErrors: c.Int("max-error"), KVCompression: comp,
		WaitForImport: c.Duration("wait-for-import"), OnAssign: logAssignment(c, "encoder")}
	if cfg.MaxErrors > 0 {
		if cfg.Rejects, err = encoder.OpenRejects(c.String("rejects"), cfg.MaxErrors); err != nil {
			return err
		}
		defer cfg.Rejects.Close()
	}
	ctx, stop := signalContext(c)
	defer stop()
	return encoder.Run(ctx, cfg)
}

func runSorter(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	opts, err := ingestOptions(c, ingest.Options{Concurrency: c.Int("ingest-concurrency")})
	if err != nil {
		return err
	}
	st, sc, err := roleStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	var disk pipeline.Config
	if err := diskOptions(c, &disk); err != nil {
		return err
	}
	conflicts, err := conflictOptions(c)
	if err != nil {
		return err
	}
	if c.Bool("incremental") {
		if disk.DiskQuota > 0 {
			return fmt.Errorf("sorter: --incremental cannot be combined with --disk-quota (a partition's keys are checked against the store once, before its first ingest)")
		}
		opts.Existing = ingest.RefuseExisting
	}
	ctx, stop := signalContext(c)
	defer stop()
	return sorter.Run(ctx, sorter.Config{
		Conflict: conflicts,
		ImportID: id, WaitForImport: c.Duration("wait-for-import"), Kafka: kcfg, EngineDir: c.String("engine-dir"), Store: st,
		Ingest: pipeline.IngestOptions(sc, opts), SpanChecksums: pipeline.SpanChecksums(sc),
		OnAssign: logAssignment(c, "sorter"), KeepEngines: disk.KeepEngines, Space: sorter.NewEngineSpace(disk.DiskQuota),
	})
}

// logAssignment prints a group member's assignments to stderr, so that an
// operator scaling a group out sees who took what.
func logAssignment(c *cli.Context, role string) func(int32, map[string][]int) {
	return func(gen int32, assigned map[string][]int) {
		fmt.Fprintf(c.App.ErrWriter, "%s: %s\n", role, member.FormatAssignment(gen, assigned))
	}
}

func runCoordinator(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	// Bound before any work: a busy port fails the role at once.
	var metricsLn net.Listener
	if addr := c.String("metrics-addr"); addr != "" {
		if metricsLn, err = listenMetrics(addr); err != nil {
			return fmt.Errorf("coordinator: %w", err)
		}
		defer metricsLn.Close()
	}
	status, err := openStatus(c)
	if err != nil {
		return fmt.Errorf("coordinator: %w", err)
	}
	defer status.close()
	status.logWarnings()
	st, _, err := roleStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	cp, err := checkpoint.Open(filepath.Join(c.String("work-dir"), "checkpoint.json"))
	if err != nil {
		return err
	}
	catalog, cluster, logical, closeCatalog, err := coordinatorCatalog(c, id)
	if err != nil {
		return err
	}
	defer closeCatalog()
	co, err := coordinator.New(coordinator.Config{
		ImportID: id, WaitForImport: c.Duration("wait-for-import"), Kafka: kcfg, Store: st, Checkpoint: cp,
		SQLMode: c.String("sql-mode"), TimeZone: c.String("time-zone"),
		Catalog: catalog, Cluster: cluster, Logical: logical, Incremental: c.Bool("incremental"),
	})
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	status.start(co)
	if metricsLn != nil {
		defer serveMetrics(ctx, metricsLn, co)()
	}
	if err := co.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, "import complete")
	return nil
}
