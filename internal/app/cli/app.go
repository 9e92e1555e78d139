// Package cli holds the lightstream commands, one file per command. Each
// command only parses its flags and calls into the package that does the
// work.
package cli

import (
	"os"
	"sort"

	"github.com/pingcap/log"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/lightstream-io/lightstream/internal/ops/logsink"
)

var (
	commands      []*cli.Command
	debugCommands []*cli.Command
)

// addCommand registers a top-level command; each command file calls it
// from init.
func addCommand(c *cli.Command) { commands = append(commands, c) }

// addDebugCommand registers a `lightstream debug` subcommand.
func addDebugCommand(c *cli.Command) { debugCommands = append(debugCommands, c) }

// NewApp builds the lightstream command-line application.
func NewApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	sort.Slice(debugCommands, func(i, j int) bool { return debugCommands[i].Name < debugCommands[j].Name })
	all := append([]*cli.Command{}, commands...)
	all = append(all, &cli.Command{
		Name:        "debug",
		Usage:       "inspect dumps and encodings (chunks, rows, encode, decode)",
		Subcommands: debugCommands,
	})
	cli.VersionPrinter = func(c *cli.Context) { printVersion(c.App.Writer) }
	v, _, _ := buildInfo()
	app := &cli.App{
		Version: v,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "pass the TiKV client's informational logs into the log (shown at -L info and below)"},
		},
		// client-go logs every region and TSO event at INFO through
		// pingcap/log (and warns about slow TSO on a busy machine): its
		// entries join lightstream's log (component=client-go), errors
		// only unless --verbose.
		Before: func(c *cli.Context) error {
			tuneGC(os.Getenv)
			level := zap.NewAtomicLevelAt(zapcore.ErrorLevel)
			if c.Bool("verbose") {
				level.SetLevel(zapcore.InfoLevel)
			}
			core := logsink.ZapCore(level, "component", "client-go")
			log.ReplaceGlobals(zap.New(core), &log.ZapProperties{Core: core, Level: level})
			return nil
		},
		Name:                 "lightstream",
		Usage:                "import mydumper/dumpling dumps into TiDB as a streaming dataflow on Kafka",
		Commands:             all,
		EnableBashCompletion: true,
	}
	strictUsage(app, app.Name, app.Commands)
	return app
}
