package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/export"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/kv/storeserver"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/storecatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// Two dumps whose tables overlap by name: shop holds tables of both,
// orders exists in shop (dump A) and in sales (dump B).
var (
	catalogDumpA = map[string]string{
		"shop-schema-create.sql":     "CREATE DATABASE `shop`;\n",
		"shop.orders-schema.sql":     "CREATE TABLE `orders` (`id` int PRIMARY KEY, `note` varchar(20), KEY `i_note` (`note`)) PARTITION BY HASH(`id`) PARTITIONS 2;\n",
		"shop.orders.000000000.sql":  "INSERT INTO `orders` VALUES (1,'a'),(2,'b'),(3,NULL);\n",
		"crm-schema-create.sql":      "CREATE DATABASE `crm`;\n",
		"crm.contacts-schema.sql":    "CREATE TABLE `contacts` (`id` bigint PRIMARY KEY, `name` varchar(20), UNIQUE KEY `u_name` (`name`));\n",
		"crm.contacts.000000000.sql": "INSERT INTO `contacts` VALUES (10,'ann'),(20,'bob');\n",
	}
	catalogDumpB = map[string]string{
		"shop-schema-create.sql":     "CREATE DATABASE `shop`;\n",
		"shop.items-schema.sql":      "CREATE TABLE `items` (`sku` varchar(10) PRIMARY KEY, `qty` int);\n",
		"shop.items.000000000.sql":   "INSERT INTO `items` VALUES ('B-1',5),('A-2',7);\n",
		"sales-schema-create.sql":    "CREATE DATABASE `sales`;\n",
		"sales.orders-schema.sql":    "CREATE TABLE `orders` (`id` int PRIMARY KEY, `total` decimal(10,2), UNIQUE KEY `u_total` (`total`));\n",
		"sales.orders.000000000.sql": "INSERT INTO `orders` VALUES (1,'9.50'),(2,'12.00'),(4,'0.99');\n",
	}
	// catalogExpected is every table's export (header first) after both.
	catalogExpected = map[string][]string{
		"shop.orders":  {"id,note", "2,b", "1,a", "3,NULL"}, // partition p0 (id%2=0) first
		"crm.contacts": {"id,name", "10,ann", "20,bob"},
		"shop.items":   {"sku,qty", "A-2,7", "B-1,5"},
		"sales.orders": {"id,total", "1,9.50", "2,12.00", "4,0.99"},
	}
)

