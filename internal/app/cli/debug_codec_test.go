package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// runCLI runs the lightstream app with args and stdin, returning stdout.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	app := NewApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter, app.Reader = &out, &errOut, strings.NewReader(stdin)
	app.ExitErrHandler = func(*cli.Context, error) {}
	err := app.Run(append([]string{"lightstream"}, args...))
	return out.String(), err
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type goldenVector struct {
	ID       string `json:"id"`
	KeyHex   string `json:"key_hex"`
	ValueHex string `json:"value_hex"`
}

func loadGolden(t *testing.T) map[string]goldenVector {
	t.Helper()
	raw := golden.Vectors()
	var f struct{ Vectors []goldenVector }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	m := map[string]goldenVector{}
	for _, v := range f.Vectors {
		m[v.ID] = v
	}
	return m
}

const (
	idxSchemaChar    = "/*!40101 SET NAMES binary*/;\n-- vectors: tikv index tests\ncreate table t(a int, b char(10) collate utf8mb4_bin, c char(10) collate utf8mb4_unicode_ci, key i_a(a), key i_b(b), key i_c(c), key i_abc(a,b,c), unique key i_ua(a), unique key i_ub(b), unique key i_uc(c), unique key i_uabc(a,b,c));"
	idxSchemaVarchar = "create table t(a int, b varchar(10) collate utf8mb4_bin, c varchar(10) collate utf8mb4_unicode_ci, key i_a(a), key i_b(b), key i_c(c), key i_abc(a,b,c), unique key i_ua(a), unique key i_ub(b), unique key i_uc(c), unique key i_uabc(a,b,c));"
	clusteredSchema  = "CREATE TABLE t (a int NOT NULL, b char(10) NOT NULL, c char(10) COLLATE utf8mb4_unicode_ci NOT NULL, d varchar(10) NOT NULL, e varchar(10) COLLATE utf8mb4_general_ci NOT NULL, PRIMARY KEY (a,b,c,d,e) CLUSTERED, KEY i_a(a), KEY i_b(b), KEY i_c(c), KEY i_d(d), KEY i_e(e), KEY i_abcde(a,b,c,d,e), UNIQUE KEY i_ua(a), UNIQUE KEY i_ub(b), UNIQUE KEY i_uc(c), UNIQUE KEY i_ud(d), UNIQUE KEY i_ue(e), UNIQUE KEY i_uabcde(a,b,c,d,e)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;"
	idxRow           = "insert into t values (1, 'a ', 'A ');"
)

