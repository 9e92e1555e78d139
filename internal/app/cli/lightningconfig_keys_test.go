package cli

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/dump"
)

// realConfig has a key of every section of TiDB Lightning's
// configuration (tidb-lightning.toml as its docs and integration tests
// write it): none of them may be refused as unknown.
const realConfig = `
[lightning]
level = "info"
file = "tidb-lightning.log"
max-size = 128
max-days = 28
max-backups = 14
status-addr = ':8289'
server-mode = false
check-requirements = true
index-concurrency = 2
table-concurrency = 6
region-concurrency = 8
io-concurrency = 5
meta-schema-name = "lightning_metadata"
task-info-schema-name = "lightning_task_info"
max-error = { type = 0 }

[security]
ca-path = ""
cert-path = ""
key-path = ""
redact-info-log = false

[checkpoint]
enable = true
schema = "tidb_lightning_checkpoint"
driver = "file"
dsn = "/tmp/tidb_lightning_checkpoint.pb"
keep-after-success = false

[conflict]
strategy = ""
precheck-conflict-before-import = false
threshold = 10000
max-record-rows = 10000

[tikv-importer]
backend = "local"
on-duplicate = "replace"
duplicate-resolution = 'none'
incremental-import = false
parallel-import = false
sorted-kv-dir = "/mnt/ssd/sorted-kv-dir"
range-concurrency = 16
region-split-size = "96MiB"
region-split-keys = 1_280_000
disk-quota = "10GB"
store-write-bwlimit = "128MiB"
send-kv-pairs = 32768
max-kv-pairs = 4096
compress-kv-pairs = ""
engine-mem-cache-size = "512MB"
local-writer-mem-cache-size = "128MB"
add-index-by-sql = false
pause-pd-scheduler-scope = "table"
block-size = "16KiB"
logical-import-batch-size = "96KiB"
logical-import-batch-rows = 65536

[mydumper]
read-block-size = "64KiB"
batch-import-ratio = 0.75
data-source-dir = "/data/my_database"
character-set = "auto"
data-character-set = "binary"
data-invalid-char-replace = "\uFFFD"
strict-format = false
max-region-size = "256MiB"
filter = ['*.*', '!mysql.*', '!sys.*', '!INFORMATION_SCHEMA.*', '!PERFORMANCE_SCHEMA.*', '!METRICS_SCHEMA.*', '!INSPECTION_SCHEMA.*']
case-sensitive = false
default-file-rules = true

[mydumper.csv]
separator = ','
delimiter = '"'
terminator = ""
header = true
header-schema-match = true
not-null = false
null = '\N'
backslash-escape = true
escaped-by = '\'
trim-last-separator = false

[[mydumper.files]]
pattern = '(?i)^(?:[^/]*/)*([a-z0-9_]+)\.([a-z0-9_]+)\.(?:[0-9]+)\.(?:sql|csv)$'
schema = '$1'
table = '$2'
type = 'sql'
key = ''

[tidb]
host = "172.16.31.1"
port = 4000
user = "root"
password = ""
status-port = 10080
pd-addr = "172.16.31.4:2379"
log-level = "error"
sql-mode = "ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER"
tls = "false"
max-allowed-packet = 67_108_864
build-stats-concurrency = 20
distsql-scan-concurrency = 15
index-serial-scan-concurrency = 20
checksum-table-concurrency = 2

[tidb.session-vars]
tidb_distsql_scan_concurrency = "16"

[post-restore]
checksum = "required"
analyze = "optional"
level-1-compact = false
compact = false
post-process-at-last = true

[cron]
switch-mode = "5m"
log-progress = "5m"
check-disk-quota = "1m"
`

// TestLightningConfigKnowsEveryKey: a real tidb-lightning.toml loads;
// its keys that do nothing here are warned about with why.
func TestLightningConfigKnowsEveryKey(t *testing.T) {
	c := importContext(t)
	var warnings []string
	lists, err := applyLightningConfig(c, writeConfig(t, realConfig), func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings %q", warnings)
	}
	for _, k := range []string{"lightning.region-concurrency (" + whyConcurrency, "tikv-importer.region-split-size (", "checkpoint.enable (", "cron.switch-mode (", "tidb.session-vars.tidb_distsql_scan_concurrency (", "post-restore.compact ("} {
		if !strings.Contains(warnings[0], k) {
			t.Errorf("warning does not name %s: %s", k, warnings[0])
		}
	}
	for _, k := range []string{"tidb.host", "mydumper.csv.separator", "mydumper.data-source-dir", "lightning.max-error"} {
		if strings.Contains(warnings[0], k) {
			t.Errorf("honoured key %s listed as having no effect", k)
		}
	}
	// max-region-size is the chunk size; character sets and files apply.
	if c.String("chunk-size") != "256MiB" || c.String("character-set") != "auto" || c.String("data-character-set") != "binary" {
		t.Errorf("chunk-size %q character-set %q data-character-set %q", c.String("chunk-size"), c.String("character-set"), c.String("data-character-set"))
	}
	if len(lists.FileRules) != 1 || lists.FileRules[0].Schema != "$1" || !lists.DefaultFileRules {
		t.Errorf("file rules %+v default %v", lists.FileRules, lists.DefaultFileRules)
	}
	if c.String("tidb-tls") != "false" || c.String("tidb") != "172.16.31.1:4000" {
		t.Errorf("tidb %q tidb-tls %q", c.String("tidb"), c.String("tidb-tls"))
	}
	// Keys that are flags of Lightning's command line too.
	for name, want := range map[string]string{"log-level": "info", "log-file": "tidb-lightning.log", "status-addr": ":8289", "sorted-kv-dir": "/mnt/ssd/sorted-kv-dir", "backend": "local"} {
		if got := c.String(name); got != want || !c.IsSet(name) {
			t.Errorf("--%s = %q, want %q from the file", name, got, want)
		}
	}
}

