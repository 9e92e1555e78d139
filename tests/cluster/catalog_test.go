package cluster

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// shopDump is the quick-start dump in the repository (three tables, one
// CSV, generated columns).
func shopDump(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "examples", "shop"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// extraDump is a small dump with a table in the shop database (beside
// the quick start's) and one named like a quick-start table.
func extraDump(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"shop-schema-create.sql":     "CREATE DATABASE `shop`;\n",
		"shop.extra-schema.sql":      "CREATE TABLE `extra` (`id` int PRIMARY KEY, `v` varchar(8)) PARTITION BY RANGE (`id`) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE);\n",
		"shop.extra.000000000.sql":   "INSERT INTO `extra` VALUES (1,'one'),(20,'twenty');\n",
		"other-schema-create.sql":    "CREATE DATABASE `other`;\n",
		"other.orders-schema.sql":    "CREATE TABLE `orders` (`id` int PRIMARY KEY, `sku` varchar(8), KEY (`sku`));\n",
		"other.orders.000000000.sql": "INSERT INTO `orders` VALUES (5,'X'),(6,'Y');\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type catalogListing struct {
	Tables []struct {
		DB          string  `json:"db"`
		Name        string  `json:"name"`
		ID          int64   `json:"id"`
		PhysicalIDs []int64 `json:"physical_ids"`
		Rows        *int64  `json:"rows"`
	} `json:"tables"`
	NextID int64 `json:"next_id"`
}

func listTables(t *testing.T, pd string, extra ...string) catalogListing {
	t.Helper()
	out := run(t, time.Minute, append([]string{"tables", "--pd", pd, "--json"}, extra...)...)
	var l catalogListing
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("tables --json: %v\n%s", err, out)
	}
	return l
}

// ids maps db.table to its IDs (own first), and fails on an ID shared by
// two tables.
func (l catalogListing) ids(t *testing.T) map[string][]int64 {
	t.Helper()
	out := map[string][]int64{}
	owner := map[int64]string{}
	for _, tb := range l.Tables {
		name := tb.DB + "." + tb.Name
		for _, id := range append([]int64{tb.ID}, tb.PhysicalIDs...) {
			if o, ok := owner[id]; ok && o != name {
				t.Errorf("ID %d held by %s and %s", id, o, name)
			}
			owner[id] = name
		}
		out[name] = append([]int64{tb.ID}, tb.PhysicalIDs...)
	}
	return out
}

// exportAnywhere runs `export --pd` from a directory holding no work
// directory: the model comes from the store's catalog.
func exportAnywhere(t *testing.T, pd, table string) string {
	t.Helper()
	out, err := runErrIn(t.TempDir(), time.Minute, "export", "--pd", pd, "--table", table)
	if err != nil {
		t.Fatalf("export %s: %v", table, err)
	}
	return out
}

// importTime matches the one value of the quick start that is the
// import's start time (customers.created DEFAULT CURRENT_TIMESTAMP,
// left out by the dump), which differs between imports.
var importTime = regexp.MustCompile(`("Late Comer",\\N,)"[0-9: -]+"`)

