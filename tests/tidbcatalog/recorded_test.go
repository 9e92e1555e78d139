// Package tidbcatalog tests the TiDB catalog (internal/state/tidbcatalog): against
// recorded TiDB responses (status API TableInfo JSON, ADMIN CHECKSUM
// result sets, PD's scheduler API) and, for the statements TiDB shares
// with MySQL, against a private MariaDB server. No TiDB server runs here.
package tidbcatalog

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/ops/logsink"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog/catalogtest"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// The TiDB catalog is what the coordinator expects of a cluster catalog.
var (
	_ coordinator.Catalog         = (*tidbcatalog.TiDB)(nil)
	_ coordinator.PostImporter    = (*tidbcatalog.TiDB)(nil)
	_ coordinator.SchedulerPauser = (*tidbcatalog.TiDB)(nil)
)

// sakilaDir is the shared sakila corpus.
func sakilaDir(t testing.TB) string { return golden.Shared(t, "corpora/sakila") }

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// manifest is what the producer publishes for a table of a dump.
func manifest(t *testing.T, dir, db, table string) *lsv1.TableManifest {
	return &lsv1.TableManifest{
		Db: db, Table: table,
		SchemaSql:   readFile(t, filepath.Join(dir, db+"."+table+"-schema.sql")),
		DbSchemaSql: readFile(t, filepath.Join(dir, db+"-schema-create.sql")),
	}
}

// statusWithFixtures serves every testdata/tableinfo-DB.TABLE.json.
func statusWithFixtures(t *testing.T) *catalogtest.StatusServer {
	t.Helper()
	st := catalogtest.NewStatusServer()
	t.Cleanup(st.Close)
	files, err := filepath.Glob("testdata/tableinfo-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "tableinfo-"), ".json")
		db, table, _ := strings.Cut(name, ".")
		st.Put(db, table, []byte(readFile(t, f)))
	}
	return st
}

