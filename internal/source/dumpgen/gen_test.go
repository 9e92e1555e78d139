package dumpgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readDir maps each file name of dir to its content.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func TestDeterministic(t *testing.T) {
	for _, c := range []struct {
		f  Format
		cp Compression
	}{{FormatSQL, CompressNone}, {FormatCSV, CompressGzip}, {FormatSQL, CompressZstd}} {
		t.Run(c.f.String()+"-"+c.cp.String(), func(t *testing.T) {
			cfg := Config{Size: 1 << 20, Tables: TableNames(), Seed: 42, Format: c.f, Compress: c.cp, FileSize: 100 << 10}
			a, b := t.TempDir(), t.TempDir()
			cfg.Dir = a
			run(t, cfg)
			cfg.Dir = b
			run(t, cfg)
			fa, fb := readDir(t, a), readDir(t, b)
			if len(fa) != len(fb) || len(fa) < 10 {
				t.Fatalf("%d files vs %d", len(fa), len(fb))
			}
			for name, data := range fa {
				if !bytes.Equal(data, fb[name]) {
					t.Errorf("%s differs between runs", name)
				}
			}
			cfg.Dir, cfg.Seed = t.TempDir(), 43
			run(t, cfg)
			fc := readDir(t, cfg.Dir)
			name := "gen.sbtest.000000000" + c.f.ext() + c.cp.suffix()
			if bytes.Equal(fa[name], fc[name]) {
				t.Errorf("seed 42 and 43 wrote the same %s", name)
			}
		})
	}
}

// TestTableStreamsIndependent: a table's rows do not depend on which other
// tables are generated.
func TestTableStreamsIndependent(t *testing.T) {
	a := t.TempDir()
	run(t, Config{Dir: a, Size: 1 << 20, Tables: []string{"wide"}})
	b := t.TempDir()
	run(t, Config{Dir: b, Size: 2 << 20, Tables: []string{"texts", "wide"}})
	x, _ := os.ReadFile(filepath.Join(a, "gen.wide.000000000.sql"))
	y, _ := os.ReadFile(filepath.Join(b, "gen.wide.000000000.sql"))
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Errorf("wide differs when generated alone (%d bytes) and with texts (%d bytes)", len(x), len(y))
	}
}

func TestSizeAndLayout(t *testing.T) {
	const size = 4 << 20
	for _, f := range []Format{FormatSQL, FormatCSV} {
		for _, tables := range [][]string{{"sbtest"}, TableNames()} {
			t.Run(f.String()+"-"+strings.Join(tables, "+"), func(t *testing.T) {
				dir := t.TempDir()
				res := run(t, Config{Dir: dir, Size: size, Tables: tables, Format: f, FileSize: 300 << 10, DB: "bench"})
				var total int64
				files := readDir(t, dir)
				for name, data := range files {
					if strings.Count(name, ".") == 3 && !strings.Contains(name, "-schema") {
						total += int64(len(data))
						if len(data) > 300<<10 {
							t.Errorf("%s: %d bytes > file size", name, len(data))
						}
					}
				}
				if total != res.Bytes {
					t.Errorf("files hold %d bytes, result says %d", total, res.Bytes)
				}
				if total > size || float64(total) < 0.98*size {
					t.Errorf("data files total %d bytes, want within 2%% below %d", total, size)
				}
				for _, tr := range res.Tables {
					if tr.Files < 2 {
						t.Errorf("%s: %d files, want several at 300 KiB each", tr.Name, tr.Files)
					}
					for i := 0; i < tr.Files; i++ {
						name := fmt.Sprintf("bench.%s.%09d%s", tr.Name, i, f.ext())
						if _, ok := files[name]; !ok {
							t.Errorf("missing %s", name)
						}
					}
					if _, ok := files["bench."+tr.Name+"-schema.sql"]; !ok {
						t.Errorf("missing schema of %s", tr.Name)
					}
				}
				if got := string(files["bench-schema-create.sql"]); got != "/*!40101 SET NAMES binary*/;\nCREATE DATABASE `bench` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;\n" {
					t.Errorf("schema-create = %q", got)
				}
				if m := string(files["metadata"]); !strings.HasPrefix(m, "Started dump at: ") || !strings.Contains(m, "Finished dump at: ") {
					t.Errorf("metadata = %q", m)
				}
				if f == FormatSQL {
					first := string(files["bench.sbtest.000000000.sql"])
					if !strings.HasPrefix(first, setNames+"INSERT INTO `sbtest` VALUES\n(1,") || !strings.HasSuffix(first, ");\n") {
						t.Errorf("sbtest file starts %q ends %q", first[:60], first[len(first)-10:])
					}
				} else if first := string(files["bench.sbtest.000000000.csv"]); !strings.HasPrefix(first, "\"id\",\"k\",\"c\",\"pad\"\r\n1,") {
					t.Errorf("sbtest csv starts %q", first[:40])
				}
			})
		}
	}
}

