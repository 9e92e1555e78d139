package cli

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// importContext parses args with the import command's flags.
func importContext(t *testing.T, args ...string) *cli.Context {
	t.Helper()
	var cmd *cli.Command
	for _, c := range commands {
		if c.Name == "import" {
			cmd = c
		}
	}
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	for _, f := range cmd.Flags {
		if err := f.Apply(fs); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cli.NewContext(cli.NewApp(), fs, nil)
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tidb-lightning.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLightningConfig(t *testing.T) {
	path := writeConfig(t, `
[lightning]
table-concurrency = 3
max-error = 5

[mydumper]
data-source-dir = "/data/dump"
filter = ['shop.*', '!shop.tmp*', '/^t{1,3}$/.x']

[mydumper.csv]
separator = '|'
delimiter = ''
header = false
null = ['\N', 'NULL, or not']
backslash-escape = false

[tidb]
host = "tidb.example"
port = 4001
status-port = 10081
pd-addr = "pd.example:2379"
sql-mode = ""

[tikv-importer]
backend = "local"
sorted-kv-dir = "/tmp/sorted"

[[routes]]
schema-pattern = "shard_*"
table-pattern = "orders_*"
target-schema = "shop"
target-table = "orders"

[[routes]]
schema-pattern = "old"
target-schema = "new"
`)
	// The command line wins over the file.
	c := importContext(t, "--csv-separator", ";")
	var warnings []string
	lists, err := applyLightningConfig(c, path, func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"dump": "/data/dump", "csv-separator": ";", "csv-delimiter": "", "sql-mode": "",
		"tidb": "tidb.example:4001", "tidb-status": "tidb.example:10081",
	} {
		if got := c.String(name); got != want {
			t.Errorf("--%s = %q, want %q", name, got, want)
		}
	}
	if !c.IsSet("sql-mode") {
		t.Error("sql-mode = \"\" not applied (it means non-strict)")
	}
	if c.Bool("csv-header") || c.Bool("csv-backslash-escape") || c.Int("max-error") != 5 {
		t.Errorf("csv-header %v, csv-backslash-escape %v, max-error %d", c.Bool("csv-header"), c.Bool("csv-backslash-escape"), c.Int("max-error"))
	}
	// Lists come back whole (a flag would split them at commas).
	if got := lists.Filter; !slices.Equal(got, []string{"shop.*", "!shop.tmp*", "/^t{1,3}$/.x"}) {
		t.Errorf("filter %q", got)
	}
	if got := lists.Null; !slices.Equal(got, []string{`\N`, "NULL, or not"}) {
		t.Errorf("csv-null %q", got)
	}
	if got := c.StringSlice("route"); !slices.Equal(got, []string{"shard_*.orders_*=shop.orders", "old=new"}) {
		t.Errorf("route %q", got)
	}
	if got := c.StringSlice("pd"); !slices.Equal(got, []string{"pd.example:2379"}) {
		t.Errorf("pd %q", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "lightning.table-concurrency") || strings.Contains(warnings[0], "sorted-kv-dir") {
		t.Errorf("warnings %q", warnings)
	}
	if got := c.String("sorted-kv-dir"); got != "/tmp/sorted" {
		t.Errorf("--sorted-kv-dir %q, want the file's tikv-importer.sorted-kv-dir", got)
	}

	// pd-addr without a host is Lightning's default host: the TiDB of this
	// machine, never lightstream's own catalog against a real cluster.
	c = importContext(t)
	if _, err := applyLightningConfig(c, writeConfig(t, "[tidb]\npd-addr = 'pd:2379'\n"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if got := c.String("tidb"); got != "127.0.0.1:4000" {
		t.Errorf("pd-addr alone: --tidb %q, want 127.0.0.1:4000", got)
	}

	for text, want := range map[string]string{
		"[[routes]]\nschema-pattern = 'a'\nextract-table = {}\n": "extract-table",
		"[mydumper]\nno-schema = true\n":                         "no-schema",
		"[mydumper\n":                                            "toml",
	} {
		_, err := applyLightningConfig(importContext(t), writeConfig(t, text), func(string) {})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), want) {
			t.Errorf("%q: %v, want an error about %s", text, err, want)
		}
	}
}
