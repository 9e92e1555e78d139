package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// writeDumpFiles writes a dump: names relative to dir, contents as bytes.
func writeDumpFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func encodeAs(t *testing.T, enc *encoding.Encoder, s string) string {
	t.Helper()
	b, err := enc.Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return string(b)
}

func importWithConfig(t *testing.T, config string, args ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tidb-lightning.toml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	out, err := runCLI(t, append([]string{"import", "-q", "--config", path, "--work-dir", work}, args...)...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return work
}

func sortedRows(t *testing.T, e *exported, cols ...string) []string {
	t.Helper()
	var rows []string
	for _, r := range e.Rows {
		var vals []string
		for _, c := range cols {
			vals = append(vals, deref(r[e.col(t, c)]))
		}
		rows = append(rows, strings.Join(vals, "|"))
	}
	slices.Sort(rows)
	return rows
}

// TestConfigCharsets imports dumps whose schema and data files are in GBK
// and in latin1 with [mydumper] character-set and data-character-set:
// identifiers and values arrive in UTF-8 (a GBK character whose second
// byte is a backslash included), in SQL and CSV files alike.
//
// Not parallel: runCLI's app shares its commands (urfave/cli sets them up
// on every run).
func TestConfigCharsets(t *testing.T) {
	g := simplifiedchinese.GBK.NewEncoder()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"shop-schema-create.sql": encodeAs(t, g, "CREATE DATABASE `shop`; -- 商店\n"),
		"shop.客户-schema.sql":     encodeAs(t, g, "CREATE TABLE `客户` (`编号` INT PRIMARY KEY, `名字` VARCHAR(20) COMMENT '姓名', `备注` VARCHAR(20));\n"),
		"shop.客户.000000000.sql":  encodeAs(t, g, "INSERT INTO `客户` (`编号`,`名字`,`备注`) VALUES (1,'张三','昞'),(2,'李四','中文\\'s');\n"),
		"shop.订单-schema.sql":     encodeAs(t, g, "CREATE TABLE `订单` (`编号` INT PRIMARY KEY, `商品` VARCHAR(20));\n"),
		"shop.订单.000000000.csv":  encodeAs(t, g, "编号,商品\n1,苹果\n2,\"香蕉,大\"\n3,昞\n"),
	})
	work := importWithConfig(t, `
[mydumper]
data-source-dir = '`+dir+`'
character-set = 'gbk'
data-character-set = 'gbk'
[tikv-importer]
backend = 'local'
`)
	if got, want := sortedRows(t, exportTable(t, work, "shop", "客户"), "编号", "名字", "备注"), []string{"1|张三|昞", "2|李四|中文's"}; !slices.Equal(got, want) {
		t.Errorf("shop.客户 rows %q, want %q", got, want)
	}
	if got, want := sortedRows(t, exportTable(t, work, "shop", "订单"), "编号", "商品"), []string{"1|苹果", "2|香蕉,大", "3|昞"}; !slices.Equal(got, want) {
		t.Errorf("shop.订单 rows %q, want %q", got, want)
	}

	l := charmap.Windows1252.NewEncoder()
	dir = t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"cafe-schema-create.sql":  "CREATE DATABASE cafe;",
		"cafe.menu-schema.sql":    encodeAs(t, l, "CREATE TABLE menu (id INT PRIMARY KEY, `entrée` VARCHAR(20) COMMENT 'prix en €') DEFAULT CHARSET=latin1;"),
		"cafe.menu.000000000.sql": encodeAs(t, l, "INSERT INTO menu VALUES (1,'crème brûlée'),(2,'€5 café');"),
	})
	work = importWithConfig(t, `
[mydumper]
data-source-dir = '`+dir+`'
character-set = 'latin1'
data-character-set = 'latin1'
`)
	if got, want := sortedRows(t, exportTable(t, work, "cafe", "menu"), "id", "entrée"), []string{"1|crème brûlée", "2|€5 café"}; !slices.Equal(got, want) {
		t.Errorf("cafe.menu rows %q, want %q", got, want)
	}
}

// TestConfigFileRules imports a dump whose files do not follow the
// mydumper naming, routed by [[mydumper.files]]: the schema files, CSV
// data files in key order, an ignored file; a file routed as Parquet
// that is not Parquet stops the import, naming it.
func TestConfigFileRules(t *testing.T) {
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"ddl/shop.database":        "CREATE DATABASE shop;",
		"ddl/shop/orders.table":    "CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(20));",
		"export/orders_part10.txt": "3,pear\n",
		"export/orders_part2.txt":  "2,plum\n",
		"export/orders_part1.txt":  "1,apple\n",
		"export/README.md":         "not data",
	})
	config := `
[mydumper]
data-source-dir = '` + dir + `'
[mydumper.csv]
header = false
[[mydumper.files]]
pattern = '^ddl/(\w+)\.database$'
schema = '$1'
type = 'schema-schema'
[[mydumper.files]]
pattern = '^ddl/(\w+)/(\w+)\.table$'
schema = '$1'
table = '$2'
type = 'table-schema'
[[mydumper.files]]
pattern = '^export/(?P<table>\w+)_part(\d+)\.txt$'
schema = 'shop'
table = '${table}'
type = 'csv'
key = '$2'
[[mydumper.files]]
pattern = '(?i)readme'
type = 'ignore'
`
	work := importWithConfig(t, config)
	if got, want := sortedRows(t, exportTable(t, work, "shop", "orders"), "id", "item"), []string{"1|apple", "2|plum", "3|pear"}; !slices.Equal(got, want) {
		t.Errorf("shop.orders rows %q, want %q", got, want)
	}

	writeDumpFiles(t, dir, map[string]string{"export/orders.parquet": "PAR1"})
	path := filepath.Join(t.TempDir(), "tidb-lightning.toml")
	if err := os.WriteFile(path, []byte(config+"[[mydumper.files]]\npattern = '\\.parquet$'\nschema = 'shop'\ntable = 'orders'\ntype = 'parquet'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "import", "-q", "--config", path, "--work-dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "Parquet") || !strings.Contains(err.Error(), "orders.parquet") {
		t.Errorf("a Parquet file: %v\n%s", err, out)
	}
}
