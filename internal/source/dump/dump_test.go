package dump

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// corpora is the shared corpora folder, with a trailing slash.
func corpora(t testing.TB) string { return golden.Shared(t, "corpora") + "/" }

// readChunks reads all rows of the chunks, each field rendered as N (NULL)
// or its bytes quoted.
func readChunks(t testing.TB, chunks []Chunk, csv rowparse.CSVOptions) [][]string {
	t.Helper()
	var rows [][]string
	for _, c := range chunks {
		r, err := c.Open()
		if err != nil {
			t.Fatal(err)
		}
		next := func() ([]literal.Field, error) { return nil, io.EOF }
		if c.Format == FormatSQL {
			sr := rowparse.NewSQLReader(r, c.SQLOptions(false))
			next = sr.Next
		} else {
			cr, err := rowparse.NewCSVReader(r, c.CSVOptions(csv))
			if err != nil {
				t.Fatal(err)
			}
			next = cr.Next
		}
		for {
			row, err := next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("chunk %s: %v", c.ID, err)
			}
			out := make([]string, len(row))
			for i, f := range row {
				if f.Kind == literal.FieldNull {
					out[i] = "N"
				} else {
					out[i] = fmt.Sprintf("%q", f.Bytes)
				}
			}
			rows = append(rows, out)
		}
		r.Close()
	}
	return rows
}

func tableRows(t testing.TB, d *Dump, tb *Table, chunkSize int64) [][]string {
	t.Helper()
	schema, err := ReadSchemaFile(tb.SchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := ColumnNames(schema)
	if err != nil {
		t.Fatal(err)
	}
	csv := rowparse.DefaultCSVOptions()
	csv.Header = true
	chunks, err := MakeChunks(tb, ChunkOptions{ChunkSize: chunkSize, Columns: len(cols), CSV: csv})
	if err != nil {
		t.Fatal(err)
	}
	return readChunks(t, chunks, csv)
}

func TestSakilaVariants(t *testing.T) {
	var checks []struct {
		Table string `json:"table"`
		Count int    `json:"count"`
	}
	raw, err := os.ReadFile(corpora(t) + "sakila-expected-checks.json")
	if err != nil {
		golden.Missing(t, err.Error())
	}
	if err := json.Unmarshal(raw, &checks); err != nil {
		t.Fatal(err)
	}
	dumps := map[string]*Dump{}
	for _, v := range []string{"sakila", "sakila-csv", "sakila-gzip", "sakila-zstd"} {
		d, err := Scan(corpora(t)+v, nil)
		if err != nil {
			t.Fatal(err)
		}
		dumps[v] = d
	}
	for _, c := range checks {
		base := dumps["sakila"].Table("sakila", c.Table)
		if base == nil {
			t.Fatalf("table %s not found", c.Table)
		}
		// A small chunk size makes the big tables split inside statements.
		want := tableRows(t, dumps["sakila"], base, 64<<10)
		if len(want) != c.Count {
			t.Errorf("%s: %d rows, want %d", c.Table, len(want), c.Count)
		}
		for _, v := range []string{"sakila-csv", "sakila-gzip", "sakila-zstd"} {
			tb := dumps[v].Table("sakila", c.Table)
			got := tableRows(t, dumps[v], tb, 64<<10)
			if len(got) != len(want) {
				t.Errorf("%s %s: %d rows, want %d", v, c.Table, len(got), len(want))
				continue
			}
			for i := range got {
				if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
					t.Errorf("%s %s row %d:\n got %v\nwant %v", v, c.Table, i, got[i], want[i])
					break
				}
			}
		}
	}
}

