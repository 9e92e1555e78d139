package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// The checkpoint command: tidb-lightning-ctl's --checkpoint-dump,
// --checkpoint-remove, --checkpoint-error-destroy and
// --checkpoint-error-ignore on a work directory's checkpoint.
func init() {
	common := func() []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "work-dir", Value: "lightstream-work", Usage: "the import's work directory"},
			&cli.StringFlag{Name: "table", Value: checkpoint.AllTables, Usage: "the table, as db.table (`db`.`t` quotes a name), or all"},
		}
	}
	changing := func() []cli.Flag {
		flags := append(common(), &cli.StringFlag{Name: "engine-dir", Aliases: []string{"sorted-kv-dir"},
			Usage: "where the import's sorters keep their engines (default <work-dir>/engines; for sorters in other processes, their --engine-dir)"})
		return append(append(flags, kafkaFlags("brokers")...), storeFlags()...)
	}
	addCommand(&cli.Command{
		Name:      "checkpoint",
		Usage:     "show or change an import's checkpoint, as tidb-lightning-ctl does (refused while the import runs)",
		UsageText: "lightstream checkpoint dump|remove|error-destroy|ignore-error --work-dir W [--table db.t | all]",
		Subcommands: []*cli.Command{
			{
				Name:      "dump",
				Usage:     "show the import's steps and tables with their status, figures and errors",
				UsageText: "lightstream checkpoint dump --work-dir W [--table db.t | all] [--json]",
				Flags:     append(common(), &cli.BoolFlag{Name: "json", Usage: "the checkpoint's records as JSON instead of columns"}),
				Action:    runCheckpointDump,
			},
			{
				Name:      pipeline.CheckpointRemove,
				Usage:     "forget a table's progress, so the next run sorts and ingests it again from its retained KV topic (the dump is not read again for chunks already encoded) and verifies it; --table all removes the whole checkpoint: the next run is a new import from the dump",
				UsageText: "lightstream checkpoint remove --work-dir W [--table db.t | all]",
				Flags:     changing(),
				Action:    runCheckpointControl(pipeline.CheckpointRemove),
			},
			{
				Name:      pipeline.CheckpointErrorDestroy,
				Usage:     "delete what failed tables wrote into the store (their key ranges) and reset them, so the next run imports them again",
				UsageText: "lightstream checkpoint error-destroy --work-dir W [--table db.t | all] [--pd host:port]",
				Flags:     changing(),
				Action:    runCheckpointControl(pipeline.CheckpointErrorDestroy),
			},
			{
				Name:      pipeline.CheckpointIgnoreError,
				Usage:     "clear the tables' recorded errors, so the next run (after the cause is fixed) resumes where the import stopped",
				UsageText: "lightstream checkpoint ignore-error --work-dir W [--table db.t | all]",
				Flags:     common(),
				Action:    runCheckpointControl(pipeline.CheckpointIgnoreError),
			},
		},
	})
}

func runCheckpointDump(c *cli.Context) error {
	cp, err := pipeline.OpenCheckpoint(c.String("work-dir"))
	if err != nil {
		return err
	}
	s := cp.Snapshot()
	keys, err := s.SelectTables(c.String("table"))
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return s.WriteJSON(c.App.Writer, keys)
	}
	return s.WriteText(c.App.Writer, keys)
}

func runCheckpointControl(command string) cli.ActionFunc {
	return func(c *cli.Context) error {
		cfg := pipeline.Config{WorkDir: c.String("work-dir"), EngineDir: c.String("engine-dir")}
		if command != pipeline.CheckpointIgnoreError {
			kcfg, err := optionalKafka(c)
			if err != nil {
				return err
			}
			sc, err := storeConfig(c)
			if err != nil {
				return err
			}
			cfg.Kafka, cfg.Store = kcfg, sc
		}
		ctx, stop := signalContext(c)
		defer stop()
		res, err := pipeline.ControlCheckpoint(ctx, cfg, command, c.String("table"))
		if err != nil {
			return err
		}
		w := c.App.Writer
		if len(res.Tables) == 0 && !res.ImportError {
			fmt.Fprintf(w, "checkpoint %s: nothing to do (no selected table %s)\n", command, map[string]string{
				pipeline.CheckpointRemove: "is in the checkpoint", pipeline.CheckpointErrorDestroy: "holds an error", pipeline.CheckpointIgnoreError: "holds an error",
			}[command])
			return nil
		}
		if res.Archived != "" {
			fmt.Fprintf(w, "the import's checkpoint is removed (kept as %s): the next run in %s starts a new import that reads the dump from the start; "+
				"what the store holds stays (error-destroy deletes a failed table's pairs; tables that hold rows need --incremental)\n", res.Archived, cfg.WorkDir)
			return nil
		}
		if res.ImportError {
			fmt.Fprintln(w, "cleared the import's error")
		}
		for _, t := range res.Tables {
			switch command {
			case pipeline.CheckpointIgnoreError:
				fmt.Fprintf(w, "%s: error cleared; the next run resumes it as it is\n", t)
			case pipeline.CheckpointErrorDestroy:
				fmt.Fprintf(w, "%s: %d pairs deleted from the store, checkpoint reset; the next run imports it again\n", t, res.Destroyed[t])
			default:
				fmt.Fprintf(w, "%s: checkpoint removed; the next run imports it again\n", t)
			}
		}
		if command != pipeline.CheckpointIgnoreError && len(res.Tables) > 0 {
			// Unlike tidb-lightning-ctl, whose reset table is read again
			// from the dump: the user who fixed a row must know.
			fmt.Fprintf(w, "note: the dump is NOT read again for chunks already encoded: those are sorted again from the KV pairs kept in the table's KV topic "+
				"(only chunks not yet encoded, or whose encoding failed, are read from the dump); a row fixed in the dump since is not seen. "+
				"To import the tables from the dump as it is now: lightstream checkpoint error-destroy (for a table that wrote pairs), then "+
				"lightstream checkpoint remove --table all --work-dir %s, and run the import again\n", cfg.WorkDir)
		}
		if len(res.EnginesRemoved) > 0 {
			sort.Strings(res.EnginesRemoved)
			fmt.Fprintf(w, "engines removed: %s\n", strings.Join(res.EnginesRemoved, ", "))
		}
		return nil
	}
}

// incrementalFlag imports into tables that already hold rows (see
// pipeline.Config.Incremental).
var incrementalFlag = &cli.BoolFlag{Name: "incremental", Usage: "import into tables that already hold rows (on the embedded default, after a complete import in the same --work-dir): " +
	"the empty-table pre-check is skipped for those tables only, new rows get row IDs above the table's, and a key of the dump the table already holds is a conflict resolved by --conflict-strategy " +
	"(none or error: the import stops; ignore: the table's row stays, the new row is dropped; replace: the new row replaces the table's row and all its index entries), " +
	"and the table is verified against its checksum before the import plus the imported pairs"}
