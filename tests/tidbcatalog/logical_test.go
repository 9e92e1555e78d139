package tidbcatalog

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLogicalBackend imports through `--backend tidb` into a private
// MariaDB: sakila (every table's content equal to the mysql client's load
// of the same dump, by the test's own query checksum, and every table's
// checksum step done), the lightning cases, each conflict strategy, and
// kill -9 of the writer mid-batch and of the whole import mid-run, resumed
// with no row lost or duplicated.
func TestLogicalBackend(t *testing.T) {
	sock := startMariaDB(t)
	db := openTarget(t, sock)
	sakila := sakilaDir(t)
	loadWithClient(t, sock, sakila, "ref")
	ref := baseTables(t, db, "ref")
	if len(ref) < 16 {
		t.Fatalf("reference load: %d tables", len(ref))
	}
	sameAsRef := func(t *testing.T, schema string) {
		t.Helper()
		got := baseTables(t, db, schema)
		if strings.Join(got, ",") != strings.Join(ref, ",") {
			t.Fatalf("%s tables %v, the reference %v", schema, got, ref)
		}
		for _, tb := range ref {
			if g, w := serverChecksum(t, db, schema, tb), serverChecksum(t, db, "ref", tb); g != w {
				t.Errorf("%s.%s: count/xor/sum %s, the mysql client's load %s", schema, tb, g, w)
			}
		}
	}

	// fresh empties the target of an earlier sakila import (the routes
	// cannot rename sakila: its address schema is beyond the parser).
	fresh := func(t *testing.T) {
		for _, q := range []string{"DROP DATABASE IF EXISTS sakila", "DELETE FROM lightstream_task_info.logical_batches WHERE db_name = 'sakila'"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("sakila", func(t *testing.T) {
		work := t.TempDir()
		mustLogicalImport(t, sock, sakila, work)
		requireChecked(t, work)
		sameAsRef(t, "sakila")
		// Every batch recorded once; the records name this import's rows.
		if n := queryInt(t, db, "SELECT SUM(row_count) FROM lightstream_task_info.logical_batches WHERE db_name = 'sakila'"); n != 46268 {
			t.Errorf("batches recorded %d rows, want 46268", n)
		}
	})

	t.Run("lightning-cases", func(t *testing.T) {
		for _, c := range []struct {
			name string
			args []string
		}{
			{"lightning_various_types", []string{"--max-error", "1"}}, // one JSON document deeper than TiDB's 100
			{"lightning_csv", nil},
			{"lightning_tool_241", nil},
			{"lightning_exotic_filenames", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				dir := casesDir(t, c.name)
				work := t.TempDir()
				mustLogicalImport(t, sock, filepath.Join(dir, "data"), work, append([]string{"--config", filepath.Join(dir, "config.toml")}, c.args...)...)
				requireChecked(t, work)
			})
		}
	})

	t.Run("conflicts", func(t *testing.T) { testConflicts(t, sock) })

	t.Run("kill-writer", func(t *testing.T) {
		// The writer kills its process in its 30th batch, after the rows
		// went to the server and before the commit; its transactions
		// group a few batches each (--writer-txn-size), so the kill lands
		// in a group with others committed before it.
		fresh(t)
		work := t.TempDir()
		args := []string{"--logical-import-batch-rows", "200", "--writer-conns", "2", "--writer-txn-size", "40KiB"}
		cmd := logicalImport(t, sock, sakila, work, args...)
		cmd.Env = append(cmd.Env, "LIGHTSTREAM_FAULT_WRITER_KILL=30")
		out, err := cmd.CombinedOutput()
		if !killed(err) {
			t.Fatalf("the import was not killed: %v\n%s", err, lastLines(out))
		}
		before := queryInt(t, db, "SELECT COUNT(*) FROM lightstream_task_info.logical_batches WHERE db_name = 'sakila'")
		if before < 4 {
			t.Errorf("%d batches committed before the kill, want at least 4", before)
		}
		mustLogicalImport(t, sock, sakila, work, args...)
		requireChecked(t, work)
		sameAsRef(t, "sakila")
	})

	t.Run("kill-import", func(t *testing.T) {
		// kill -9 of the whole import once some batches are in, twice.
		fresh(t)
		work := t.TempDir()
		args := []string{"--logical-import-batch-rows", "100", "--writer-conns", "1"}
		for round, at := range []int64{20, 150} {
			cmd := logicalImport(t, sock, sakila, work, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				n := int64(0)
				_ = db.QueryRow("SELECT COUNT(*) FROM lightstream_task_info.logical_batches WHERE db_name = 'sakila'").Scan(&n)
				if n >= at || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			if !killed(err) {
				t.Logf("round %d: the import finished before the kill (%v)", round, err)
			}
		}
		mustLogicalImport(t, sock, sakila, work, args...)
		requireChecked(t, work)
		sameAsRef(t, "sakila")
		if n := queryInt(t, db, "SELECT SUM(row_count) FROM lightstream_task_info.logical_batches WHERE db_name = 'sakila'"); n != 46268 {
			t.Errorf("batches recorded %d rows, want 46268", n)
		}
	})
}

// killed reports whether err is a process's death by SIGKILL.
func killed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// conflictDump writes a dump whose table has a key twice: (1,'a') and
// later (1,'c').
func conflictDump(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"cf-schema-create.sql": "CREATE DATABASE cf;\n",
		"cf.t-schema.sql":      "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL, ts TIMESTAMP NULL);\n",
		"cf.t.000000000.sql":   "INSERT INTO t VALUES (1,'a','2020-01-01 00:00:00'),(2,'b',NULL),(1,'c','2021-01-01 00:00:00'),(3,'d',NULL);\n",
		// A view over t: created through the target after the tables.
		"cf.tv-schema.sql":      "CREATE TABLE `tv` (`id` int, `v` varchar(10));\n",
		"cf.tv-schema-view.sql": "DROP TABLE IF EXISTS `tv`;\nDROP VIEW IF EXISTS `tv`;\nCREATE VIEW `tv` AS SELECT id, v FROM t WHERE id > 1;\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testConflicts(t *testing.T, sock string) {
	db := openTarget(t, sock)
	dump := conflictDump(t)
	records := func(schema, kind string) int64 {
		return queryInt(t, db, "SELECT COUNT(*) FROM lightstream_task_info.conflict_records WHERE db_name = '"+schema+"' AND kind = '"+kind+"'")
	}
	t.Run("error", func(t *testing.T) {
		out, err := logicalImport(t, sock, dump, t.TempDir(), "--route", "cf=cf_error").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Duplicate entry") {
			t.Fatalf("on-duplicate error: %v\n%s", err, lastLines(out))
		}
		// With --max-error the row is a reject, recorded, and the table
		// checks: the source checksum counts the row, the records add it.
		work := t.TempDir()
		mustLogicalImport(t, sock, dump, work, "--route", "cf=cf_error2", "--max-error", "1")
		requireChecked(t, work)
		if n := queryInt(t, db, "SELECT COUNT(*) FROM cf_error2.t"); n != 3 {
			t.Errorf("%d rows, want 3", n)
		}
		if v := queryString(t, db, "SELECT v FROM cf_error2.t WHERE id = 1"); v != "a" {
			t.Errorf("id 1 = %q, want the first row's a", v)
		}
		if n := records("cf_error2", "conflict"); n != 1 {
			t.Errorf("%d conflict records, want 1", n)
		}
		b, _ := os.ReadFile(filepath.Join(work, "rejects.jsonl"))
		if strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), "Duplicate entry") {
			t.Errorf("rejects: %s", b)
		}
	})
	t.Run("foreign-key", func(t *testing.T) {
		// With --foreign-key-checks the server refuses a child row whose
		// parent is missing: a reject with the server's error, counted
		// against --max-error, recorded in conflict_records. Two such rows
		// of one batch are two rejects (a row counts once however often it
		// is refused, but distinct rows never merge).
		dir := t.TempDir()
		for name, text := range map[string]string{
			"fk-schema-create.sql":   "CREATE DATABASE fk;\n",
			"fk.parent-schema.sql":   "CREATE TABLE parent (id INT PRIMARY KEY);\n",
			"fk.child-schema.sql":    "CREATE TABLE child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id));\n",
			"fk.child.000000000.sql": "INSERT INTO child VALUES (1,NULL),(2,5),(3,NULL),(4,6);\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out, err := logicalImport(t, sock, dir, t.TempDir(), "--foreign-key-checks").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "foreign key constraint fails") {
			t.Fatalf("a missing parent with --foreign-key-checks: %v\n%s", err, lastLines(out))
		}
		if _, err := db.Exec("DROP DATABASE fk"); err != nil {
			t.Fatal(err)
		}
		work := t.TempDir()
		mustLogicalImport(t, sock, dir, work, "--foreign-key-checks", "--max-error", "2")
		requireChecked(t, work)
		if n := queryInt(t, db, "SELECT COUNT(*) FROM fk.child"); n != 2 {
			t.Errorf("%d child rows, want 2", n)
		}
		if n := records("fk", "rejected"); n != 2 {
			t.Errorf("%d rejected records, want 2", n)
		}
		b, _ := os.ReadFile(filepath.Join(work, "rejects.jsonl"))
		if strings.Count(string(b), "foreign key constraint fails") != 2 || strings.Count(string(b), "\n") != 2 {
			t.Errorf("rejects, want the two rows once each: %s", b)
		}
	})
	t.Run("ignore", func(t *testing.T) {
		work := t.TempDir()
		mustLogicalImport(t, sock, dump, work, "--route", "cf=cf_ignore", "--on-duplicate", "ignore")
		requireChecked(t, work)
		if v := queryString(t, db, "SELECT v FROM cf_ignore.t WHERE id = 1"); v != "a" {
			t.Errorf("id 1 = %q, want a (INSERT IGNORE keeps the first)", v)
		}
		if n := records("cf_ignore", "conflict"); n != 1 {
			t.Errorf("%d conflict records, want 1", n)
		}
		if n := queryInt(t, db, "SELECT COUNT(*) FROM cf_ignore.tv"); n != 2 {
			t.Errorf("view tv: %d rows, want 2", n)
		}
	})
	t.Run("replace", func(t *testing.T) {
		work := t.TempDir()
		mustLogicalImport(t, sock, dump, work, "--route", "cf=cf_replace", "--on-duplicate", "replace")
		if v := queryString(t, db, "SELECT v FROM cf_replace.t WHERE id = 1"); v != "c" {
			t.Errorf("id 1 = %q, want c (REPLACE keeps the last)", v)
		}
		if n := queryInt(t, db, "SELECT COUNT(*) FROM cf_replace.t"); n != 3 {
			t.Errorf("%d rows, want 3", n)
		}
		if n := records("cf_replace", "replaced"); n != 1 {
			t.Errorf("%d replaced records, want 1", n)
		}
		// The replaced row's content is gone: the table is not checked,
		// and the checkpoint says why.
		cs := checkpointChecksums(t, work)
		if s := cs[`"cf_replace"."t"`]; !strings.HasPrefix(s, "skipped") || !strings.Contains(s, "replace") {
			t.Errorf("checksum step %q, want skipped because of the replaced row", s)
		}
	})
}
