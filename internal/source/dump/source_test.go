package dump

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

// TestBWList: Lightning's legacy [black-white-list] (table-filter
// ParseMySQLReplicationRules): do-* lists admit, ignore-* lists (used only
// without do-*) exclude, a table must pass both the database and the
// table rules; names are literals, whole-name wildcards or ~regexps.
func TestBWList(t *testing.T) {
	cases := []struct {
		name      string
		bw        BWList
		sensitive bool
		match     []string
		miss      []string
	}{
		{"do-dbs", BWList{DoDBs: []string{"shop", "log_*"}}, false,
			[]string{"shop.a", "SHOP.b", "log_2024.x"}, []string{"other.a", "xlog_1.t", "shopx.a"}},
		{"ignore-dbs", BWList{IgnoreDBs: []string{"tmp?", "mysql"}}, false,
			[]string{"shop.a", "tmp12.t"}, []string{"tmp1.t", "mysql.user", "MySQL.db"}},
		{"do-dbs wins over ignore-dbs", BWList{DoDBs: []string{"a"}, IgnoreDBs: []string{"a"}}, false,
			[]string{"a.t"}, []string{"b.t"}},
		{"do-tables", BWList{DoTables: []BWTable{{"shop", "orders"}, {"shop", "item[0-9]"}, {"~^lo", "~^t"}}}, false,
			[]string{"shop.orders", "shop.ORDERS", "shop.item7", "log.t1", "lot.ttt"}, []string{"shop.items", "shop.item", "shop.users", "alog.t1"}},
		{"ignore-tables", BWList{IgnoreTables: []BWTable{{"shop", "tmp*"}, {"*", "bak"}}}, false,
			[]string{"shop.orders", "other.tmp1"}, []string{"shop.tmp1", "shop.tmp", "x.bak"}},
		{"both parts", BWList{DoDBs: []string{"shop"}, IgnoreTables: []BWTable{{"shop", "secret"}}}, false,
			[]string{"shop.orders"}, []string{"shop.secret", "other.orders"}},
		{"[!a-c] wildcard", BWList{DoDBs: []string{"d[!a-c]"}}, false,
			[]string{"dd.t"}, []string{"da.t", "d.t"}},
		{"regexp not anchored", BWList{DoDBs: []string{"~op"}}, false,
			[]string{"shop.t", "opera.t"}, []string{"sales.t"}},
		{"case-sensitive", BWList{DoDBs: []string{"Shop"}, DoTables: []BWTable{{"Shop", "~^O"}}}, true,
			[]string{"Shop.Orders"}, []string{"shop.Orders", "Shop.orders"}},
	}
	for _, tc := range cases {
		f, err := ParseBWList(tc.bw, tc.sensitive)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for want, names := range map[bool][]string{true: tc.match, false: tc.miss} {
			for _, n := range names {
				db, table, _ := strings.Cut(n, ".")
				if got := f.Match(db, table); got != want {
					t.Errorf("%s: Match(%s) = %v, want %v", tc.name, n, got, want)
				}
			}
		}
	}
	for _, bad := range []BWList{{DoDBs: []string{""}}, {DoTables: []BWTable{{"a", "~("}}}} {
		if _, err := ParseBWList(bad, false); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
	if !(&BWList{}).Empty() || (&BWList{IgnoreDBs: []string{"x"}}).Empty() {
		t.Error("Empty")
	}
}

// TestFilterCaseSensitive: [mydumper] case-sensitive = true compares
// patterns and names exactly; the default ignores case.
func TestFilterCaseSensitive(t *testing.T) {
	f, err := ParseFilterCase([]string{"Shop.*", "!Shop.Tmp*", "/^Log$/.`T`"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"Shop.a": true, "shop.a": false, "Shop.Tmp1": false, "Shop.tmp1": true, "Log.T": true, "log.T": false, "Log.t": false} {
		db, table, _ := strings.Cut(n, ".")
		if got := f.Match(db, table); got != want {
			t.Errorf("case-sensitive Match(%s) = %v, want %v", n, got, want)
		}
	}
	f, _ = ParseFilterCase([]string{"Shop.*", "/^Log$/.`T`"}, false)
	if !f.Match("SHOP", "x") || !f.Match("log", "t") {
		t.Error("case-insensitive filter is case-sensitive")
	}
}

func writeDump(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestScanFileRules: [[mydumper.files]] rules route files by their path
// relative to the dump (regexp with $N templates) before the default
// naming, which applies too only with default-file-rules, as in
// Lightning's loader; key orders a table's data files.
func TestScanFileRules(t *testing.T) {
	dir := writeDump(t, map[string]string{
		"schema/shop.sql":            "CREATE DATABASE shop;",
		"tables/orders.ddl":          "CREATE TABLE orders (id INT);",
		"data/orders-part-10.dat":    "3\n",
		"data/orders-part-2.dat":     "2\n",
		"data/orders-part-1.dat.gz":  "",
		"data/notes.TXT":             "not data",
		"shop.users-schema.sql":      "CREATE TABLE users (id INT);",
		"shop.users.000000000.sql":   "INSERT INTO users VALUES (1);",
		"misc/shop.orders.x.backup":  "?",
		"data/orders-part-3.dat.bak": "?",
	})
	rules := []FileRule{
		{Pattern: `^schema/(\w+)\.sql$`, Schema: "$1", Type: "schema-schema"},
		{Pattern: `^tables/(?P<t>\w+)\.ddl$`, Schema: "shop", Table: "${t}", Type: "table-schema"},
		{Pattern: `^data/(\w+)-part-(\d+)\.dat(?:\.(gz))?$`, Schema: "shop", Table: "$1", Type: "csv", Key: "$2", Compression: "$3"},
		{Pattern: `(?i)\.txt$`, Type: "ignore"},
	}
	d, err := ScanSource(dir, nil, nil, Source{FileRules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 1 {
		t.Fatalf("without default-file-rules: tables %+v, want shop.orders only", d.Tables)
	}
	o := d.Tables[0]
	if o.DB != "shop" || o.Name != "orders" || filepath.Base(o.SchemaFile) != "orders.ddl" {
		t.Errorf("table %+v", o)
	}
	var got []string
	for _, f := range o.DataFiles {
		got = append(got, filepath.Base(f.Path)+"/"+f.Format.String()+"/"+f.Compression.String())
	}
	if want := []string{"orders-part-1.dat.gz/csv/gzip", "orders-part-10.dat/csv/none", "orders-part-2.dat/csv/none"}; !slices.Equal(got, want) {
		t.Errorf("data files %q, want %q (sorted by key as text, as Lightning does)", got, want)
	}
	if len(d.Databases) != 1 || filepath.Base(d.Databases[0].SchemaFile) != "shop.sql" {
		t.Errorf("databases %+v", d.Databases)
	}
	// Unmatched files are named, never dropped silently.
	for _, name := range []string{"shop.users-schema.sql", "shop.users.000000000.sql", "orders-part-3.dat.bak"} {
		if !slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, name) }) {
			t.Errorf("no warning names %s: %q", name, d.Warnings)
		}
	}
	if slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.Contains(w, "notes.TXT") }) {
		t.Errorf("a type = ignore file is warned about: %q", d.Warnings)
	}

	// default-file-rules: the rules first, then the default naming.
	d, err = ScanSource(dir, nil, nil, Source{FileRules: rules, DefaultFileRules: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Table("shop", "users") == nil || d.Table("shop", "orders") == nil || len(d.Tables) != 2 {
		t.Errorf("with default-file-rules: %d tables", len(d.Tables))
	}

	// The filter applies to routed names.
	f, _ := ParseFilter([]string{"shop.users"})
	if d, err = ScanSource(dir, f, nil, Source{FileRules: rules, DefaultFileRules: true}); err != nil || len(d.Tables) != 1 {
		t.Errorf("filtered: %v, %d tables", err, len(d.Tables))
	}

	// A file routed as Parquet is a Parquet data file of its table.
	pq := writeDump(t, map[string]string{"in/t.pq": "x"})
	d, err = ScanSource(pq, nil, nil, Source{FileRules: []FileRule{{Pattern: `^in/(\w+)\.pq$`, Schema: "db", Table: "$1", Type: "parquet"}}})
	if err != nil || d.Table("db", "t") == nil || len(d.Table("db", "t").DataFiles) != 1 || d.Table("db", "t").DataFiles[0].Format != FormatParquet {
		t.Errorf("parquet: %v", err)
	}
	// A literal path rule.
	d, err = ScanSource(pq, nil, nil, Source{FileRules: []FileRule{{Path: "in/t.pq", Schema: "db", Table: "t$1", Type: "sql"}}})
	if err != nil || d.Table("db", "t$1") == nil {
		t.Errorf("path rule: %v %+v", err, d)
	}
}

func TestFileRuleErrors(t *testing.T) {
	dir := writeDump(t, map[string]string{"a.x": "1"})
	for _, tc := range []struct {
		rule FileRule
		want string
	}{
		{FileRule{Schema: "a", Table: "b", Type: "sql"}, "must not be both empty"},
		{FileRule{Pattern: "a", Path: "a", Schema: "a", Table: "b", Type: "sql"}, "both"},
		{FileRule{Pattern: "(", Schema: "a", Table: "b", Type: "sql"}, "pattern"},
		{FileRule{Pattern: "a", Table: "b", Type: "sql"}, "'schema'"},
		{FileRule{Pattern: "a", Schema: "a", Type: "sql"}, "'table'"},
		{FileRule{Pattern: "(a)", Schema: "$2", Table: "b", Type: "sql"}, "out of range"},
		{FileRule{Pattern: "(a)", Schema: "${x}", Table: "b", Type: "sql"}, "named capture"},
		{FileRule{Pattern: "a", Schema: "a", Table: "b", Type: "xml"}, "unknown source type"},
		{FileRule{Pattern: "a", Schema: "a", Table: "b", Type: "sql", Compression: "lz4"}, "lz4"},
		{FileRule{Path: "/elsewhere/a.x", Schema: "a", Table: "b", Type: "sql"}, "not in source dir"},
	} {
		_, err := ScanSource(dir, nil, nil, Source{FileRules: []FileRule{tc.rule}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error about %s", tc.rule, err, tc.want)
		}
	}
}

func gbk(t testing.TB, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func latin1(t testing.TB, s string) string {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeSchema: [mydumper] character-set as Lightning's
// decodeCharacterSet: auto takes UTF-8 as it is and GB18030 otherwise;
// an undecodable file is an error, never changed silently.
func TestDecodeSchema(t *testing.T) {
	ddl := "CREATE TABLE `中文表` (`名字` VARCHAR(10) COMMENT '€ café');"
	for _, tc := range []struct {
		cs   Charset
		in   string
		want string
		err  bool
	}{
		{CharsetAuto, ddl, ddl, false},
		{CharsetAuto, gbk(t, ddl), ddl, false},
		{CharsetGBK, gbk(t, ddl), ddl, false},
		{CharsetGB18030, gbk(t, ddl), ddl, false},
		{CharsetLatin1, latin1(t, "CREATE TABLE t (c INT COMMENT '€ café');"), "CREATE TABLE t (c INT COMMENT '€ café');", false},
		{CharsetLatin1, "bad \x81", "", true},
		{CharsetUTF8MB4, gbk(t, ddl), "", true},
		{CharsetGBK, "bad \xff", "", true},
		{CharsetBinary, gbk(t, ddl), gbk(t, ddl), false},
	} {
		got, err := DecodeSchema([]byte(tc.in), tc.cs)
		if tc.err {
			if !errors.Is(err, ErrInvalidEncoding) {
				t.Errorf("%s %q: %v, want ErrInvalidEncoding", tc.cs, tc.in, err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.cs, got, err, tc.want)
		}
	}
	for _, name := range []string{"auto", "binary", "utf8", "UTF8MB4", "gb18030", "gbk", "latin1", "ascii"} {
		if _, err := ParseCharset(name, true); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ParseCharset("auto", false); err == nil {
		t.Error("data-character-set auto: want an error (Lightning's ParseCharset has no auto)")
	}
	if _, err := ParseCharset("big5", true); err == nil {
		t.Error("big5: want an error")
	}
}

// readAll reads every row of chunks through OpenRows.
func readAll(t *testing.T, chunks []Chunk, csv rowparse.CSVOptions) []string {
	t.Helper()
	var out []string
	for _, c := range chunks {
		rows, err := c.OpenRows(csv, false)
		if err != nil {
			t.Fatal(err)
		}
		for {
			f, err := rows.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("chunk %s: %v", c.ID, err)
			}
			var vals []string
			for _, x := range f {
				vals = append(vals, string(x.Bytes))
			}
			out = append(out, strings.Join(vals, "|"))
		}
		rows.Close()
	}
	return out
}

// TestDataCharset: data files in GBK or latin1 are decoded before they
// are parsed — a GBK character whose second byte is a backslash (昞 is
// 0x95 0x5C) does not escape the closing quote — and the chunks cut from
// the decoded text start at the file's own byte offsets.
func TestDataCharset(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	var want []string
	// Over 64 KiB: decoded in several blocks, characters cut between reads.
	for i := 0; i < 6000; i++ {
		v := []string{"昞", "中文表", "a\\'b", "x"}[i%4]
		want = append(want, itoa(i)+"|"+strings.ReplaceAll(v, "\\'", "'"))
		switch {
		case i >= 3000 && i < 4000:
			// One long statement: chunks cut inside it carry its header.
			sep := ","
			if i == 3000 {
				b.WriteString("INSERT INTO t VALUES ")
			}
			if i == 3999 {
				sep = ";\n"
			}
			b.WriteString("(" + itoa(i) + ",'" + v + "')" + sep)
		default:
			b.WriteString("INSERT INTO t VALUES (" + itoa(i) + ",'" + v + "');\n")
		}
	}
	text := gbk(t, b.String())
	f := writeFile(t, dir, "db.t.000000000.sql", text)
	tb := &Table{DB: "db", Name: "t", DataFiles: []DataFile{f}}
	chunks, err := MakeChunks(tb, ChunkOptions{ChunkSize: 10000, Columns: 2, DataCharset: CharsetGBK})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 5 {
		t.Fatalf("%d chunks, want several", len(chunks))
	}
	mid := 0
	for _, c := range chunks {
		// Each chunk starts at an INSERT or a tuple of the file's bytes.
		if !strings.HasPrefix(text[c.Start:], "INSERT") && !strings.HasPrefix(text[c.Start:], "(") {
			t.Errorf("chunk at %d starts with %q", c.Start, text[c.Start:min(int(c.Start)+10, len(text))])
		}
		if c.Header != "" {
			mid++
		}
	}
	if mid == 0 {
		t.Error("no chunk starts inside a statement")
	}
	checkContiguous(t, chunks, f.Size)
	if got := readAll(t, chunks, rowparse.CSVOptions{}); !slices.Equal(got, want) {
		t.Errorf("rows differ: %d rows, first %q", len(got), got[:min(3, len(got))])
	}
	// Without decoding the same bytes do not parse as the rows.
	chunks, err = MakeChunks(tb, ChunkOptions{ChunkSize: 1 << 20, Columns: 2})
	if err == nil {
		func() {
			defer func() { _ = recover() }()
			rows, _ := chunks[0].OpenRows(rowparse.CSVOptions{}, false)
			n := 0
			for {
				if _, err := rows.Next(); err != nil {
					break
				}
				n++
			}
			if n == len(want) {
				t.Error("the GBK file parses as binary too: the test proves nothing")
			}
		}()
	}

	// latin1 CSV, and a syntax error reported at the file's offset and
	// column (latin1 é is 1 byte in the file, 2 decoded).
	csvText := latin1(t, "id,s\n1,café\n2,\"déjà vu\"\n3,\"é\"x\n")
	cf := writeFile(t, dir, "db.l.000000000.csv", csvText)
	lt := &Table{DB: "db", Name: "l", DataFiles: []DataFile{cf}}
	opts := rowparse.DefaultCSVOptions()
	opts.Header = true
	chunks, err = MakeChunks(lt, ChunkOptions{CSV: opts, Columns: 2, DataCharset: CharsetLatin1})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chunks[0].OpenRows(opts, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		f, err := rows.Next()
		if err != nil {
			var se *rowparse.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a syntax error", err)
			}
			// The stray x after the closing quote of row 3.
			at := int64(strings.Index(csvText, "\"x")) + 1
			if se.Offset != at && se.Offset != at-2 {
				t.Errorf("syntax error at offset %d (line %d, column %d), want the file's offset %d or its field's %d", se.Offset, se.Line, se.Column, at, at-2)
			}
			if col := int(se.Offset) - strings.Index(csvText, "3,") + 1; se.Line != 4 || se.Column != col {
				t.Errorf("line %d column %d, want line 4 column %d (counted in the file's bytes)", se.Line, se.Column, col)
			}
			break
		}
		got = append(got, string(f[1].Bytes))
		if rows.Pos() != int64(strings.Index(csvText, itoa(len(got))+",")) {
			t.Errorf("row %d at %d, want the file's offset", len(got), rows.Pos())
		}
	}
	rows.Close()
	if !slices.Equal(got, []string{"café", "déjà vu"}) {
		t.Errorf("latin1 rows %q", got)
	}
}

// TestInvalidCharReplace: bytes the data character set cannot decode
// become data-invalid-char-replace.
func TestInvalidCharReplace(t *testing.T) {
	dir := t.TempDir()
	text := "a,b\n1,x\xffy\n2,z\n"
	f := writeFile(t, dir, "db.t.000000000.csv", text)
	tb := &Table{DB: "db", Name: "t", DataFiles: []DataFile{f}}
	opts := rowparse.DefaultCSVOptions()
	opts.Header = true
	for repl, want := range map[string]string{"": "x\ufffdy", "?": "x?y", "<bad>": "x<bad>y"} {
		chunks, err := MakeChunks(tb, ChunkOptions{CSV: opts, DataCharset: CharsetGBK, InvalidCharReplace: repl})
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, chunks, opts); !slices.Equal(got, []string{"1|" + want, "2|z"}) {
			t.Errorf("replace %q: %q, want %q", repl, got, want)
		}
		// Places after the replaced byte are still the file's offsets.
		rows, err := chunks[0].OpenRows(opts, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := rows.Next(); err != nil {
				t.Fatal(err)
			}
		}
		if at := int64(strings.Index(text, "2,")); rows.Pos() != at {
			t.Errorf("replace %q: row 2 at %d, want %d", repl, rows.Pos(), at)
		}
		rows.Close()
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestRouterCaseSensitive: with [mydumper] case-sensitive, [[routes]]
// patterns match names exactly; by default without regard to case.
func TestRouterCaseSensitive(t *testing.T) {
	routes := []Route{{SchemaPattern: "Shard_*", TablePattern: "Orders", TargetSchema: "shop", TargetTable: "orders"}}
	r, err := NewRouterCase(routes, true)
	if err != nil {
		t.Fatal(err)
	}
	if db, tb := r.Route("Shard_1", "Orders"); db != "shop" || tb != "orders" {
		t.Errorf("exact case: %s.%s", db, tb)
	}
	if db, tb := r.Route("shard_1", "orders"); db != "shard_1" || tb != "orders" {
		t.Errorf("case-sensitive routed shard_1.orders to %s.%s", db, tb)
	}
	r, _ = NewRouterCase(routes, false)
	if db, _ := r.Route("shard_1", "ORDERS"); db != "shop" {
		t.Errorf("case-insensitive: %s", db)
	}
}
