package dump

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanViews: a view's placeholder {db}.{view}-schema.sql (dumpling and
// mydumper write one next to every -schema-view.sql) is not a table of the
// import; a view without its placeholder, or with data files, is an error
// naming the file.
func TestScanViews(t *testing.T) {
	write := func(files map[string]string) string {
		dir := t.TempDir()
		for n, body := range files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	base := map[string]string{
		"shop-schema-create.sql": "CREATE DATABASE shop;\n",
		"shop.t-schema.sql":      "CREATE TABLE t (a INT);\n",
		"shop.t.000000000.sql":   "INSERT INTO t VALUES (1);\n",
		// dumpling's placeholder and view
		"shop.v-schema.sql":      "CREATE TABLE `v`(\n`a` int\n)ENGINE=MyISAM;\n",
		"shop.v-schema-view.sql": "DROP TABLE IF EXISTS `v`;\nDROP VIEW IF EXISTS `v`;\nCREATE VIEW `v` AS SELECT a FROM t;\n",
		// mydumper 0.10's
		"shop.w-schema.sql":      "CREATE TABLE IF NOT EXISTS `w`(\n`a` int\n);\n",
		"shop.w-schema-view.sql": "DROP TABLE IF EXISTS `w`;\nDROP VIEW IF EXISTS `w`;\nCREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `w` AS select `v`.`a` AS `a` from `v`;\n",
	}
	d, err := Scan(write(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 1 || d.Tables[0].Name != "t" {
		t.Errorf("tables %+v, want only shop.t", d.Tables)
	}
	if len(d.Views) != 2 || d.Views[0].Name != "v" || d.Views[1].Name != "w" || d.Views[0].DB != "shop" ||
		!strings.HasSuffix(d.Views[1].SchemaFile, "shop.w-schema-view.sql") {
		t.Errorf("views %+v", d.Views)
	}

	noHost := map[string]string{}
	for k, v := range base {
		noHost[k] = v
	}
	delete(noHost, "shop.v-schema.sql")
	_, err = Scan(write(noHost), nil)
	if err == nil || !strings.Contains(err.Error(), "shop.v-schema-view.sql") || !strings.Contains(err.Error(), "placeholder") {
		t.Errorf("view without its placeholder table: %v", err)
	}

	withData := map[string]string{"shop.v.000000000.sql": "INSERT INTO v VALUES (1);\n"}
	for k, v := range base {
		withData[k] = v
	}
	_, err = Scan(write(withData), nil)
	if err == nil || !strings.Contains(err.Error(), "shop.v.000000000.sql") || !strings.Contains(err.Error(), "is a view") {
		t.Errorf("data file of a view: %v", err)
	}

	// Routes move a view with its database, as Lightning routes view files.
	r, err := NewRouter([]Route{{SchemaPattern: "shop", TablePattern: "*", TargetSchema: "store"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = ScanRouted(write(base), nil, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 1 || len(d.Views) != 2 || d.Views[0].DB != "store" {
		t.Errorf("routed: tables %+v views %+v", d.Tables, d.Views)
	}
}