// TestDebugEncodeVectors encodes, through the cli, the rows behind golden
// vectors whose inputs SQL can express, and finds each vector's pair in the
// output; decoding the output gives the row back.
func TestDebugEncodeVectors(t *testing.T) {
	vecs := loadGolden(t)
	many := "insert into t (a) values " + strings.TrimSuffix(strings.Repeat("(''),", 70), ",") + ";"
	cases := []struct {
		vectors []string
		schema  string
		tableID string
		rows    string
		extra   []string
		decoded string // first decoded row; "" skips the round trip
	}{
		{[]string{"tikv-idx-int-handle-nonunique-int", "tikv-idx-char-unicodeci-nonunique"}, idxSchemaChar, "49", idxRow, nil, "1\ta\tA\n"},
		{[]string{"tikv-idx-int-handle-unique-int", "tikv-idx-char-bin-unique", "tikv-idx-char-unicodeci-unique", "tikv-idx-char-composite-nonunique"}, idxSchemaChar, "53", idxRow, nil, "1\ta\tA\n"},
		{[]string{"tikv-idx-varchar-bin-nonunique", "tikv-idx-varchar-bin-unique", "tikv-idx-varchar-composite-unique"}, idxSchemaVarchar, "61", idxRow, nil, "1\ta \tA \n"},
		{[]string{"tikv-clustered-i_a", "tikv-clustered-i_ua"}, clusteredSchema, "49", "insert into t values (1, 'a ', 'A ', 'a ', 'A ');", nil, "1\ta\tA\ta \tA \n"},
		{[]string{"tikv-clustered-i_e", "tikv-clustered-i_ue"}, clusteredSchema, "64", "insert into t values (1, 'a ', 'A ', 'a ', 'A ');", nil, "1\ta\tA\ta \tA \n"},
		{[]string{"tikv-clustered-int-pk-nonunique-no-restore"}, "CREATE TABLE tcommonhash (a int NOT NULL, b int DEFAULT NULL, c int NOT NULL, d int NOT NULL, PRIMARY KEY (a,c,d) CLUSTERED, KEY idx_bc (b,c)) CHARSET=utf8mb4 COLLATE=utf8mb4_bin;", "92", "INSERT INTO `tcommonhash` VALUES (1,2,3,1);", nil, "1\t2\t3\t1\n"},
		{[]string{"lightning-v2-tinyint-clamped"}, "create table t (c1 tinyint)", "1", "insert into t values (10000000);", []string{"--sql-mode", ""}, "127\n"},
		// No --sql-mode: Lightning's default, not strict, clamps as well.
		{[]string{"lightning-v2-tinyint-clamped"}, "create table t (c1 tinyint)", "1", "insert into t values (10000000);", nil, "127\n"},
		{[]string{"docs-rowv2-two-strings"}, "create table t (col1 varchar(10), col2 varchar(10))", "73", "insert into t (col1, col2, _tidb_rowid) values ('hello', 'hello', 3);", nil, "hello\thello\n"},
		{[]string{"lightning-auto-random-unsigned-rowid-70"}, "create table t (id bigint unsigned NOT NULL auto_random primary key clustered, a varchar(100))", "1", many, []string{"--auto-random-seed", "456"}, ""},
	}
	for _, tc := range cases {
		schema := writeFile(t, "schema.sql", tc.schema)
		args := append([]string{"debug", "encode", "--schema", schema, "--table-id", tc.tableID}, tc.extra...)
		out, err := runCLI(t, tc.rows, args...)
		if err != nil {
			t.Errorf("%v: encode: %v", tc.vectors, err)
			continue
		}
		for _, id := range tc.vectors {
			v, ok := vecs[id]
			if !ok {
				t.Errorf("vector %s missing", id)
				continue
			}
			if !strings.Contains(out, v.KeyHex+" "+v.ValueHex+"\n") {
				t.Errorf("%s: pair %s %s not in output:\n%s", id, v.KeyHex, v.ValueHex, out)
			}
		}
		if tc.decoded == "" {
			continue
		}
		dec, err := runCLI(t, out, "debug", "decode", "--schema", schema, "--table-id", tc.tableID)
		if err != nil {
			t.Errorf("%v: decode: %v", tc.vectors, err)
			continue
		}
		if first, _, _ := strings.Cut(dec, "\n"); first+"\n" != tc.decoded {
			t.Errorf("%v: decoded %q, want %q", tc.vectors, dec, tc.decoded)
		}
	}
}

// TestDebugEncodeOrder checks the record pair comes first, then index
// pairs in index-ID order, and that rows without an int handle get
// _tidb_rowid 1, 2, 3 in input order.
func TestDebugEncodeOrder(t *testing.T) {
	schema := writeFile(t, "s.sql", idxSchemaChar)
	out, err := runCLI(t, "insert into t values (1,'a','b'),(2,'c','d');\ninsert into t (c, a) values ('x', 3);", "debug", "encode", "--schema", schema, "--table-id", "53")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3*9 {
		t.Fatalf("%d lines, want 27:\n%s", len(lines), out)
	}
	for r := 0; r < 3; r++ {
		rec := lines[r*9]
		want := "7480000000000000355f7280000000000000" + []string{"01", "02", "03"}[r] + " "
		if !strings.HasPrefix(rec, want) {
			t.Errorf("row %d record line %q, want prefix %q", r+1, rec, want)
		}
		for i := 1; i < 9; i++ {
			want := "7480000000000000355f6980000000000000" + []string{"01", "02", "03", "04", "05", "06", "07", "08"}[i-1]
			if !strings.HasPrefix(lines[r*9+i], want) {
				t.Errorf("row %d pair %d %q, want index %d", r+1, i, lines[r*9+i], i)
			}
		}
	}
	dec, err := runCLI(t, out, "debug", "decode", "--schema", schema, "--table-id", "53")
	if err != nil {
		t.Fatal(err)
	}
	if dec != "1\ta\tb\n2\tc\td\n3\tNULL\tx\n" {
		t.Errorf("decoded %q", dec)
	}
}