// TestStatementSize: INSERT statements close once they reach the
// statement size, as dumpling's do.
func TestStatementSize(t *testing.T) {
	dir := t.TempDir()
	run(t, Config{Dir: dir, Size: 3 << 20, Tables: []string{"sbtest"}})
	data, err := os.ReadFile(filepath.Join(dir, "gen.sbtest.000000000.sql"))
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(string(data), setNames)
	if !ok {
		t.Fatalf("file does not start with %q", setNames)
	}
	stmts := strings.Split(strings.TrimSuffix(text, ";\n"), ";\nINSERT")
	if len(stmts) != 4 {
		t.Fatalf("%d statements in 3 MiB, want 4", len(stmts))
	}
	for i, s := range stmts[:len(stmts)-1] {
		if n := len(s) + 2; n < statementLimit || n > statementLimit+300 {
			t.Errorf("statement %d: %d bytes, want just over %d", i, n, statementLimit)
		}
	}
}

// TestReadBack reads every generated file with the dump scanner and row
// readers, converts every value with TiDB's rules for its column type in
// strict mode, and checks keys are unique and values well-formed.
func TestReadBack(t *testing.T) {
	for _, c := range []struct {
		f  Format
		cp Compression
	}{{FormatSQL, CompressNone}, {FormatCSV, CompressNone}, {FormatSQL, CompressGzip}, {FormatCSV, CompressZstd}} {
		t.Run(c.f.String()+"-"+c.cp.String(), func(t *testing.T) {
			dir := t.TempDir()
			res := run(t, Config{Dir: dir, Size: 3 << 20, Tables: TableNames(), Format: c.f, Compress: c.cp, FileSize: 400 << 10, Seed: 9})
			d, err := dump.Scan(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Tables) != len(res.Tables) || d.Metadata == "" {
				t.Fatalf("scan found %d tables (metadata %q), want %d", len(d.Tables), d.Metadata, len(res.Tables))
			}
			for _, dt := range d.Tables {
				var want TableResult
				for _, tr := range res.Tables {
					if tr.Name == dt.Name {
						want = tr
					}
				}
				got := readTable(t, dt, c.f)
				if got != want.Rows || got == 0 {
					t.Errorf("%s: read %d rows, generated %d", dt.Name, got, want.Rows)
				}
			}
		})
	}
}

var sbtestC = regexp.MustCompile(`^(\d{11}-){9}\d{11}$`)

