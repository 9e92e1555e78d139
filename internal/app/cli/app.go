// Package cli holds the lightstream commands, one file per command. Each
// command only parses its flags and calls into the package that does the
// work.
package cli

import (
	"os"
	"sort"

	"github.com/pingcap/log"
	"go.uber.org/zap/zapcore"

	"github.com/urfave/cli/v2"
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
			&cli.BoolFlag{Name: "verbose", Usage: "show the TiKV client's informational logs"},
		},
		// client-go logs every region and TSO event at INFO through
		// pingcap/log (and warns about slow TSO on a busy machine); users see
		// its errors only.
		Before: func(c *cli.Context) error {
			tuneGC(os.Getenv)
			if !c.Bool("verbose") {
				log.SetLevel(zapcore.ErrorLevel)
			}
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
