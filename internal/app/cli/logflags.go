package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// logFlags are TiDB Lightning's log flags (-L/--log-level, --log-file,
// --log-format): every command that runs stages takes them. The log is
// what operators grep and ship; the progress display and the final table
// are separate output, never log lines.
func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-level", Aliases: []string{"L"}, Usage: "log level: debug, info, warn or error (default: info with --log-file or without a progress display; warn on import's terminal, where the progress display is)"},
		&cli.StringFlag{Name: "log-file", Usage: "write the log to this file instead of standard error"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
	}
}

// logOutput is where the log goes: the --log-file, or the terminal
// (standard error), which a progress display may take over while it
// draws (redirect).
type logOutput struct {
	mu      sync.Mutex
	w       io.Writer
	file    *os.File
	restore *slog.Logger // the default logger before setupLogger
}

func (o *logOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Write(p)
}

// redirect sends terminal log lines to w (the progress display, which
// prints them above its bars); a log file is kept.
func (o *logOutput) redirect(w io.Writer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file == nil {
		o.w = w
	}
}

// Close closes the log file and puts the previous default logger back.
func (o *logOutput) Close() error {
	slog.SetDefault(o.restore)
	if o.file != nil {
		return o.file.Close()
	}
	return nil
}

// setupLogger makes slog's default logger, which every stage logs through
// (their Config.Logger defaults to it), follow --log-level, --log-file and
// --log-format. progress says the command draws a progress display on
// the terminal: without --log-file the log then shows warnings only
// unless --log-level says otherwise. Close the result when the command
// ends.
func setupLogger(c *cli.Context, progress bool) (*logOutput, error) {
	var level slog.Level
	name := c.String("log-level")
	if name == "" && progress && c.String("log-file") == "" {
		// The terminal shows the progress; the log adds warnings only.
		name = "warn"
	}
	switch strings.ToLower(name) {
	case "debug":
		level = slog.LevelDebug
	case "info", "":
		level = slog.LevelInfo
	case "warn", "warning":
		level = slog.LevelWarn
	case "error", "fatal":
		level = slog.LevelError
	default:
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.String("log-level"))
	}
	out := &logOutput{w: c.App.ErrWriter, restore: slog.Default()}
	if path := c.String("log-file"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("--log-file: %w", err)
		}
		out.w, out.file = f, f
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(c.String("log-format")) {
	case "text", "":
		h = slog.NewTextHandler(out, opts)
	case "json":
		h = slog.NewJSONHandler(out, opts)
	default:
		if out.file != nil {
			out.file.Close()
		}
		return nil, fmt.Errorf("--log-format %q: want text or json", c.String("log-format"))
	}
	slog.SetDefault(slog.New(h))
	return out, nil
}

// logged runs a command that has no progress display with the log set up
// by its flags.
func logged(action cli.ActionFunc) cli.ActionFunc { return withLog(false, action) }

// withLog runs action with the log set up by its command's flags;
// progress as for setupLogger.
func withLog(progress bool, action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		out, err := setupLogger(c, progress)
		if err != nil {
			return err
		}
		defer out.Close()
		return action(c)
	}
}