// TestLightningConfigUnknownKeys: typos are an error, all named in one
// message, as Lightning's LoadFromTOML does.
func TestLightningConfigUnknownKeys(t *testing.T) {
	_, err := applyLightningConfig(importContext(t), writeConfig(t, `
[mydumper]
data-source-dri = "/data"
[mydumper.csv]
seperator = ';'
[tikv-importer]
backend = "local"
[lighting]
level = "info"
table-concurrency = 2
[[routes]]
schema-pattern = "a"
target-schema = "b"
target_table = "c"
`), func(string) {})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("%v, want ErrConfig", err)
	}
	for _, k := range []string{"mydumper.data-source-dri", "mydumper.csv.seperator", "lighting", "routes.target_table"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
	if strings.Contains(err.Error(), "lighting.level") || strings.Contains(err.Error(), "backend") {
		t.Errorf("error names more than the unknown keys: %v", err)
	}
}

// TestLightningConfigRefused: values whose meaning lightstream cannot
// honour are errors, not warnings.
func TestLightningConfigRefused(t *testing.T) {
	for text, want := range map[string]string{
		"[tikv-importer]\nbackend = 'remote'\n":                                                "want local or tidb",
		"[tikv-importer]\nkeyspace-name = 'ks1'\n":                                             "keyspace",
		"[mydumper]\nno-schema = true\n":                                                       "no-schema",
		"[[mydumper.ignore-data-columns]]\ndb = 'a'\ncolumns = ['x']\n":                        "ignore-data-columns",
		"[mydumper.csv]\nheader-schema-match = false\n":                                        "header-schema-match",
		"[mydumper.csv]\nescaped-by = '|'\n":                                                   "escaped-by",
		"[conflict]\nstrategy = 'merge'\n":                                                     "conflict.strategy",
		"[conflict]\nstrategy = 'replace'\n[tikv-importer]\nduplicate-resolution = 'remove'\n": "duplicate-resolution",
		"[lightning]\nserver-mode = true\n":                                                    "server-mode",
		"[mydumper]\ncharacter-set = 'big5'\n":                                                 "character-set",
		"[mydumper]\ndata-character-set = 'auto'\n":                                            "data-character-set",
		"[tidb]\ntls = 'maybe'\n":                                                              "tidb.tls",
		"[[routes]]\nschema-pattern = 'a'\nextract-table = {}\n":                               "extract-table",
		"[[routes]]\nschema-pattern='a'\ntarget-schema='b'\n[[mydumper.files]]\npattern='x'\nschema='a'\ntable='b'\ntype='sql'\n": "[mydumper.files]",
	} {
		_, err := applyLightningConfig(importContext(t), writeConfig(t, text), func(string) {})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error about %s", text, err, want)
		}
	}
}