func TestScanLightningCases(t *testing.T) {
	counts := map[string]int{"bigint": 6, "binary": 51, "bit": 16, "char": 50, "datetime": 70, "decimal": 50,
		"double": 41, "empty_strings": 6, "enum-set": 26, "json": 92, "precise_types": 1}
	d, err := Scan(corpora(t)+"lightning-cases/lightning_various_types/data", nil)
	if err != nil {
		golden.Missing(t, err.Error())
	}
	for name, n := range counts {
		tb := d.Table("vt", name)
		if tb == nil {
			t.Fatalf("vt.%s missing", name)
		}
		if got := len(tableRows(t, d, tb, 0)); got != n {
			t.Errorf("vt.%s: %d rows, want %d", name, got, n)
		}
	}
	d, err = Scan(corpora(t)+"lightning-cases/lightning_tool_241/data", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 10 {
		t.Errorf("qyjc: %d tables, want 10", len(d.Tables))
	}
	for _, tb := range d.Tables {
		rows := tableRows(t, d, tb, 0)
		want := 0
		if tb.Name == "q_fish_event" {
			want = 84
			if rows[0][0] != `"8343146"` || rows[83][0] != `"8343229"` {
				t.Errorf("q_fish_event ids %s..%s", rows[0][0], rows[83][0])
			}
		}
		if len(rows) != want {
			t.Errorf("qyjc.%s: %d rows, want %d", tb.Name, len(rows), want)
		}
	}
	d, err = Scan(corpora(t)+"lightning-cases/lightning_csv/data", nil)
	if err != nil {
		t.Fatal(err)
	}
	// csv-schema-create.sql creates `CSV`: the file name's spelling is used
	// and names compare case-insensitively.
	if len(d.Databases) != 1 || d.Databases[0].Name != "csv" || len(d.Tables) != 3 || d.Table("CSV", "THREADS") == nil {
		t.Errorf("csv: databases %+v, %d tables", d.Databases, len(d.Tables))
	}
	for _, tb := range d.Tables {
		if tb.DB != "csv" || tb.SchemaFile == "" || len(tb.DataFiles) != 1 {
			t.Errorf("csv table %+v", tb)
		}
	}
}

func TestScanExoticFilenames(t *testing.T) {
	src := corpora(t) + "lightning-cases/lightning_exotic_filenames/data/"
	dir := t.TempDir()
	names := map[string]string{
		"zwk-schema-create.sql": "中文庫-schema-create.sql",
		"zwk.zwb-schema.sql":    "中文庫.中文表-schema.sql",
		"zwk.zwb.sql":           "中文庫.中文表.sql",
		"xfn-schema-create.sql": "x`f\"n-schema-create.sql",
		"xfn.etn-schema.sql":    "x`f\"n.exotic`table``name-schema.sql",
		"xfn.etn.sql":           "x`f\"n.exotic`table``name.sql",
	}
	for from, to := range names {
		b, err := os.ReadFile(src + from)
		if err != nil {
			golden.Missing(t, err.Error())
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644)
	d, err := Scan(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table("x`f\"n", "exotic`table``name")
	if tb == nil || len(tb.DataFiles) != 1 || tb.DataFiles[0].Index != -1 {
		t.Fatalf("exotic table: %+v", tb)
	}
	if n := len(tableRows(t, d, tb, 0)); n != 5 {
		t.Errorf("exotic table: %d rows, want 5", n)
	}
	zh := d.Table("中文庫", "中文表")
	if zh == nil {
		t.Fatal("中文表 missing")
	}
	if rows := tableRows(t, d, zh, 0); len(rows) != 1 || rows[0][0] != `"2345"` {
		t.Errorf("中文表 rows %v", rows)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "notes.txt") {
		t.Errorf("warnings %q", d.Warnings)
	}
}

func TestFilter(t *testing.T) {
	cases := []struct {
		rules     []string
		db, table string
		want      bool
	}{
		{[]string{"db.*"}, "db", "t", true},
		{[]string{"db.*"}, "DB", "T", true},
		{[]string{"db.*"}, "other", "t", false},
		{[]string{"db.*", "!db.tmp*"}, "db", "tmp1", false},
		{[]string{"db.*", "!db.tmp*"}, "db", "t", true},
		{[]string{"!db.tmp*", "db.*"}, "db", "tmp1", true},
		{[]string{"d?.t[0-9]"}, "db", "t5", true},
		{[]string{"d?.t[0-9]"}, "db", "tx", false},
		{[]string{"`x``f\"n`.`a*`"}, "x`f\"n", "a*", true},
		{[]string{"`x``f\"n`.`a*`"}, "x`f\"n", "ab", false},
		{[]string{"/^d.$/.*"}, "db", "t", true},
		{nil, "mysql", "user", false},
		{nil, "sakila", "actor", true},
	}
	for _, tc := range cases {
		f, err := ParseFilter(tc.rules)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(tc.db, tc.table); got != tc.want {
			t.Errorf("%q match %s.%s = %v", tc.rules, tc.db, tc.table, got)
		}
	}
	for _, bad := range []string{"db", "`db.t", "/(/.t"} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

// TestScanFilesNotImported: a sequence is reported and skipped; a data file
// lightstream cannot read (an unknown compression) stops the
// scan naming the file, since skipping it would import its table without
// those rows, unless the filter leaves its table out.
func TestScanFilesNotImported(t *testing.T) {
	write := func(names ...string) string {
		dir := t.TempDir()
		for _, n := range append([]string{"db-schema-create.sql", "db.t-schema.sql", "db.t.000000000.sql"}, names...) {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	d, err := Scan(write("db.seq-schema-sequence.sql"), nil)
	if err != nil || len(d.Tables) != 1 || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "sequence") {
		t.Fatalf("sequence: %v, tables %d, warnings %q", err, len(d.Tables), d.Warnings)
	}
	d, err = Scan(write("db.t.000000001.parquet", "DB.T.parquet"), nil)
	if err != nil || len(d.Tables) != 1 || len(d.Tables[0].DataFiles) != 3 {
		t.Fatalf("parquet: %v, %+v", err, d.Tables)
	}
	if f := d.Tables[0].DataFiles; f[0].Format != FormatParquet || f[0].Index != -1 || f[1].Format != FormatSQL || f[2].Format != FormatParquet || f[2].Index != 1 {
		t.Errorf("parquet files: %+v", f)
	}
	for _, name := range []string{"db.t.000000001.sql.bz2"} {
		_, err := Scan(write(name), nil)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "db.t") {
			t.Errorf("%s: %v", name, err)
		}
		other, _ := ParseFilter([]string{"other.*"})
		if _, err := Scan(write(name), other); err != nil {
			t.Errorf("%s of a filtered-out table: %v", name, err)
		}
	}
}

func TestParseRoute(t *testing.T) {
	r, err := ParseRoute("shard_*.orders_*=shop.orders")
	if err != nil || r != (Route{SchemaPattern: "shard_*", TablePattern: "orders_*", TargetSchema: "shop", TargetTable: "orders"}) {
		t.Fatalf("%+v, %v", r, err)
	}
	if r, err := ParseRoute("old=new"); err != nil || r != (Route{SchemaPattern: "old", TargetSchema: "new"}) {
		t.Fatalf("schema route: %+v, %v", r, err)
	}
	for _, bad := range []string{"a.b", "=x", "a=", "a=b.c", "[.t=x.y"} {
		if _, err := ParseRoute(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestScanRouted: the shards of a table merge into the routed target
// (every data file, the first schema file, the sources listed); a schema
// route renames a database; the filter selects by source names.
func TestScanRouted(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{
		"shard_0-schema-create.sql", "shard_0.orders_0-schema.sql", "shard_0.orders_0.000000000.sql",
		"shard_1-schema-create.sql", "shard_1.orders_1-schema.sql", "shard_1.orders_1.000000000.sql", "shard_1.orders_1.000000001.sql",
		"shard_1.skip_me-schema.sql", "shard_1.skip_me.000000000.sql",
		"old-schema-create.sql", "old.t-schema.sql", "old.t.000000000.sql",
	} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var routes []Route
	for _, s := range []string{"shard_*.orders_*=shop.orders", "old=new"} {
		r, err := ParseRoute(s)
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, r)
	}
	router, err := NewRouter(routes)
	if err != nil {
		t.Fatal(err)
	}
	filter, _ := ParseFilter([]string{"*.*", "!shard_1.skip_me"})
	d, err := ScanRouted(dir, filter, router)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range d.Tables {
		names = append(names, tb.DB+"."+tb.Name)
	}
	if !slices.Equal(names, []string{"new.t", "shop.orders"}) {
		t.Fatalf("tables %v", names)
	}
	orders := d.Table("shop", "orders")
	if len(orders.DataFiles) != 3 || filepath.Base(orders.SchemaFile) != "shard_0.orders_0-schema.sql" ||
		!slices.Equal(orders.Sources, []string{"shard_0.orders_0", "shard_1.orders_1"}) {
		t.Errorf("shop.orders: %d data files, schema %s, sources %v", len(orders.DataFiles), orders.SchemaFile, orders.Sources)
	}
	if nt := d.Table("new", "t"); nt == nil || filepath.Base(nt.SchemaFile) != "old.t-schema.sql" || len(nt.DataFiles) != 1 {
		t.Errorf("new.t: %+v", nt)
	}
}
