package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// usageExitCode is the exit status of a usage error, as flag.Parse's
// ExitOnError and TiDB Lightning use.
const usageExitCode = 2

// usageError builds the one-line answer to a usage mistake of the command
// at path.
func usageError(path, usage string, err error, flags []string) error {
	msg := err.Error()
	if name, ok := undefinedFlag(msg); ok {
		if s := suggest(name, flags); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
	}
	return cli.Exit(fmt.Sprintf("%s: %s\nusage: %s\nrun '%s --help' for every flag", path, msg, usage, path), usageExitCode)
}

// undefinedFlag reads the flag name out of the flag package's "flag
// provided but not defined: -name" message.
func undefinedFlag(msg string) (string, bool) {
	const p = "flag provided but not defined: "
	i := strings.Index(msg, p)
	if i < 0 {
		return "", false
	}
	return strings.TrimLeft(msg[i+len(p):], "-"), true
}

// flagNames lists every name and alias of flags, with their dashes.
func flagNames(flags []cli.Flag) []string {
	var names []string
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				names = append(names, "-"+n)
			} else {
				names = append(names, "--"+n)
			}
		}
	}
	return names
}

// suggest returns the candidate closest to typed when it is close enough to
// be a typo (at most a third of its letters wrong, or typed is a prefix of
// it), else "".
func suggest(typed string, candidates []string) string {
	t := strings.ToLower(typed)
	best, bestD := "", -1
	for _, c := range candidates {
		n := strings.ToLower(strings.TrimLeft(c, "-"))
		d := editDistance(t, n)
		if len(t) >= 3 && strings.HasPrefix(n, t) {
			d = min(d, 1)
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(1, len(t)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkArgs refuses positional arguments for a command that takes none (a
// forgotten flag name before a value would otherwise stop flag parsing and
// drop every flag after it), then checks the command's required flags.
// urfave/cli checks required flags before Before runs and answers with the
// whole help; required lists them instead, and their Required marks are
// cleared so that this check is the only one.
func checkArgs(path, usage string, required []string, before cli.BeforeFunc) cli.BeforeFunc {
	return func(c *cli.Context) error {
		if c.NArg() > 0 {
			return cli.Exit(fmt.Sprintf("%s: unexpected argument %q (flags go before it, or it is missing a --flag name)\nusage: %s",
				path, c.Args().First(), usage), usageExitCode)
		}
		for _, name := range required {
			if !c.IsSet(name) {
				return cli.Exit(fmt.Sprintf("%s: required flag --%s not set\nusage: %s", path, name, usage), usageExitCode)
			}
		}
		if before != nil {
			return before(c)
		}
		return nil
	}
}

// takeRequired clears the Required mark of flags and returns their names.
func takeRequired(flags []cli.Flag) []string {
	var names []string
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			if f.Required {
				f.Required = false
				names = append(names, f.Name)
			}
		case *cli.Int64Flag:
			if f.Required {
				f.Required = false
				names = append(names, f.Name)
			}
		case cli.RequiredFlag:
			if f.IsRequired() {
				panic(fmt.Sprintf("cli: required flag %v of a type takeRequired does not clear", f.Names()))
			}
		}
	}
	return names
}

// strictUsage makes every command (and subcommand) answer a usage mistake
// in one line with a suggestion, and refuse extra positional arguments
// unless it declares ArgsUsage. It runs once per command: NewApp may be
// called more than once in a process (tests), and the commands are shared.
func strictUsage(app *cli.App, parent string, cmds []*cli.Command) {
	for _, cmd := range cmds {
		cmd := cmd
		path := parent + " " + cmd.Name
		usage := path + " [flags]"
		if cmd.UsageText != "" {
			usage = strings.SplitN(cmd.UsageText, "\n", 2)[0]
		}
		names := flagNames(cmd.Flags)
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return usageError(path, usage, err, names)
		}
		if hasSubcommands(cmd) {
			strictUsage(app, path, cmd.Subcommands)
			sub := cmd.Subcommands
			cmd.Action = func(c *cli.Context) error {
				if c.NArg() == 0 {
					return cli.ShowSubcommandHelp(c)
				}
				return unknownCommand(path, c.Args().First(), sub)
			}
			continue
		}
		if !firstSetup(cmd) {
			continue
		}
		var required []string
		if cmd.ArgsUsage == "" {
			required = takeRequired(cmd.Flags)
			cmd.Before = checkArgs(path, usage, required, cmd.Before)
		}
	}
	if parent != app.Name {
		return
	}
	app.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
		return usageError(app.Name, app.Name+" [--version] COMMAND [flags]", err, flagNames(app.Flags))
	}
	app.CommandNotFound = func(c *cli.Context, name string) {
		fmt.Fprintln(c.App.ErrWriter, unknownCommand(app.Name, name, app.Commands))
		cli.OsExiter(usageExitCode)
	}
}

// hasSubcommands reports whether cmd groups commands of its own (urfave/cli
// adds a help subcommand to every command it has run).
func hasSubcommands(cmd *cli.Command) bool {
	for _, s := range cmd.Subcommands {
		if s.Name != "help" {
			return true
		}
	}
	return false
}

var strictDone = struct {
	sync.Mutex
	m map[*cli.Command]bool
}{m: map[*cli.Command]bool{}}

// firstSetup reports whether cmd is seen by strictUsage for the first time.
func firstSetup(cmd *cli.Command) bool {
	strictDone.Lock()
	defer strictDone.Unlock()
	if strictDone.m[cmd] {
		return false
	}
	strictDone.m[cmd] = true
	return true
}

func unknownCommand(path, name string, cmds []*cli.Command) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	sort.Strings(names)
	msg := fmt.Sprintf("%s: unknown command %q", path, name)
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return cli.Exit(fmt.Sprintf("%s\ncommands: %s", msg, strings.Join(names, ", ")), usageExitCode)
}

// Version is the release, set at link time (-ldflags "-X
// github.com/lightstream-io/lightstream/internal/app/cli.Version=v1.2.3"); a
// build from a checkout says "devel".
var Version = "devel"

// Commit is the source commit, set at link time like Version
// (scripts/build-image.sh does); without it the VCS stamp Go embeds when it
// builds in a checkout is used.
var Commit = ""

// buildInfo is the version, commit and Go version of this binary: the
// commit from the VCS stamp Go embeds when it builds in a checkout.
func buildInfo() (version, commit, goVersion string) {
	version, commit, goVersion = Version, "unknown", runtime.Version()
	if Commit != "" {
		commit = Commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && Commit == "" {
		commit = rev
		if modified == "true" {
			commit += " (modified)"
		}
	}
	if version == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	return
}

func printVersion(w io.Writer) {
	v, commit, gov := buildInfo()
	fmt.Fprintf(w, "lightstream %s\ncommit: %s\ngo: %s %s/%s\n", v, commit, gov, runtime.GOOS, runtime.GOARCH)
}