func writeCatalogDump(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startStoreServer runs the network store (`lightstream store`) in-process.
func startStoreServer(t *testing.T) string {
	t.Helper()
	srv, err := storeserver.Open(storeserver.Config{DataDir: t.TempDir(), Listeners: []storeserver.Listener{{Addr: "127.0.0.1:0"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

func clusterImport(t *testing.T, pd, dump string) (*pipeline.Result, *warnings, error) {
	return runImport(t, pipeline.Config{Dump: dump, WorkDir: filepath.Join(t.TempDir(), "work"), Store: pipeline.StoreConfig{PD: []string{pd}}})
}

func openCluster(t *testing.T, pd string) *store.Cluster {
	t.Helper()
	st, err := store.OpenCluster([]string{pd}, store.ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// catalogExport exports db.table with the model the store's catalog holds
// (no work directory), as lines "v1,v2" with NULL for NULL.
func catalogExport(t *testing.T, st store.Store, db, table string) []string {
	t.Helper()
	meta, err := storecatalog.Open(st)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := meta.Table(context.Background(), db, table)
	if err != nil {
		t.Fatal(err)
	}
	m, err := rec.Decode()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := export.Table(context.Background(), st, m, export.Options{Loc: time.UTC}, &buf); err != nil {
		t.Fatal(err)
	}
	e, err := parseDumpCSV(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{strings.Join(e.Header, ",")}
	for _, r := range e.Rows {
		var vals []string
		for _, v := range r {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, *v)
			}
		}
		lines = append(lines, strings.Join(vals, ","))
	}
	return lines
}

// checkBothDumps: every table of both dumps exports exactly, and no two
// tables or partitions share an ID.
func checkBothDumps(t *testing.T, pd string, others ...string) {
	t.Helper()
	st := openCluster(t, pd)
	for name, want := range catalogExpected {
		db, table, _ := strings.Cut(name, ".")
		if got := catalogExport(t, st, db, table); !slices.Equal(got, want) {
			t.Errorf("%s exported %q, want %q", name, got, want)
		}
	}
	all, err := storecatalog.New(st).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range all.Tables {
		names = append(names, tb.DB+"."+tb.Name)
	}
	want := slices.Concat(others, slices.Collect(maps.Keys(catalogExpected)))
	slices.Sort(want)
	if !slices.Equal(names, want) || len(all.Databases) != 3 {
		t.Errorf("catalog holds tables %q in %d databases, want %q in 3", names, len(all.Databases), want)
	}
	used := map[int64]string{}
	for _, tb := range all.Tables {
		for _, id := range append([]int64{tb.ID}, tb.PhysicalIDs...) {
			if prev, ok := used[id]; ok && prev != tb.DB+"."+tb.Name {
				t.Errorf("ID %d used by %s and %s.%s", id, prev, tb.DB, tb.Name)
			}
			used[id] = tb.DB + "." + tb.Name
		}
	}
}

func requireVerified(t *testing.T, res *pipeline.Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	for _, tb := range res.Progress.Tables {
		if tb.Source != tb.Stored || tb.Status != "done" {
			t.Errorf("%s.%s: status %q source %+v stored %+v", tb.DB, tb.Table, tb.Status, tb.Source, tb.Stored)
		}
	}
}

// TestCatalogTwoDumpsInSequence: two dumps into one network store, one
// after the other, each from its own work directory: the second gets IDs
// of its own from the store's catalog (before the catalog, both started at
// the same ID and the second overwrote the first's key ranges).
func TestCatalogTwoDumpsInSequence(t *testing.T) {
	pd := startStoreServer(t)
	res, _, err := clusterImport(t, pd, writeCatalogDump(t, catalogDumpA))
	requireVerified(t, res, err)
	res, _, err = clusterImport(t, pd, writeCatalogDump(t, catalogDumpB))
	requireVerified(t, res, err)
	checkBothDumps(t, pd)

	// A third dump whose shop.orders already holds rows stops before
	// writing anything: the store's table data is byte-identical after,
	// and its other table (listed first) got no pair either.
	st := openCluster(t, pd)
	all := []store.KeyRange{{Start: []byte("t"), End: []byte("u")}}
	before, err := st.Checksum(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	dumpC := map[string]string{
		"shop-schema-create.sql":    "CREATE DATABASE `shop`;\n",
		"shop.aaa-schema.sql":       "CREATE TABLE `aaa` (`id` int PRIMARY KEY);\n",
		"shop.aaa.000000000.sql":    "INSERT INTO `aaa` VALUES (1),(2);\n",
		"shop.orders-schema.sql":    catalogDumpA["shop.orders-schema.sql"],
		"shop.orders.000000000.sql": "INSERT INTO `orders` VALUES (7,'z');\n",
	}
	_, _, err = clusterImport(t, pd, writeCatalogDump(t, dumpC))
	var ne *coordinator.TableNotEmptyError
	if !errors.Is(err, coordinator.ErrTableNotEmpty) || !errors.As(err, &ne) {
		t.Fatalf("third import: %v, want %v", err, coordinator.ErrTableNotEmpty)
	}
	if ne.DB != "shop" || ne.Table != "orders" || ne.Decoded.Kind == "" || !strings.Contains(err.Error(), "shop.orders") ||
		!strings.Contains(ne.Owner, "shop.orders") || !strings.Contains(err.Error(), "--route") {
		t.Errorf("error does not name the table, the key and what to do: %v (%+v)", err, ne)
	}
	after, err := st.Checksum(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("store's table data changed by the refused import: %+v -> %+v", before, after)
	}
	// shop.aaa is recorded (as CREATE TABLE would have created it), empty.
	checkBothDumps(t, pd, "shop.aaa")
}

// TestCatalogTwoDumpsConcurrently: the same two dumps imported at the
// same time into one store.
func TestCatalogTwoDumpsConcurrently(t *testing.T) {
	pd := startStoreServer(t)
	dumps := []string{writeCatalogDump(t, catalogDumpA), writeCatalogDump(t, catalogDumpB)}
	var wg sync.WaitGroup
	results := make([]*pipeline.Result, 2)
	errs := make([]error, 2)
	for i, d := range dumps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _, errs[i] = runImport(t, pipeline.Config{Dump: d, WorkDir: filepath.Join(t.TempDir(), "work"), Store: pipeline.StoreConfig{PD: []string{pd}}})
		}()
	}
	wg.Wait()
	for i := range dumps {
		requireVerified(t, results[i], errs[i])
	}
	checkBothDumps(t, pd)
}

// TestCatalogResumeOldCheckpoint: a work directory whose checkpoint was
// written before the catalog existed (its tables' IDs only there) resumes
// with those IDs adopted into the catalog, and a later import allocates
// past them.
func TestCatalogSurvivesWorkDirDeletion(t *testing.T) {
	pd := startStoreServer(t)
	dir := filepath.Join(t.TempDir(), "work")
	res, _, err := runImport(t, pipeline.Config{Dump: writeCatalogDump(t, catalogDumpA), WorkDir: dir, Store: pipeline.StoreConfig{PD: []string{pd}}})
	requireVerified(t, res, err)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	res, _, err = clusterImport(t, pd, writeCatalogDump(t, catalogDumpB))
	requireVerified(t, res, err)
	checkBothDumps(t, pd)
}

// stopAfterSchemas runs an import with no sorters until its coordinator
// has published every table's schema, then stops it: the tables have IDs,
// nothing is ingested.
func stopAfterSchemas(t *testing.T, cfg pipeline.Config) {
	t.Helper()
	cfg.Sorters = -1
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := pipeline.Run(ctx, cfg)
		done <- err
	}()
	deadline := time.After(importTimeout())
	for {
		cp, err := checkpoint.Open(pipeline.CheckpointPath(cfg.WorkDir))
		if err == nil && cp.StepDone(coordinator.StepSchemas) {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("import ended before publishing its schemas: %v", err)
		case <-deadline:
			t.Fatal("schemas never published")
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
}

// dropCatalog deletes the catalog from a work directory's embedded store,
// as a build from before the catalog left it.
func dropCatalog(t *testing.T, work string) {
	t.Helper()
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start, end := storecatalog.Range()
	err = st.RunTxn(context.Background(), func(txn store.Txn) error {
		var keys [][]byte
		if err := txn.Scan(start, end, 0, func(k, _ []byte) bool { keys = append(keys, bytes.Clone(k)); return true }); err != nil {
			return err
		}
		if len(keys) == 0 {
			return errors.New("no catalog to drop")
		}
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCatalogAdoptsOldWorkDir: a work directory whose tables got their
// IDs from its checkpoint, before the catalog existed, resumes with those
// IDs recorded in the store's catalog; when the catalog gives one of them
// to another table, the resume is refused with what to do.
func TestCatalogAdoptsOldWorkDir(t *testing.T) {
	dump := writeCatalogDump(t, catalogDumpA)
	work := filepath.Join(t.TempDir(), "work")
	stopAfterSchemas(t, pipeline.Config{Dump: dump, WorkDir: work, KVPartitions: 2})
	dropCatalog(t, work)
	cp, err := checkpoint.Open(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]int64{}
	for _, rec := range cp.Snapshot().Tables {
		old[rec.DB+"."+rec.Name] = rec.TableID
	}
	if len(old) != 2 {
		t.Fatalf("checkpoint tables: %v", old)
	}

	// Another table recorded meanwhile takes crm.contacts's ID.
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	meta := storecatalog.New(st)
	for {
		res, err := meta.CreateTable(context.Background(), storecatalog.DatabaseSpec{Name: "x"}, fmt.Sprintf("t%d", len(old)), func(id int64) (*tablemodel.Table, error) {
			m, _, err := tablemodel.ParseCreateTable("CREATE TABLE t (id INT)", tablemodel.DBDefaults{Name: "x"}, id)
			return m, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Table.ID >= old["crm.contacts"] {
			break
		}
		old["x."+res.Table.Name] = 0
	}
	st.Close()
	_, _, err = runImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	if !errors.Is(err, coordinator.ErrCatalogConflict) || !strings.Contains(err.Error(), "--work-dir") {
		t.Fatalf("resume over a catalog holding its IDs: %v", err)
	}

	dropCatalog(t, work)
	res, w, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	requireVerified(t, res, err)
	adopted := 0
	for _, msg := range w.all() {
		if strings.Contains(msg, "recorded in the store's catalog") {
			adopted++
		}
	}
	if adopted != 2 {
		t.Errorf("%d tables adopted, want 2; warnings %q", adopted, w.all())
	}
	st, err = store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, name := range []string{"shop.orders", "crm.contacts"} {
		db, table, _ := strings.Cut(name, ".")
		rec, err := storecatalog.New(st).Table(context.Background(), db, table)
		if err != nil || rec.ID != old[name] {
			t.Errorf("%s: catalog record %+v %v, checkpoint ID %d", name, rec, err, old[name])
			continue
		}
		if got := catalogExport(t, st, db, table); !slices.Equal(got, catalogExpected[name]) {
			t.Errorf("%s exported %q, want %q", name, got, catalogExpected[name])
		}
	}
}

// TestCatalogSameTableConcurrently: two dumps holding the same table
// (shop.orders, other rows) imported at the same time into one store.
// Only one can write it: the other stops before writing, either because
// the first holds the table (storecatalog.Claim) or, if the first is
// already complete, because the table holds rows. The winner's rows are
// exactly its dump's, and its hold is released once it is complete.
func TestCatalogSameTableConcurrently(t *testing.T) {
	pd := startStoreServer(t)
	other := map[string]string{
		"shop-schema-create.sql":    catalogDumpA["shop-schema-create.sql"],
		"shop.orders-schema.sql":    catalogDumpA["shop.orders-schema.sql"],
		"shop.orders.000000000.sql": "INSERT INTO `orders` VALUES (8,'x'),(9,'y');\n",
	}
	dumps := []string{writeCatalogDump(t, catalogDumpA), writeCatalogDump(t, other)}
	want := [][]string{catalogExpected["shop.orders"], {"id,note", "8,x", "9,y"}}
	var wg sync.WaitGroup
	results := make([]*pipeline.Result, 2)
	errs := make([]error, 2)
	for i, d := range dumps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _, errs[i] = clusterImport(t, pd, d)
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("both imports of shop.orders completed")
			}
			winner = i
			requireVerified(t, results[i], err)
		case errors.Is(err, storecatalog.ErrClaimed) || errors.Is(err, coordinator.ErrTableNotEmpty):
			if !strings.Contains(err.Error(), "shop.orders") {
				t.Errorf("refusal does not name the table: %v", err)
			}
		default:
			t.Errorf("import %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("neither import completed")
	}
	st := openCluster(t, pd)
	if got := catalogExport(t, st, "shop", "orders"); !slices.Equal(got, want[winner]) {
		t.Errorf("shop.orders exported %q, want the winner's %q", got, want[winner])
	}
	rec, err := storecatalog.New(st).Table(context.Background(), "shop", "orders")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Claim != nil && strings.Contains(rec.Claim.Import, dumps[winner]) {
		t.Errorf("the winner still holds shop.orders: %+v", rec.Claim)
	}
}