// TestLightningConfigImporterBackend: backend = "importer" (Lightning's
// former physical path) imports as local, with a note.
func TestLightningConfigImporterBackend(t *testing.T) {
	c := importContext(t)
	lists, err := applyLightningConfig(c, writeConfig(t, "[tikv-importer]\nbackend = 'importer'\naddr = '127.0.0.1:8287'\n"), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if c.String("backend") != "local" {
		t.Errorf("--backend %q, want local", c.String("backend"))
	}
	if len(lists.Notes) != 1 || !strings.Contains(lists.Notes[0], "importer") || !strings.Contains(lists.Notes[0], "local") {
		t.Errorf("no note about backend = importer: %q", lists.Notes)
	}
	// The command line's --backend wins over the file's.
	c = importContext(t, "--backend", "local")
	if _, err := applyLightningConfig(c, writeConfig(t, "[tikv-importer]\nbackend = 'tidb'\n"), func(string) {}); err != nil {
		t.Errorf("--backend local over the file's tidb: %v", err)
	}
}

// TestLightningConfigBWList: [black-white-list] is the filter when
// mydumper.filter is Lightning's default; with another filter (in the
// file or -f) it is an error, as in Lightning's Adjust.
func TestLightningConfigBWList(t *testing.T) {
	bw := `
[black-white-list]
do-dbs = ["shop", "~^log_"]
ignore-tables = [{db-name = "shop", tbl-name = "tmp*"}]
[[black-white-list.do-tables]]
db-name = "shop"
tbl-name = "orders"
`
	c := importContext(t)
	lists, err := applyLightningConfig(c, writeConfig(t, bw), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	want := dump.BWList{DoDBs: []string{"shop", "~^log_"}, DoTables: []dump.BWTable{{DB: "shop", Table: "orders"}}, IgnoreTables: []dump.BWTable{{DB: "shop", Table: "tmp*"}}}
	if !slices.Equal(lists.BWList.DoDBs, want.DoDBs) || !slices.Equal(lists.BWList.DoTables, want.DoTables) || !slices.Equal(lists.BWList.IgnoreTables, want.IgnoreTables) {
		t.Errorf("bw list %+v", lists.BWList)
	}
	if len(lists.Notes) != 1 || !strings.Contains(lists.Notes[0], "deprecated") {
		t.Errorf("no deprecation note: %q", lists.Notes)
	}
	src, err := sourceOptions(c, lists)
	if err != nil {
		t.Fatal(err)
	}
	f, err := src.Filter(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match("shop", "orders") || f.Match("shop", "users") || f.Match("other", "orders") {
		t.Error("the black-white-list is not the filter")
	}
	// With the default filter written out, the list still applies.
	if _, err := applyLightningConfig(importContext(t), writeConfig(t, bw+"\n[mydumper]\nfilter = ['*.*', '!mysql.*', '!sys.*', '!INFORMATION_SCHEMA.*', '!PERFORMANCE_SCHEMA.*', '!METRICS_SCHEMA.*', '!INSPECTION_SCHEMA.*']\n"), func(string) {}); err != nil {
		t.Errorf("default filter and black-white-list: %v", err)
	}
	if _, err := applyLightningConfig(importContext(t), writeConfig(t, bw+"\n[mydumper]\nfilter = ['shop.*']\n"), func(string) {}); err == nil || !strings.Contains(err.Error(), "simultaneously") {
		t.Errorf("filter and black-white-list: %v", err)
	}
	if _, err := applyLightningConfig(importContext(t, "-f", "shop.*"), writeConfig(t, bw), func(string) {}); err == nil || !strings.Contains(err.Error(), "simultaneously") {
		t.Errorf("-f and black-white-list: %v", err)
	}
	// case-sensitive reaches the filter.
	c = importContext(t)
	lists, err = applyLightningConfig(c, writeConfig(t, bw+"\n[mydumper]\ncase-sensitive = true\n"), func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	src, _ = sourceOptions(c, lists)
	if f, _ := src.Filter(nil); f.Match("SHOP", "orders") || !f.Match("shop", "orders") {
		t.Error("case-sensitive = true: SHOP matched shop")
	}
}

// TestLightningConfigFlagsWin: every flag given wins over the file,
// including the choice of catalog: --no-tidb (or --tidb ”) runs a file
// with [tidb] host and pd-addr on the embedded catalog and store.
func TestLightningConfigFlagsWin(t *testing.T) {
	text := `
[tidb]
host = "tidb.example"
pd-addr = "pd.example:2379"
status-port = 10080
[mydumper]
character-set = "gbk"
data-character-set = "gbk"
data-invalid-char-replace = "?"
case-sensitive = true
max-region-size = "1MiB"
`
	for _, args := range [][]string{{"--no-tidb"}, {"--tidb", ""}} {
		c := importContext(t, append(args, "--character-set", "latin1", "--data-character-set", "binary", "--chunk-size", "2MiB", "--data-invalid-char-replace", "#")...)
		lists, err := applyLightningConfig(c, writeConfig(t, text), func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		src, err := sourceOptions(c, lists)
		if err != nil {
			t.Fatal(err)
		}
		if c.String("tidb") != "" || c.IsSet("pd") || c.IsSet("tidb-status") {
			t.Errorf("%q: tidb %q pd %q tidb-status %q; want the embedded catalog and store", args, c.String("tidb"), c.StringSlice("pd"), c.String("tidb-status"))
		}
		if src.CharacterSet != dump.CharsetLatin1 || src.DataCharacterSet != dump.CharsetBinary || src.DataInvalidCharReplace != "#" || !src.CaseSensitive || c.String("chunk-size") != "2MiB" {
			t.Errorf("%q: flags did not win: %+v chunk-size %s", args, src, c.String("chunk-size"))
		}
	}
	c := importContext(t, "--no-tidb", "--tidb", "h:4000")
	lists, _ := applyLightningConfig(c, writeConfig(t, text), func(string) {})
	if _, err := sourceOptions(c, lists); err == nil {
		t.Error("--no-tidb with --tidb: want an error")
	}
}
