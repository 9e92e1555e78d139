package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/cli"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// TestTool241 imports lightning_tool_241 (tidb-tools#241): 0-byte data
// files, tables with no data file, zero-date defaults that need an empty
// sql_mode (its config.toml sets [tidb] sql-mode = ”).
func TestTool241(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{
		Dump: corpus(t, "lightning-cases", "lightning_tool_241", "data"), WorkDir: work, SQLMode: "",
	})
	for _, name := range []string{"q_alarm_group", "q_alarm_message_log", "q_alarm_receiver", "q_config",
		"q_report_circular_data", "q_report_desc", "q_report_summary", "q_system_update", "q_user_log"} {
		if e := exportTable(t, work, "qyjc", name); len(e.Rows) != 0 {
			t.Errorf("qyjc.%s: %d rows, want 0", name, len(e.Rows))
		}
	}
	e := exportTable(t, work, "qyjc", "q_fish_event")
	ids := e.values(t, "id")
	if len(ids) != 84 {
		t.Fatalf("count(id) = %d, want 84", len(ids))
	}
	n := make([]int, len(ids))
	for i, s := range ids {
		n[i] = atoi(t, s)
	}
	if slices.Min(n) != 8343146 || slices.Max(n) != 8343229 {
		t.Errorf("min(id), max(id) = %d, %d; want 8343146, 8343229", slices.Min(n), slices.Max(n))
	}
	// The Chinese text of the first row survives utf8 end to end.
	if got := lookup(t, e, "id", "8343146", "reason"); !slices.Equal(got, []string{"推荐更多很多位置必须语言表示欢迎."}) {
		t.Errorf("reason of id 8343146 = %q", got)
	}
	if s := summary.FromResult(res); len(s.Tables) != 10 {
		t.Errorf("summary lists %d tables, want 10", len(s.Tables))
	}
}

// cliRuns serializes runCLI: the commands are shared *cli.Command values
// that cli.NewApp and urfave/cli's Run set up in place (usage handlers,
// help subcommands), which parallel tests must not do at once.
var cliRuns sync.Mutex

// runCLI runs the lightstream app in-process and returns its stdout.
func runCLI(t testing.TB, args ...string) (string, error) {
	t.Helper()
	cliRuns.Lock()
	defer cliRuns.Unlock()
	app := cli.NewApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	// --verbose keeps the app from lowering the log level to WARN: TestMain
	// already set ERROR, which keeps client-go's slow-TSO warnings quiet.
	err := app.RunContext(context.Background(), append([]string{"lightstream", "--verbose"}, args...))
	return out.String(), err
}

// TestExoticFilenames copies lightning_exotic_filenames to the exotic names
// run.sh gives them (backquote, double quote, doubled backquotes, CJK) and
// imports and exports through the CLI.
func TestExoticFilenames(t *testing.T) {
	t.Parallel()
	src := corpus(t, "lightning-cases", "lightning_exotic_filenames", "data")
	dumpDir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dumpDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{
		"zwk-schema-create.sql": "中文庫-schema-create.sql",
		"zwk.zwb-schema.sql":    "中文庫.中文表-schema.sql",
		"zwk.zwb.sql":           "中文庫.中文表.sql",
		"xfn-schema-create.sql": "x`f\"n-schema-create.sql",
		"xfn.etn-schema.sql":    "x`f\"n.exotic`table``name-schema.sql",
		"xfn.etn.sql":           "x`f\"n.exotic`table``name.sql",
	} {
		copyFile(t, filepath.Join(src, from), filepath.Join(dumpDir, to))
	}
	work := t.TempDir()
	out, err := runCLI(t, "import", "-q", "--dump", dumpDir, "--work-dir", work)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "complete") {
		t.Errorf("import output does not say complete:\n%s", out)
	}

	csv, err := runCLI(t, "export", "--work-dir", work, "--table", "`x``f\"n`.`exotic``table````name`")
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	e, err := parseDumpCSV([]byte(csv))
	if err != nil {
		t.Fatalf("parse export: %v\n%s", err, csv)
	}
	if len(e.Rows) != 5 {
		t.Errorf("count(*) = %d, want 5", len(e.Rows))
	}
	var got []string
	for _, r := range e.Rows {
		got = append(got, deref(r[e.col(t, "a")])+"="+deref(r[e.col(t, "b")]))
	}
	sort.Strings(got)
	if want := []string{"aaaaaa=11", "bbbbbb=22", "cccccc=33", "dddddd=44", "eeeeee=55"}; !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	// The dump gives _tidb_rowid explicitly. A stock TiDB session clusters
	// every primary key (pkg/sessionctx/vardef/tidb_vars.go
	// DefTiDBEnableClusteredIndex = ClusteredIndexDefModeOn), so the
	// VARCHAR key is the handle and the row ids are not stored; a
	// nonclustered table (tidb_enable_clustered_index = INT_ONLY, which
	// upstream run.sh's `SELECT _tidb_rowid` presumes) must carry them as
	// its record handles.
	db, table := "x`f\"n", "exotic`table``name"
	h, common := recordHandles(t, work, db, table)
	if loadModel(t, work, db, table).IsCommonHandle {
		if common != 5 {
			t.Errorf("clustered table: %d common-handle records, want 5", common)
		}
	} else if !slices.Equal(h, []int64{79995, 79996, 79997, 79998, 79999}) {
		t.Errorf("record handles %v, want the dump's _tidb_rowid 79995..79999", h)
	}

	csv, err = runCLI(t, "export", "--work-dir", work, "--table", "中文庫.中文表")
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if csv != "\"a\"\n\"2345\"\n" {
		t.Errorf("SELECT * FROM 中文庫.中文表 exported %q, want a / 2345", csv)
	}
}