func TestDebugEncodeErrors(t *testing.T) {
	schema := writeFile(t, "s.sql", "create table t (a tinyint, b varchar(3) not null, j json)")
	cases := []struct{ rows, want string }{
		{"insert into t values (1, 'x', '{}');\ninsert into t values\n(1, 'x', '{}'),\n(300, 'y', '[]');", "line 4 (offset 74), row 3: column a: value \"300\""},
		{"insert into t values (1, NULL, 'null');", "column b"},
		{"insert into t values (1, 'abcd', 'null');", "column b: value \"abcd\": data too long"},
		{"insert into t values (1, 'a', '{');", "column j"},
		{"insert into t values (1, 'a');", "expects 3 values, got 2"},
		{"insert into t (a, zz) values (1, 'a');", "no column \"zz\""},
		{"insert into t values (1, 'a', 'null'", "stdin"},
	}
	for _, tc := range cases {
		// Strict mode: what TiDB would adjust with a warning under the
		// default (Lightning's) sql-mode is an error here.
		_, err := runCLI(t, tc.rows, "debug", "encode", "--schema", schema, "--table-id", "5", "--sql-mode", "STRICT_TRANS_TABLES")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.rows, err, tc.want)
		}
	}
	dcases := []struct{ in, want string }{
		{"zz 00\n", "line 1: key"},
		{"7480000000000000055f698000000000000001038000000000000001 00\n", "line 1: index pair before any record pair"},
		{"7480000000000000055f728000000000000001 80000100000001010001\n\n7480000000000000055f728000000000000002\n", "line 3: want"},
		{"7480000000000000065f728000000000000001 80000100000001010001\n", "line 1: record"},
	}
	for _, tc := range dcases {
		_, err := runCLI(t, tc.in, "debug", "decode", "--schema", schema, "--table-id", "5")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("decode %q: err %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestDebugDecodeIndexMismatch alters one index value: decode reports it.
func TestDebugDecodeIndexMismatch(t *testing.T) {
	schema := writeFile(t, "s.sql", idxSchemaChar)
	out, err := runCLI(t, idxRow, "debug", "encode", "--schema", schema, "--table-id", "53")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	lines[3] = lines[3][:len(lines[3])-1] + "f"
	if _, err := runCLI(t, strings.Join(lines, "\n"), "debug", "decode", "--schema", schema, "--table-id", "53"); err == nil || !strings.Contains(err.Error(), "line 4: index pair mismatch") {
		t.Errorf("mismatch not reported: %v", err)
	}
}

// TestDebugSakilaRoundTrip encodes sakila tables and decodes the pairs:
// every row comes back as the dump's text (mysql -B form).
func TestDebugSakilaRoundTrip(t *testing.T) {
	dir := golden.Shared(t, "corpora/sakila")
	tables := []string{"actor", "category", "customer", "film", "film_actor", "inventory", "language", "payment", "rental", "staff", "store", "city", "country"}
	if testing.Short() {
		tables = []string{"rental", "film"}
	}
	for id, name := range tables {
		schema := filepath.Join(dir, "sakila."+name+"-schema.sql")
		files, _ := filepath.Glob(filepath.Join(dir, "sakila."+name+".0*.sql"))
		if len(files) == 0 {
			golden.Missing(t, "sakila corpus not present")
		}
		text, err := os.ReadFile(schema)
		if err != nil {
			t.Fatal(err)
		}
		tbl, _, err := tablemodel.ParseCreateTable(string(text), tablemodel.DBDefaults{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		var rows bytes.Buffer
		var want strings.Builder
		for _, f := range files[:1] {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rows.Write(data)
			rows.WriteByte('\n')
			r := rowparse.NewSQLReader(bytes.NewReader(data), rowparse.SQLOptions{File: f})
			for {
				fields, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for i, fl := range fields {
					if i > 0 {
						want.WriteByte('\t')
					}
					if fl.Kind == literal.FieldNull || tbl.Columns[i].Unsupported != "" {
						want.WriteString("NULL")
						continue
					}
					want.Write(appendBatchEscaped(append([]byte(nil), fl.Bytes...), 0))
				}
				want.WriteByte('\n')
			}
		}
		tid := []string{"101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113"}[id]
		pairs, err := runCLI(t, rows.String(), "debug", "encode", "--schema", schema, "--table-id", tid)
		if err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		got, err := runCLI(t, pairs, "debug", "decode", "--schema", schema, "--table-id", tid)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if got != want.String() {
			g, w := strings.Split(got, "\n"), strings.Split(want.String(), "\n")
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Fatalf("%s row %d:\n got %q\nwant %q", name, i+1, g[i], w[i])
				}
			}
			t.Fatalf("%s: %d lines decoded, want %d", name, len(g), len(w))
		}
	}
}