// TestCatalogConcurrentImports: three imports at once into one store,
// each from its own work directory: the quick start as shop and again as
// shop2 (same table names in another database), and a dump adding a table
// to shop and one named orders in a third database. Every table is
// verified, exported through --pd alone equal to an import of the same
// dump into the embedded store, and no ID is shared.
func TestCatalogConcurrentImports(t *testing.T) {
	_, pd := startStore(t)
	base := t.TempDir()
	runs := [][]string{
		{"import", "--dump", shopDump(t), "--work-dir", filepath.Join(base, "w1"), "--pd", pd, "--quiet"},
		{"import", "--dump", shopDump(t), "--route", "shop=shop2", "--work-dir", filepath.Join(base, "w2"), "--pd", pd, "--quiet"},
		{"import", "--dump", extraDump(t), "--work-dir", filepath.Join(base, "w3"), "--pd", pd, "--quiet"},
	}
	var wg sync.WaitGroup
	outs, errs := make([]string, len(runs)), make([]error, len(runs))
	for i, args := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = runErr(importTimeout, args...)
		}()
	}
	wg.Wait()
	for i := range runs {
		if errs[i] != nil || !strings.Contains(outs[i], "complete") || strings.Contains(outs[i], "mismatch") {
			t.Fatalf("import %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	l := listTables(t, pd)
	ids := l.ids(t)
	if len(ids) != 8 {
		t.Fatalf("catalog lists %d tables, want 8: %v", len(ids), ids)
	}
	// The oracle: the same dump imported alone into the embedded store.
	embedded := filepath.Join(base, "embedded")
	run(t, importTimeout, "import", "--dump", shopDump(t), "--work-dir", embedded, "--quiet")
	for _, tb := range []string{"customers", "orders", "products"} {
		want := importTime.ReplaceAllString(run(t, time.Minute, "export", "--work-dir", embedded, "--table", "shop."+tb), "$1")
		for _, db := range []string{"shop", "shop2"} {
			if got := importTime.ReplaceAllString(exportAnywhere(t, pd, db+"."+tb), "$1"); got != want {
				t.Errorf("%s.%s exported through --pd:\n%s\nwant (embedded import):\n%s", db, tb, got, want)
			}
		}
	}
	if got := exportAnywhere(t, pd, "shop.extra"); got != "\"id\",\"v\"\n\"1\",\"one\"\n\"20\",\"twenty\"\n" {
		t.Errorf("shop.extra exported %q", got)
	}
	if got := exportAnywhere(t, pd, "other.orders"); got != "\"id\",\"sku\"\n\"5\",\"X\"\n\"6\",\"Y\"\n" {
		t.Errorf("other.orders exported %q", got)
	}
	for _, tb := range l.Tables {
		want := map[string]int64{"customers": 6, "orders": 4, "products": 3, "extra": 2}[tb.Name]
		if tb.DB == "other" {
			want = 2
		}
		if tb.Rows == nil || *tb.Rows != want {
			t.Errorf("%s.%s: tables lists %v rows, want %d", tb.DB, tb.Name, tb.Rows, want)
		}
	}
	// A fourth import of a dump whose tables hold rows stops before
	// writing, naming the table.
	out, err := runErr(importTimeout, "import", "--dump", shopDump(t), "--work-dir", filepath.Join(base, "w4"), "--pd", pd, "--quiet")
	if err == nil || !strings.Contains(err.Error(), "target table is not empty: shop.") {
		t.Fatalf("import into non-empty tables: %v\n%s", err, out)
	}
}

// TestCatalogStoreKilledBeforeIngest: the store is killed (SIGKILL) once
// the import has written its tables into the catalog and before anything
// is ingested (the import runs no sorter); after a restart the rerun
// imports into the same IDs, and a later import gets IDs of its own.
func TestCatalogStoreKilledBeforeIngest(t *testing.T) {
	addr := freeAddr(t)
	data := filepath.Join(t.TempDir(), "store")
	storeArgs := []string{"store", "--data-dir", data, "--addr", addr}
	st := start(t, storeArgs...)
	st.waitLine(t, storeLine, 30*time.Second)
	work := filepath.Join(t.TempDir(), "work")
	imp := start(t, "import", "--dump", shopDump(t), "--work-dir", work, "--pd", addr, "--sorters", "0", "--quiet")
	var before map[string][]int64
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := runErr(30*time.Second, "tables", "--pd", addr, "--json", "--no-rows")
		if err == nil {
			var l catalogListing
			if json.Unmarshal([]byte(out), &l) == nil && len(l.Tables) == 3 {
				before = l.ids(t)
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import's tables never appeared in the catalog: %v\n%s\nimport stderr:\n%s", err, out, imp.Stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := st.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = st.wait(30 * time.Second)
	_ = imp.cmd.Process.Kill()
	_ = imp.wait(30 * time.Second)

	st = start(t, storeArgs...)
	st.waitLine(t, storeLine, 30*time.Second)
	if out := run(t, importTimeout, "import", "--dump", shopDump(t), "--work-dir", work, "--pd", addr, "--quiet"); !strings.Contains(out, "complete") {
		t.Fatalf("rerun:\n%s", out)
	}
	after := listTables(t, addr).ids(t)
	for name, ids := range before {
		if !equalIDs(after[name], ids) {
			t.Errorf("%s: IDs %v before the kill, %v after the rerun", name, ids, after[name])
		}
	}
	if out := run(t, importTimeout, "import", "--dump", extraDump(t), "--work-dir", filepath.Join(t.TempDir(), "w2"), "--pd", addr, "--quiet"); !strings.Contains(out, "complete") {
		t.Fatalf("later import:\n%s", out)
	}
	l := listTables(t, addr)
	if all := l.ids(t); len(all) != 5 {
		t.Errorf("catalog: %v", all)
	}
	for _, tb := range []string{"shop.orders", "other.orders", "shop.extra"} {
		if out := exportAnywhere(t, addr, tb); strings.Count(out, "\n") < 3 {
			t.Errorf("%s exported %q", tb, out)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// freeAddr returns a loopback host:port nothing listens on (the store
// must come back on the same address after a kill).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