func readTable(t *testing.T, dt *dump.Table, f Format) int64 {
	t.Helper()
	schema, err := dump.ReadSchemaFile(dt.SchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	tbl, warns, err := tablemodel.ParseCreateTable(string(schema), tablemodel.DBDefaults{Name: dt.DB, Charset: "utf8mb4", Collate: "utf8mb4_bin"}, 1)
	if err != nil || len(warns) > 0 {
		t.Fatalf("schema of %s: %v %v", dt.Name, err, warns)
	}
	conv, err := valueconv.NewConverter(tbl, valueconv.Session{Mode: sqlmode.StrictAll, Loc: time.UTC, Now: time.Unix(loadTime, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// Unique keys: the primary key and every unique index, as text.
	uniq := map[string]map[string]bool{}
	var rows int64
	var d datum.Datum
	for _, df := range dt.DataFiles {
		rc, err := dump.Open(df.Path, df.Compression)
		if err != nil {
			t.Fatal(err)
		}
		next := readerFor(t, rc, f, df.Path)
		for {
			fields, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s row %d: %v", df.Path, rows, err)
			}
			if len(fields) != len(tbl.Columns) {
				t.Fatalf("%s row %d: %d fields for %d columns", df.Path, rows, len(fields), len(tbl.Columns))
			}
			for i, fl := range fields {
				if err := conv.Convert(i, fl, &d); err != nil {
					t.Fatalf("%s row %d column %s value %q: %v", df.Path, rows, tbl.Columns[i].Name, fl.Bytes, err)
				}
				if fl.Kind == literal.FieldString && tbl.Columns[i].Collate != "binary" && !utf8.Valid(fl.Bytes) {
					t.Fatalf("%s row %d column %s: invalid UTF-8", df.Path, rows, tbl.Columns[i].Name)
				}
			}
			rows++
			checkRow(t, dt.Name, rows, fields, uniq)
		}
		rc.Close()
	}
	return rows
}

func readerFor(t *testing.T, r io.Reader, f Format, name string) func() ([]literal.Field, error) {
	if f == FormatSQL {
		sr := rowparse.NewSQLReader(r, rowparse.SQLOptions{File: name})
		return sr.Next
	}
	opts := rowparse.DefaultCSVOptions()
	opts.File, opts.Header = name, true
	cr, err := rowparse.NewCSVReader(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	return cr.Next
}

// checkRow checks per-table facts: key uniqueness and the shapes the
// generator promises.
func checkRow(t *testing.T, table string, n int64, fs []literal.Field, uniq map[string]map[string]bool) {
	t.Helper()
	unique := func(name string, fields ...literal.Field) {
		var parts []string
		for _, f := range fields {
			if f.Kind == literal.FieldNull {
				return // NULLs never collide in a unique index
			}
			parts = append(parts, string(f.Bytes))
		}
		k := strings.Join(parts, "\x00")
		if uniq[name] == nil {
			uniq[name] = map[string]bool{}
		}
		if uniq[name][k] {
			t.Fatalf("%s row %d: duplicate %s %q", table, n, name, k)
		}
		uniq[name][k] = true
	}
	switch table {
	case "sbtest":
		if string(fs[0].Bytes) != fmt.Sprint(n) || !sbtestC.Match(fs[2].Bytes) || len(fs[3].Bytes) != 59 {
			t.Fatalf("sbtest row %d: %q %q %q", n, fs[0].Bytes, fs[2].Bytes, fs[3].Bytes)
		}
		unique("PRIMARY", fs[0])
	case "orderline":
		unique("PRIMARY", fs[:4]...)
		if (fs[6].Kind == literal.FieldNull) == (string(fs[8].Bytes) == "0.00") {
			t.Fatalf("orderline row %d: delivery %q with amount %s", n, fs[6].Bytes, fs[8].Bytes)
		}
	case "wide":
		unique("PRIMARY", fs[0])
		unique("uk_bigint", fs[9])
		if fs[27].Kind != literal.FieldNull && !json.Valid(fs[27].Bytes) {
			t.Fatalf("wide row %d: invalid JSON %q", n, fs[27].Bytes)
		}
		if fs[23].Kind != literal.FieldNull && len(fs[23].Bytes) != 8 {
			t.Fatalf("wide row %d: binary(8) of %d bytes", n, len(fs[23].Bytes))
		}
	case "lineitem":
		checkLineitem(t, n, fs)
	case "orders":
		if !tpchClerk.Match(fs[6].Bytes) || !tpchDecimal.Match(fs[3].Bytes) {
			t.Fatalf("orders row %d: clerk %q price %q", n, fs[6].Bytes, fs[3].Bytes)
		}
		unique("O_ORDERKEY", fs[0])
	case "partsupp":
		unique("PS_PARTKEY,PS_SUPPKEY", fs[0], fs[1])
		if c := len(fs[4].Bytes); c > 199 || !tpchDecimal.Match(fs[3].Bytes) {
			t.Fatalf("partsupp row %d: comment of %d bytes, cost %q", n, c, fs[3].Bytes)
		}
	case "texts":
		unique("PRIMARY", fs[0])
		if c := utf8.RuneCount(fs[1].Bytes); c == 0 || c > 200 {
			t.Fatalf("texts row %d: title of %d characters", n, c)
		}
		if fs[3].Kind != literal.FieldNull && utf8.RuneCount(fs[3].Bytes) > 100 {
			t.Fatalf("texts row %d: tags too long", n)
		}
	}
}

// TestSchemasParse checks the CREATE TABLE statements build the tables
// they promise (independently of the data).
func TestSchemasParse(t *testing.T) {
	for _, def := range tableDefs {
		tbl, warns, err := tablemodel.ParseCreateTable(setNames+def.create, tablemodel.DBDefaults{Name: "gen"}, 1)
		if err != nil || len(warns) > 0 {
			t.Fatalf("%s: %v %v", def.name, err, warns)
		}
		var names []string
		for _, c := range tbl.Columns {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != strings.Join(def.columns, ",") {
			t.Errorf("%s: schema columns %v, generator columns %v", def.name, names, def.columns)
		}
		var idx []string
		for _, ix := range tbl.Indexes {
			name := ix.Name
			if ix.Unique {
				name += "(unique)"
			}
			idx = append(idx, name)
		}
		sort.Strings(idx)
		got := fmt.Sprintf("handle=%v common=%v %v", tbl.PKIsHandle, tbl.IsCommonHandle, idx)
		if got != wantKeys[def.name] {
			t.Errorf("%s: %s, want %s", def.name, got, wantKeys[def.name])
		}
	}
	tbl, _, _ := tablemodel.ParseCreateTable(textsDef.create, tablemodel.DBDefaults{Name: "gen"}, 1)
	if c := tbl.Column("title"); c == nil || c.Collate != "utf8mb4_general_ci" {
		t.Errorf("texts.title collation: %+v", c)
	}
}

var wantKeys = map[string]string{
	"sbtest":    "handle=true common=false [k_1]",
	"orderline": "handle=false common=true [PRIMARY(unique)]",
	"wide":      "handle=true common=false [idx_varchar_date uk_bigint(unique)]",
	"texts":     "handle=true common=false [idx_tags idx_title]",
	"lineitem":  "handle=false common=false []",
	"orders":    "handle=false common=false []",
	"partsupp":  "handle=false common=false []",
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Size: 1},
		{Dir: "x"},
		{Dir: "x", Size: 1, Tables: []string{"nope"}},
		{Dir: "x", Size: 1, Tables: []string{"wide", "wide"}},
		{Dir: "x", Size: 1, DB: "a.b"},
		{Dir: "x", Size: 1, FileSize: -1},
	} {
		if _, err := Run(context.Background(), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("Run(%+v) err = %v, want ErrConfig", cfg, err)
		}
	}
	if _, err := ParseFormat("xml"); !errors.Is(err, ErrConfig) {
		t.Error("ParseFormat(xml) accepted")
	}
	if _, err := ParseCompression("lz4"); !errors.Is(err, ErrConfig) {
		t.Error("ParseCompression(lz4) accepted")
	}
}