// recordHandles returns the int handles of a table's record keys and the
// number of common (clustered) handles.
func recordHandles(t testing.TB, work, db, table string) (ints []int64, common int) {
	t.Helper()
	m := loadModel(t, work, db, table)
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := tidbcodec.AppendRecordPrefix(nil, m.ID)
	end := append(tidbcodec.AppendTablePrefix(nil, m.ID), '_', 's')
	err = st.Scan(context.Background(), start, end, func(k, _ []byte) error {
		_, h, err := tidbcodec.DecodeRecordKey(k)
		if err != nil {
			return err
		}
		if h.IsInt() {
			ints = append(ints, h.IntValue())
		} else {
			common++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ints, common
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// lightningCSV returns the [mydumper.csv] options of lightning_csv's
// config.toml: separator ',', delimiter '"', header = false,
// not-null = false, null = '\N', backslash-escape = true,
// trim-last-separator = false.
func lightningCSV() rowparse.CSVOptions {
	o := rowparse.DefaultCSVOptions()
	o.Separator, o.Delimiter, o.Header, o.NotNull = ",", `"`, false, false
	o.Null, o.BackslashEscape, o.TrimLastSeparator = []string{`\N`}, true, false
	return o
}

// TestLightningCSV imports lightning_csv/data and runs run.sh's checks.
func TestLightningCSV(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	mustImport(t, pipeline.Config{
		Dump: corpus(t, "lightning-cases", "lightning_csv", "data"), WorkDir: work, CSV: lightningCSV(),
	})
	t.Run("threads", func(t *testing.T) {
		// SELECT count(*), sum(PROCESSLIST_TIME), sum(THREAD_OS_ID),
		// count(PROCESSLIST_STATE) -> 43, 322253, 303775702, 3; 12 rows
		// with PROCESSLIST_TIME not NULL.
		e := exportTable(t, work, "csv", "threads")
		times, osIDs, states := e.values(t, "PROCESSLIST_TIME"), e.values(t, "THREAD_OS_ID"), e.values(t, "PROCESSLIST_STATE")
		sum := func(vs []string) uint64 {
			var s uint64
			for _, v := range vs {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					t.Fatalf("%q: %v", v, err)
				}
				s += n
			}
			return s
		}
		if len(e.Rows) != 43 || sum(times) != 322253 || sum(osIDs) != 303775702 || len(states) != 3 || len(times) != 12 {
			t.Errorf("count, sum(time), sum(os id), count(state), count(time) = %d, %d, %d, %d, %d; want 43, 322253, 303775702, 3, 12",
				len(e.Rows), sum(times), sum(osIDs), len(states), len(times))
		}
	})
	t.Run("escapes", func(t *testing.T) {
		e := exportTable(t, work, "csv", "escapes")
		for _, c := range []struct{ i, hexT, j, hexB string }{
			{"1", "5C", `{"?": []}`, "FFFFFFFF"},
			{"2", "22", `"\n\n\n"`, "0D0A0D0A"},
			{"3", "0A", `[",,,"]`, "5C2C5C2C"},
		} {
			got := strings.Join([]string{
				hexUpper(lookup(t, e, "i", c.i, "t")), strings.Join(lookup(t, e, "i", c.i, "j"), ""), hexUpper(lookup(t, e, "i", c.i, "b")),
			}, " | ")
			if want := c.hexT + " | " + c.j + " | " + c.hexB; got != want {
				t.Errorf("i = %s: hex(t), j, hex(b) = %s; want %s", c.i, got, want)
			}
		}
	})
	t.Run("empty_strings", func(t *testing.T) {
		// SELECT id WHERE a = '"' -> 3; SELECT id WHERE b <> "" -> none.
		e := exportTable(t, work, "csv", "empty_strings")
		if got := lookup(t, e, "a", `"`, "id"); !slices.Equal(got, []string{"3"}) {
			t.Errorf(`id where a = '"': %q, want [3]`, got)
		}
		// With null = '\N', an empty unquoted field is the empty string,
		// not NULL, so b is "" on every row.
		for _, r := range e.Rows {
			if b := r[e.col(t, "b")]; b == nil || *b != "" {
				t.Errorf("row id %s: b = %s, want the empty string", deref(r[e.col(t, "id")]), deref(b))
			}
		}
	})
}

func hexUpper(vs []string) string {
	var b strings.Builder
	for _, v := range vs {
		for _, c := range []byte(v) {
			b.WriteString(strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}

// TestLightningCSVErrData: errData/db.test.1.csv has an unterminated quote
// on line 3 (`1111,",7,8`); upstream expects the import to fail with
// ["syntax error"] [pos=22] and the offending text in the log.
func TestLightningCSVErrData(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	res, _, err := runImport(t, pipeline.Config{
		Dump: corpus(t, "lightning-cases", "lightning_csv", "errData"), WorkDir: work, CSV: lightningCSV(),
	})
	if err == nil {
		t.Fatal("import of errData succeeded; want a syntax error")
	}
	msg := err.Error()
	for _, want := range []string{"db.test.1.csv", "22", "line 3", ",7,8", "syntax error"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if res == nil {
		t.Fatal("no result for the failed import")
	}
	s := summary.FromResult(res)
	if s.Status == string(checkpoint.Complete) {
		t.Errorf("summary status %q for a failed import", s.Status)
	}
	for _, tb := range s.Tables {
		if tb.ChecksumMatch {
			t.Errorf("summary claims %s.%s matched", tb.DB, tb.Table)
		}
	}
	cp, cerr := checkpoint.Open(pipeline.CheckpointPath(work))
	if cerr != nil {
		t.Fatal(cerr)
	}
	if st := cp.Snapshot().Status; st == checkpoint.Complete {
		t.Errorf("checkpoint status %q for a failed import", st)
	}
}