func recordedCatalog(t *testing.T, cfg tidbcatalog.Config) (*tidbcatalog.TiDB, *catalogtest.Recorded) {
	t.Helper()
	rec := catalogtest.NewRecorded()
	if cfg.Addr == "" {
		cfg.Addr = "tidb.example:4000"
	}
	if cfg.StatusWait == 0 {
		cfg.StatusWait = 50 * time.Millisecond
	}
	c, err := tidbcatalog.New(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func TestCreateTableLoadsTiDBIDs(t *testing.T) {
	st := statusWithFixtures(t)
	c, rec := recordedCatalog(t, tidbcatalog.Config{StatusAddr: st.URL, SQLMode: "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"})
	tbl, warns, err := c.CreateTable(context.Background(), manifest(t, sakilaDir(t), "sakila", "actor"), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := []string{
		"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'",
		"SET SESSION foreign_key_checks = 0",
		"SET NAMES 'binary'",
		"CREATE DATABASE IF NOT EXISTS `sakila`",
		"SET NAMES 'binary'",
		"CREATE TABLE IF NOT EXISTS `sakila`.`actor` (",
	}
	got := rec.Statements()
	if len(got) != len(want) {
		t.Fatalf("statements:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("statement %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
	// The ids are TiDB's (the fixture's), not the coordinator's 7.
	if tbl.ID != 112 || !tbl.PKIsHandle || tbl.HandleOffset != 0 || tbl.DB != "sakila" || tbl.Name != "actor" {
		t.Errorf("table: id %d handle %v/%d name %s.%s", tbl.ID, tbl.PKIsHandle, tbl.HandleOffset, tbl.DB, tbl.Name)
	}
	if len(tbl.Columns) != 4 || tbl.Columns[3].ID != 4 || !tbl.Columns[3].DefaultIsNow || !tbl.Columns[0].AutoIncrement {
		t.Errorf("columns: %+v", tbl.Columns)
	}
	if len(tbl.Indexes) != 1 || tbl.Indexes[0].ID != 1 || tbl.Indexes[0].Columns[0].Offset != 2 {
		t.Errorf("indexes: %+v", tbl.Indexes)
	}
	// The database is created once per catalog.
	if _, _, err := c.CreateTable(context.Background(), manifest(t, sakilaDir(t), "sakila", "category"), 8); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range rec.Statements() {
		if strings.HasPrefix(q, "CREATE DATABASE") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("CREATE DATABASE ran %d times", n)
	}
}

// TiDB's special comments (clustered index, AUTO_RANDOM, SHARD_ROW_ID_BITS)
// reach TiDB; foreign keys point into the import's database; the dump's
// SQL mode decides how the DDL is read (ANSI_QUOTES).
func TestCreateTableKeepsTiDBCommentsAndSQLMode(t *testing.T) {
	st := statusWithFixtures(t)
	c, rec := recordedCatalog(t, tidbcatalog.Config{StatusAddr: st.URL, SQLMode: "ANSI_QUOTES"})
	m := &lsv1.TableManifest{Db: "ar", Table: "orders", SchemaSql: `CREATE TABLE "orders" (
  "code" VARCHAR(16) NOT NULL,
  "seq" INT NOT NULL AUTO_INCREMENT,
  PRIMARY KEY ("code") /*T![clustered_index] CLUSTERED */,
  KEY "seq" ("seq"),
  CONSTRAINT "fk" FOREIGN KEY ("seq") REFERENCES "other" ("id")
) /*T! SHARD_ROW_ID_BITS=4 */`}
	if _, _, err := c.CreateTable(context.Background(), m, 1); err != nil {
		t.Fatal(err)
	}
	got := rec.Statements()
	ddl := got[len(got)-1]
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS `ar`.`orders`",
		"/*T![clustered_index] CLUSTERED */",
		"REFERENCES `ar`.`other`",
		"SHARD_ROW_ID_BITS",
	} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
	if got[0] != "SET SESSION sql_mode = 'ANSI_QUOTES'" {
		t.Errorf("session: %q", got[0])
	}
	if got[2] != "CREATE DATABASE IF NOT EXISTS `ar`" {
		t.Errorf("database: %q", got[2])
	}
}

func TestCreateTableErrors(t *testing.T) {
	st := statusWithFixtures(t)
	c, rec := recordedCatalog(t, tidbcatalog.Config{StatusAddr: st.URL, StatusWait: time.Second})
	ctx := context.Background()
	if _, _, err := c.CreateTable(ctx, &lsv1.TableManifest{Db: "d", Table: "t"}, 1); !errors.Is(err, tidbcatalog.ErrNoSchema) {
		t.Errorf("no schema: %v", err)
	}
	// Created, but TiDB's status API does not know it (yet).
	_, _, err := c.CreateTable(ctx, &lsv1.TableManifest{Db: "d", Table: "missing", SchemaSql: "CREATE TABLE missing (a INT)"}, 1)
	if !errors.Is(err, tidbcatalog.ErrTableNotFound) {
		t.Errorf("missing table: %v", err)
	}
	if st.Hits("d", "missing") < 2 {
		t.Errorf("status API asked %d times, want retries", st.Hits("d", "missing"))
	}
	rec.Fail("CREATE TABLE IF NOT EXISTS `d`.`x`", errors.New("Error 8200: Unsupported"))
	_, _, err = c.CreateTable(ctx, &lsv1.TableManifest{Db: "d", Table: "x", SchemaSql: "CREATE TABLE x (a INT)"}, 1)
	if err == nil || !strings.Contains(err.Error(), "8200") {
		t.Errorf("DDL error: %v", err)
	}
	// A schema file our parser cannot read goes to the server as written.
	bad := "CREATE TABLE g (p POINT SRID 4326 NOT NULL)"
	st.Put("d", "g", []byte(readFile(t, "testdata/tableinfo-ar.logs.json")))
	_, warns, _ := c.CreateTable(ctx, &lsv1.TableManifest{Db: "d", Table: "g", SchemaSql: bad}, 1)
	s := rec.Statements()
	if s[len(s)-1] != bad || s[len(s)-2] != "USE `d`" || len(warns) != 1 {
		t.Errorf("fallback: %q %q %v", s[len(s)-2], s[len(s)-1], warns)
	}
}

// adminChecksum is ADMIN CHECKSUM TABLE's result as TiDB sends it
// (pkg/executor checksum.go: Db_name, Table_name, Checksum_crc64_xor,
// Total_kvs, Total_bytes; all text on the wire).
func adminChecksum(db, table, sum, kvs, bytes string) *tidbcatalog.ResultSet {
	return catalogtest.Rows([]string{"Db_name", "Table_name", "Checksum_crc64_xor", "Total_kvs", "Total_bytes"},
		[]string{db, table, sum, kvs, bytes})
}

func TestChecksumFromAdminChecksum(t *testing.T) {
	c, rec := recordedCatalog(t, tidbcatalog.Config{})
	ctx := context.Background()
	rec.Answer("ADMIN CHECKSUM TABLE `sakila`.`actor`", adminChecksum("sakila", "actor", "18446744073709551615", "400", "23110"))
	got, err := c.Checksum(ctx, "sakila", "actor")
	if err != nil {
		t.Fatal(err)
	}
	if want := (checkpoint.Checksum{Sum: 18446744073709551615, KVs: 400, Bytes: 23110}); got != want {
		t.Errorf("got %+v want %+v", got, want)
	}
	for name, rs := range map[string]*tidbcatalog.ResultSet{
		"no rows":     catalogtest.Rows([]string{"Db_name", "Table_name", "Checksum_crc64_xor", "Total_kvs", "Total_bytes"}),
		"no column":   catalogtest.Rows([]string{"Db_name", "Table_name", "Checksum_crc64_xor", "Total_kvs"}, []string{"a", "b", "1", "2"}),
		"not numeric": adminChecksum("a", "b", "x", "1", "2"),
		"NULL":        adminChecksum("a", "b", `\N`, "1", "2"),
	} {
		rec.Answer("ADMIN CHECKSUM TABLE `a`.`b`", rs)
		if _, err := c.Checksum(ctx, "a", "b"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func loadFixture(t *testing.T, db, table string) *tablemodel.Table {
	t.Helper()
	tbl, err := tablemodel.FromTableInfoJSON([]byte(readFile(t, "testdata/tableinfo-"+db+"."+table+".json")), db)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestRebase(t *testing.T) {
	one := func(v string) *tidbcatalog.ResultSet { return catalogtest.Rows([]string{"m"}, []string{v}) }
	cases := []struct {
		db, table string
		answers   map[string]string
		want      []string // statements after the queries
	}{
		// AUTO_INCREMENT primary key (int handle): max + 1.
		{"sakila", "actor", map[string]string{"SELECT IFNULL(MAX(`actor_id`), 0) FROM `sakila`.`actor`": "200"},
			[]string{"ALTER TABLE `sakila`.`actor` AUTO_INCREMENT=201"}},
		// Empty table: nothing to move.
		{"sakila", "category", map[string]string{"SELECT IFNULL(MAX(`category_id`), 0)": "0"}, nil},
		// Non-clustered composite key: the _tidb_rowid allocator, 63 bits.
		{"sakila", "film_actor", map[string]string{"SELECT IFNULL(MAX(_tidb_rowid & 9223372036854775807), 0) FROM `sakila`.`film_actor`": "5462"},
			[]string{"ALTER TABLE `sakila`.`film_actor` AUTO_INCREMENT=5463"}},
		// AUTO_RANDOM(5) signed BIGINT: 58 incremental bits.
		{"ar", "events", map[string]string{"SELECT IFNULL(MAX(`id` & 288230376151711743), 0) FROM `ar`.`events`": "1000"},
			[]string{"ALTER TABLE `ar`.`events` AUTO_RANDOM_BASE=1001"}},
		// AUTO_RANDOM space used up: the base stays at the largest value.
		{"ar", "events", map[string]string{"SELECT IFNULL(MAX(`id` & 288230376151711743), 0)": "288230376151711743"},
			[]string{"ALTER TABLE `ar`.`events` AUTO_RANDOM_BASE=288230376151711743"}},
		// SHARD_ROW_ID_BITS=4 (read from the untagged ShardRowIDBits key):
		// 59 incremental bits.
		{"ar", "logs", map[string]string{"SELECT IFNULL(MAX(_tidb_rowid & 576460752303423487), 0)": "77"},
			[]string{"ALTER TABLE `ar`.`logs` AUTO_INCREMENT=78"}},
		// Clustered VARCHAR key with an AUTO_INCREMENT column: no _tidb_rowid.
		{"ar", "orders", map[string]string{"SELECT IFNULL(MAX(`seq`), 0) FROM `ar`.`orders`": "41"},
			[]string{"ALTER TABLE `ar`.`orders` AUTO_INCREMENT=42"}},
		// Beyond TiDB's signed range: FORCE the largest (Lightning).
		{"sakila", "actor", map[string]string{"SELECT IFNULL(MAX(`actor_id`), 0)": "18446744073709551615"},
			[]string{"ALTER TABLE `sakila`.`actor` FORCE AUTO_INCREMENT=9223372036854775807"}},
	}
	for _, tc := range cases {
		c, rec := recordedCatalog(t, tidbcatalog.Config{})
		for q, v := range tc.answers {
			rec.Answer(q, one(v))
		}
		if err := c.Rebase(context.Background(), loadFixture(t, tc.db, tc.table)); err != nil {
			t.Errorf("%s.%s: %v", tc.db, tc.table, err)
			continue
		}
		var alters []string
		queried := 0
		for _, q := range rec.Statements() {
			if strings.HasPrefix(q, "ALTER") {
				alters = append(alters, q)
			}
			for a := range tc.answers {
				if strings.HasPrefix(q, a) {
					queried++
				}
			}
		}
		if queried != len(tc.answers) {
			t.Errorf("%s.%s: queries %q", tc.db, tc.table, rec.Statements())
		}
		if strings.Join(alters, ";") != strings.Join(tc.want, ";") {
			t.Errorf("%s.%s: got %q want %q", tc.db, tc.table, alters, tc.want)
		}
	}
}

func TestAnalyzeReportsErrorRows(t *testing.T) {
	c, rec := recordedCatalog(t, tidbcatalog.Config{})
	cols := []string{"Table", "Op", "Msg_type", "Msg_text"}
	rec.Answer("ANALYZE TABLE `d`.`ok`", catalogtest.Rows(cols, []string{"d.ok", "analyze", "status", "OK"}))
	rec.Answer("ANALYZE TABLE `d`.`bad`", catalogtest.Rows(cols, []string{"d.bad", "analyze", "Error", "Table 'd.bad' doesn't exist"}))
	if err := c.Analyze(context.Background(), "d", "ok"); err != nil {
		t.Error(err)
	}
	if err := c.Analyze(context.Background(), "d", "bad"); err == nil || !strings.Contains(err.Error(), "doesn't exist") {
		t.Errorf("bad: %v", err)
	}
	// TiDB answers ANALYZE with no result set.
	if err := c.Analyze(context.Background(), "d", "tidb"); err != nil {
		t.Error(err)
	}
}

func TestPauseSchedulers(t *testing.T) {
	pd := catalogtest.NewPDServer("balance-leader-scheduler", "balance-region-scheduler", "evict-leader-scheduler-1", "balance-hot-region-scheduler")
	defer pd.Close()
	c, _ := recordedCatalog(t, tidbcatalog.Config{PDAddrs: []string{"127.0.0.1:1", pd.URL}, SchedulerPause: 3 * time.Second})
	resume, err := c.PauseSchedulers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The pause is renewed every second (a third of 3s).
	deadline := time.Now().Add(5 * time.Second)
	for countDelay(pd.Calls(), 3) < 6 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if err := resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := pd.Calls()
	if calls[0].Method != "GET" || calls[0].Path != "/pd/api/v1/schedulers" {
		t.Errorf("first call %+v", calls[0])
	}
	if n := countDelay(calls, 3); n < 6 {
		t.Errorf("%d pauses, want the first round of 3 and a renewal: %+v", n, calls)
	}
	resumed := map[string]bool{}
	for _, cl := range calls {
		if strings.HasSuffix(cl.Path, "evict-leader-scheduler-1") {
			t.Errorf("paused a scheduler it should leave alone: %+v", cl)
		}
		if cl.Delay == 0 && cl.Method == "POST" {
			resumed[strings.TrimPrefix(cl.Path, "/pd/api/v1/schedulers/")] = true
		}
	}
	if len(resumed) != 3 || !resumed["balance-leader-scheduler"] || !resumed["balance-region-scheduler"] || !resumed["balance-hot-region-scheduler"] {
		t.Errorf("resumed %v", resumed)
	}
	// The last calls are the resumes: no renewal after resume.
	if last := calls[len(calls)-1]; last.Delay != 0 {
		t.Errorf("last call %+v", last)
	}
	// Resume twice is harmless.
	if err := resume(context.Background()); err != nil {
		t.Error(err)
	}
}

func countDelay(calls []catalogtest.PDCall, d int64) int {
	n := 0
	for _, c := range calls {
		if c.Method == "POST" && c.Delay == d {
			n++
		}
	}
	return n
}

func TestPauseSchedulersWithoutPD(t *testing.T) {
	var warned []string
	log := slog.New(logsink.New(slog.LevelWarn, func(_ slog.Level, s string) { warned = append(warned, s) }))
	c, _ := recordedCatalog(t, tidbcatalog.Config{Logger: log})
	resume, err := c.PauseSchedulers(context.Background())
	if err != nil || resume(context.Background()) != nil || len(warned) != 1 {
		t.Errorf("err %v warned %v", err, warned)
	}
	c2, _ := recordedCatalog(t, tidbcatalog.Config{PDAddrs: []string{"127.0.0.1:1"}})
	if _, err := c2.PauseSchedulers(context.Background()); err == nil {
		t.Error("unreachable PD: no error")
	}
}
