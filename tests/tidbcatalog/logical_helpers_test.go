package tidbcatalog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// lightstreamBin builds the command once for the package's tests.
func lightstreamBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lsbin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "lightstream")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/lightstream-io/lightstream/cmd/lightstream").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// logicalImport is the command line of an import into the server on sock.
func logicalImport(t *testing.T, sock, dumpDir, work string, args ...string) *exec.Cmd {
	t.Helper()
	all := append([]string{"import", "--dump", dumpDir, "--work-dir", work, "--backend", "tidb", "--tidb", sock, "-q"}, args...)
	cmd := exec.Command(lightstreamBin(t), all...)
	cmd.Env = os.Environ()
	return cmd
}

// mustLogicalImport runs an import to completion.
func mustLogicalImport(t *testing.T, sock, dumpDir, work string, args ...string) string {
	t.Helper()
	out, err := logicalImport(t, sock, dumpDir, work, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("import %s: %v\n%s", dumpDir, err, lastLines(out))
	}
	return string(out)
}

// openTarget opens a pool on the server.
func openTarget(t *testing.T, sock string) *sql.DB {
	t.Helper()
	db, err := tidbcatalog.OpenDB(context.Background(), tidbcatalog.Config{Net: "unix", Addr: sock, StatusAddr: "127.0.0.1:0"}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("SET GLOBAL time_zone = '+00:00'"); err != nil {
		t.Fatal(err)
	}
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

// serverChecksum is the test's own query checksum of a table, built from
// the server's column list (not from lightstream's model): COUNT, BIT_XOR
// and SUM of CRC32 over the row's columns, floats left out.
func serverChecksum(t *testing.T, db *sql.DB, schema, table string) string {
	t.Helper()
	rows, err := db.Query("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", schema, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vals, flags []string
	for rows.Next() {
		var name, tp string
		if err := rows.Scan(&name, &tp); err != nil {
			t.Fatal(err)
		}
		q := "`" + strings.ReplaceAll(name, "`", "``") + "`"
		switch strings.ToLower(tp) {
		case "float", "double", "geometry", "point":
			continue
		case "bit":
			vals = append(vals, "CAST("+q+" AS UNSIGNED)")
		case "char", "varchar", "text", "tinytext", "mediumtext", "longtext", "enum", "set", "json":
			vals = append(vals, "CAST(CONVERT("+q+" USING utf8mb4) AS BINARY)")
		default:
			vals = append(vals, "CAST("+q+" AS BINARY)")
		}
		flags = append(flags, "ISNULL("+q+")")
	}
	if len(vals) == 0 {
		t.Fatalf("%s.%s: no columns", schema, table)
	}
	q := fmt.Sprintf("SELECT CONCAT(COUNT(*), '/', COALESCE(BIT_XOR(h), 0), '/', COALESCE(SUM(h), 0)) FROM (SELECT CRC32(CONCAT_WS(',', %s, CONCAT(%s))) AS h FROM `%s`.`%s`) x",
		strings.Join(vals, ", "), strings.Join(flags, ", "), schema, table)
	return queryString(t, db, q)
}

// baseTables lists a database's tables.
func baseTables(t *testing.T, db *sql.DB, schema string) []string {
	t.Helper()
	rows, err := db.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// loadWithClient loads a dumpling-layout dump into database as the mysql
// client does (../shared/peers/mariadb-load.sh), as the reference.
func loadWithClient(t *testing.T, sock, dumpDir, database string) time.Duration {
	t.Helper()
	client, err := exec.LookPath("mariadb")
	if err != nil {
		if client, err = exec.LookPath("mysql"); err != nil {
			t.Skip("no mariadb client")
		}
	}
	start := time.Now()
	run := func(stdin []byte, args ...string) {
		cmd := exec.Command(client, append([]string{"-S", sock, "-uroot", "--init-command=SET foreign_key_checks = 0, time_zone = '+00:00'"}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", client, args, err, lastLines(out))
		}
	}
	run(nil, "-e", "CREATE DATABASE "+database)
	files, _ := filepath.Glob(filepath.Join(dumpDir, "*.sql"))
	sort.Strings(files)
	for _, schemaFirst := range []bool{true, false} {
		for _, f := range files {
			base := filepath.Base(f)
			if strings.HasSuffix(base, "-schema-create.sql") || strings.HasSuffix(base, "-schema-view.sql") || strings.HasSuffix(base, "-schema-trigger.sql") {
				continue
			}
			if strings.HasSuffix(base, "-schema.sql") != schemaFirst {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			run(b, database)
		}
	}
	return time.Since(start)
}

// checkpointChecksums returns each table's checksum step status from the
// work directory's checkpoint.
func checkpointChecksums(t *testing.T, work string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(work, "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cp struct {
		Status string `json:"status"`
		Tables map[string]struct {
			Steps map[string]struct {
				Status string `json:"status"`
				Reason string `json:"reason"`
			} `json:"steps"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"": cp.Status}
	for k, tb := range cp.Tables {
		s := tb.Steps["checksum"]
		out[k] = s.Status
		if s.Reason != "" {
			out[k] += ": " + s.Reason
		}
	}
	return out
}

// requireChecked fails unless the import completed with every table's
// query checksum equal to the source's.
func requireChecked(t *testing.T, work string) {
	t.Helper()
	cs := checkpointChecksums(t, work)
	if cs[""] != "complete" {
		t.Errorf("import status %q", cs[""])
	}
	for k, s := range cs {
		if k != "" && s != "done" {
			t.Errorf("%s: checksum %s", k, s)
		}
	}
}

func casesDir(t *testing.T, name string) string {
	return golden.Shared(t, filepath.Join("corpora", "lightning-cases", name))
}
