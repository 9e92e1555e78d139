package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/bench"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

func init() {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "dump", Usage: "the mydumper/dumpling dump directory", Required: true},
		&cli.StringFlag{Name: "work-dir", Usage: "scratch directory (bench-stages, bench-whole, bench-handoff are recreated under it)", Required: true},
		&cli.StringFlag{Name: "json", Usage: "also write the report as JSON to this file"},
		&cli.IntFlag{Name: "workers", Value: 2, Usage: "encoders and sorters, as for import"},
		&cli.StringFlag{Name: "chunk-size", Value: "64MiB", Usage: "source bytes per chunk, as for import"},
		&cli.IntFlag{Name: "kv-partitions", Value: 8, Usage: "most partitions of each table's KV topic (one per 64 MiB of source data), as for import"},
		&cli.StringFlag{Name: "round-size", Value: "64MiB", Usage: "parsed field bytes held in memory per round of the encode, broker and engine stages"},
		&cli.StringFlag{Name: "sql-mode", Value: sqlmode.DefaultText, Usage: "SQL mode values are converted with"},
		&cli.StringFlag{Name: "time-zone", Value: "+00:00", Usage: "time zone of TIMESTAMP values (the dump's SET TIME_ZONE wins)"},
		&cli.BoolFlag{Name: "keep", Usage: "keep the scratch directories"},
		&cli.StringFlag{Name: "profile-dir", Usage: "write CPU profiles of each stage, the whole import and the hand-off import here (go tool pprof DIR/ingest.*.pprof)"},
	}
	flags = append(flags, csvFlags()...)
	flags = append(flags, logFlags()...)
	addCommand(&cli.Command{
		Name:      "bench",
		Usage:     "measure each import stage alone, the whole import, and the import without the broker, on one dump",
		UsageText: "lightstream bench --dump DIR --work-dir W [--json FILE]",
		Flags:     flags,
		// Its report is the output: the log shows warnings unless -L says
		// otherwise.
		Action: withLog(true, runBench),
	})
}

func runBench(c *cli.Context) error {
	chunkSize, err := sizeFlag(c, "chunk-size")
	if err != nil {
		return err
	}
	round, err := sizeFlag(c, "round-size")
	if err != nil {
		return err
	}
	csv, err := csvOptions(c)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(c)
	defer stop()
	rep, err := bench.Run(ctx, bench.Config{
		Dump: c.String("dump"), WorkDir: c.String("work-dir"), Workers: c.Int("workers"),
		ChunkSize: chunkSize, KVPartitions: c.Int("kv-partitions"), RoundBytes: round,
		CSV: csv, NoBackslashEscapes: c.Bool("no-backslash-escapes"),
		SQLMode: c.String("sql-mode"), TimeZone: c.String("time-zone"), Keep: c.Bool("keep"), ProfileDir: c.String("profile-dir"),
		Progress: func(s string) { fmt.Fprintln(c.App.ErrWriter, "bench:", s) },
	})
	if err != nil {
		return err
	}
	if err := rep.Print(c.App.Writer); err != nil {
		return err
	}
	if path := c.String("json"); path != "" {
		return rep.WriteJSON(path)
	}
	return nil
}
