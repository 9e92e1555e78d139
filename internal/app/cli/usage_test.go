package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// runApp runs the lightstream app with args and returns what it wrote and
// the exit code it asked for (0 when none).
func runApp(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := 0
	saved := cli.OsExiter
	cli.OsExiter = func(c int) { code = c }
	defer func() { cli.OsExiter = saved }()
	savedErr := cli.ErrWriter
	cli.ErrWriter = &out
	defer func() { cli.ErrWriter = savedErr }()
	app := NewApp()
	app.Writer, app.ErrWriter = &out, &out
	if err := app.Run(append([]string{"lightstream"}, args...)); err != nil && code == 0 {
		// An error the app did not print and exit on (cli.Exit does both).
		out.WriteString(err.Error())
		code = 1
	}
	return out.String(), code
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"import", "--dumpp", "x"}, []string{"lightstream import: flag provided but not defined: -dumpp (did you mean --dump?)", "usage: lightstream import"}},
		{[]string{"improt"}, []string{`unknown command "improt" (did you mean "import"?)`}},
		{[]string{"debug", "encdoe"}, []string{`lightstream debug: unknown command "encdoe" (did you mean "encode"?)`}},
		{[]string{"export", "extra", "--table", "a.b"}, []string{`lightstream export: unexpected argument "extra"`}},
		{[]string{"import", "--sql-mode"}, []string{"flag needs an argument: -sql-mode"}},
		{[]string{"export", "--work-dir", "w"}, []string{"lightstream export: required flag --table not set", "usage: "}},
		{[]string{"export", "extra", "--table", "a.b"}, []string{`lightstream export: unexpected argument "extra"`}},
	} {
		out, code := runApp(t, c.args...)
		if code != usageExitCode {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, usageExitCode, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output %q lacks %q", c.args, out, w)
			}
		}
		if n := strings.Count(out, "\n"); n > 4 {
			t.Errorf("%v: %d lines of output, want the usage line, not the whole help:\n%s", c.args, n, out)
		}
	}
}

func TestVersion(t *testing.T) {
	out, code := runApp(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "lightstream ") || !strings.Contains(out, "commit: ") || !strings.Contains(out, "go: go1.") {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"--dump", "--backend", "--work-dir", "--sorted-kv-dir", "-d"}
	for typed, want := range map[string]string{"backnd": "--backend", "work_dir": "--work-dir", "back": "--backend", "zzzzzz": "", "sorted-kvdir": "--sorted-kv-dir"} {
		if got := suggest(typed, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", typed, got, want)
		}
	}
}

// TestPositionalArguments: only commands that declare arguments
// (ArgsUsage) take them; the others refuse them.
func TestPositionalArguments(t *testing.T) {
	takes := map[string]bool{"switch-mode": true}
	for _, cmd := range NewApp().Commands {
		if cmd.Name == "help" || hasSubcommands(cmd) {
			continue
		}
		if got := cmd.ArgsUsage != ""; got != takes[cmd.Name] {
			t.Errorf("%s: ArgsUsage %q", cmd.Name, cmd.ArgsUsage)
		}
	}
	out, code := runApp(t, "switch-mode", "--pd", "127.0.0.1:1", "sideways")
	if code == 0 || strings.Contains(out, "unexpected argument") || !strings.Contains(out, "sideways") {
		t.Errorf("switch-mode takes its mode as an argument: exit %d, %s", code, out)
	}
}
