package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

func init() {
	addCommand(&cli.Command{
		Name:      "replay",
		Usage:     "rebuild a table's engines from its retained KV topic and ingest it again, without re-encoding",
		UsageText: "lightstream replay --table db.t [--work-dir W] [--brokers host:port] [--pd host:port]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "work-dir", Value: "lightstream-work", Usage: "the import's work directory"},
			&cli.StringFlag{Name: "table", Usage: "the table, as db.table", Required: true},
			importIDFlag("the import's id (default: the one the work directory records; given, it must be that one)"),
			diskFlags()[0],
			conflictFlags()[0], conflictFlags()[1], conflictFlags()[2],
		}, append(append(append(kafkaFlags("brokers"), ingestFlag()), storeFlags()...), logFlags()...)...),
		Action: logged(runReplay),
	})
}

func runReplay(c *cli.Context) error {
	db, table, err := splitTableName(c.String("table"))
	if err != nil {
		return err
	}
	kcfg, err := optionalKafka(c)
	if err != nil {
		return err
	}
	sc, err := storeConfig(c)
	if err != nil {
		return err
	}
	iopts, err := ingestOptions(c, ingest.Options{})
	if err != nil {
		return err
	}
	conflicts, err := conflictOptions(c)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	res, err := pipeline.Replay(ctx, pipeline.Config{WorkDir: c.String("work-dir"), ImportID: c.String("import-id"), Kafka: kcfg, Store: sc, Ingest: iopts, KeepEngines: c.Bool("keep-engines"), Conflict: conflicts}, db, table)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "replayed %s.%s from %d partitions: source checksum %d (%d kvs, %d bytes), store checksum %d (%d kvs, %d bytes)\n",
		res.DB, res.Table, res.Partitions, res.Source.Sum, res.Source.KVs, res.Source.Bytes, res.Store.Sum, res.Store.KVs, res.Store.Bytes)
	if !res.Match {
		return fmt.Errorf("replay of %s.%s: checksums differ (engines %d/%d/%d)", res.DB, res.Table, res.Engines.Sum, res.Engines.KVs, res.Engines.Bytes)
	}
	fmt.Fprintln(c.App.Writer, "checksums match")
	return nil
}
