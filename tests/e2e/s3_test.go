package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/cli"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/source/storage/fakes3"
)

// TestSakilaS3 uploads the sakila dump to an S3 protocol server on
// loopback, imports it through s3://, and compares every table's export
// with the same dump imported from its directory. No credential of the
// URL reaches the checkpoint, the summary or the warnings.
func TestSakilaS3(t *testing.T) {
	dir := corpus(t, "sakila")
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "dumps")
	srv.Upload(t, dir, "dumps", "exports/sakila")
	location := srv.Location("dumps", "exports/sakila")

	works := map[string]string{"dir": t.TempDir(), "s3": t.TempDir()}
	results := map[string]*pipeline.Result{}
	var warned []string
	var mu sync.Mutex
	t.Run("import", func(t *testing.T) {
		for name, dump := range map[string]string{"dir": dir, "s3": location} {
			t.Run(name, func(t *testing.T) {
				// Each import mostly waits on the broker's round trips:
				// running both together costs little more than one.
				t.Parallel()
				res, warns, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: works[name]})
				if err != nil {
					t.Fatalf("import %s: %v", storage.Redact(dump), err)
				}
				t.Logf("%s import: %v", name, res.Duration)
				mu.Lock()
				results[name] = res
				if name == "s3" {
					warned = warns.all()
				}
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	sum := summary.FromResult(results["s3"])
	if sum.Status != "complete" || len(sum.Tables) != 16 {
		t.Fatalf("s3 import: status %q, %d tables", sum.Status, len(sum.Tables))
	}
	for _, st := range sum.Tables {
		if !st.ChecksumMatch {
			t.Errorf("%s.%s: checksum mismatch", st.DB, st.Table)
		}
	}
	for _, c := range loadExpectedChecks(t) {
		a := exportCSV(t, works["dir"], c.DB, c.Table)
		b := exportCSV(t, works["s3"], c.DB, c.Table)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s.%s: export of the s3:// import (%d bytes) differs from the directory import's (%d bytes)", c.DB, c.Table, len(b), len(a))
		}
	}
	// The record names the bucket and prefix, never the secrets.
	cp, err := os.ReadFile(pipeline.CheckpointPath(works["s3"]))
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"checkpoint": string(cp), "summary": string(js), "warnings": strings.Join(warned, "\n")} {
		if strings.Contains(text, fakes3.SecretKey) || strings.Contains(text, fakes3.AccessKey) {
			t.Errorf("the %s holds the credentials", what)
		}
	}
	if !strings.Contains(string(cp), "s3://dumps/exports/sakila") {
		t.Errorf("the checkpoint does not name the dump s3://dumps/exports/sakila")
	}
	if srv.Gets.Load() == 0 {
		t.Errorf("no object was read from the S3 server")
	}
}

// TestS3DumpErrors: a missing bucket, a missing prefix, wrong credentials
// and an object removed while the import runs each stop the import with
// an error naming the bucket or the object.
func TestS3DumpErrors(t *testing.T) {
	dir := corpus(t, "sakila")
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "dumps")
	srv.Upload(t, dir, "dumps", "sakila")
	for _, c := range []struct {
		name, location string
		want           []string
		is             error
	}{
		{"missing bucket", srv.Location("nobucket", "sakila"), []string{"bucket nobucket does not exist"}, storage.ErrNotFound},
		{"missing prefix", srv.Location("dumps", "sakila2"), []string{"s3://dumps/sakila2", "no objects"}, storage.ErrNotFound},
		{"wrong credentials", srv.Location("dumps", "sakila", "AKIAWRONG", "wrong-secret"), []string{"s3://dumps/sakila", "InvalidAccessKeyId"}, storage.ErrAccessDenied},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runImport(t, pipeline.Config{Dump: c.location, WorkDir: t.TempDir()})
			if err == nil {
				t.Fatal("import succeeded")
			}
			t.Logf("error: %v", err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
			if strings.Contains(err.Error(), "wrong-secret") || strings.Contains(err.Error(), fakes3.SecretKey) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
	t.Run("object removed mid-import", func(t *testing.T) {
		// Listed and planned, then gone when an encoder reads it.
		srv.VanishOnRead("sakila/sakila.film.000000000.sql")
		work := t.TempDir()
		_, _, err := runImport(t, pipeline.Config{Dump: srv.Location("dumps", "sakila"), WorkDir: work})
		if err == nil {
			t.Fatal("import succeeded")
		}
		t.Logf("error: %v", err)
		if !strings.Contains(err.Error(), "s3://dumps/sakila/sakila.film.000000000.sql") || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("error %q does not name the removed object", err)
		}
		if _, err := os.Stat(filepath.Join(work, "checkpoint.json")); err != nil {
			t.Errorf("no checkpoint: %v", err)
		}
	})
}

// runCLIAll is runCLI returning what the command wrote to stderr (its
// logs, warnings and pre-checks) too.
func runCLIAll(t testing.TB, args ...string) (string, error) {
	t.Helper()
	app := cli.NewApp()
	var out bytes.Buffer
	app.Writer, app.ErrWriter = &out, &out
	err := app.RunContext(context.Background(), append([]string{"lightstream", "--verbose"}, args...))
	return out.String(), err
}

// TestS3CLI imports through the command line from s3://, by --dump and by
// [mydumper] data-source-dir: a SQL file cut into several chunks (each
// read with ranged GETs) and a gzip CSV file read whole. What the command
// prints holds no credential.
func TestS3CLI(t *testing.T) {
	dir := t.TempDir()
	var sql strings.Builder
	for stmt := 0; stmt < 30; stmt++ {
		sql.WriteString("INSERT INTO `t` VALUES ")
		for i := 0; i < 100; i++ {
			if i > 0 {
				sql.WriteString(",")
			}
			fmt.Fprintf(&sql, "(%d,'row %d of a file long enough to be cut into several chunks')", stmt*100+i, stmt*100+i)
		}
		sql.WriteString(";\n")
	}
	var csv bytes.Buffer
	zw := gzip.NewWriter(&csv)
	fmt.Fprintln(zw, "id,name")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(zw, "%d,name-%d\n", i, i)
	}
	zw.Close()
	writeDumpFiles(t, dir, map[string]string{
		"shop-schema-create.sql":    "CREATE DATABASE shop;",
		"shop.t-schema.sql":         "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(80));",
		"shop.t.000000000.sql":      sql.String(),
		"shop.u-schema.sql":         "CREATE TABLE u (id INT PRIMARY KEY, name VARCHAR(20));",
		"shop.u.000000000.csv.gz":   csv.String(),
		"shop.u.000000000.csv.gz.x": "", // not a dump file: a warning names it
	})
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "cli")
	srv.Upload(t, dir, "cli", "shop/full")
	location := srv.Location("cli", "shop/full")
	check := func(t *testing.T, work, out string) {
		t.Helper()
		t.Logf("output:\n%s", out)
		if strings.Contains(out, fakes3.SecretKey) || strings.Contains(out, fakes3.AccessKey) {
			t.Errorf("the command's output holds the credentials:\n%s", out)
		}
		if n := len(exportTable(t, work, "shop", "t").Rows); n != 3000 {
			t.Errorf("shop.t: %d rows, want 3000", n)
		}
		if n := len(exportTable(t, work, "shop", "u").Rows); n != 500 {
			t.Errorf("shop.u: %d rows, want 500", n)
		}
	}
	t.Run("--dump", func(t *testing.T) {
		work := t.TempDir()
		before := srv.Gets.Load()
		out, err := runCLIAll(t, "import", "--dump", location, "--work-dir", work, "--chunk-size", "64KiB")
		if err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
		check(t, work, out)
		// Three schema files and the two data files, the SQL file in
		// several chunks.
		if n := srv.Gets.Load() - before; n < 3+4 {
			t.Errorf("%d GETs: want the SQL file read in several ranges", n)
		}
	})
	t.Run("debug", func(t *testing.T) {
		out, err := runCLIAll(t, "debug", "chunks", "--dump", location, "--chunk-size", "65536")
		if err != nil || strings.Count(out, "s3://cli/shop/full/shop.t.000000000.sql") < 3 || strings.Contains(out, fakes3.SecretKey) {
			t.Errorf("debug chunks: %v\n%s", err, out)
		}
		out, err = runCLIAll(t, "debug", "rows", "--dump", location, "--table", "shop.u", "--csv-header")
		if err != nil || !strings.Contains(out, "name-499") {
			t.Errorf("debug rows: %v\n%.500s", err, out)
		}
	})
	t.Run("data-source-dir", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "tidb-lightning.toml")
		if err := os.WriteFile(config, []byte("[mydumper]\ndata-source-dir = '"+location+"'\n[mydumper.csv]\nheader = true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		work := t.TempDir()
		out, err := runCLIAll(t, "import", "--config", config, "--work-dir", work)
		if err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
		check(t, work, out)
	})
}

// TestParquetS3 imports a generated Parquet dump (several files and row
// groups per table, chunks of several row groups) from s3://, its files
// read at offsets with ranged GETs, and from its directory: the exports
// are the same.
func TestParquetS3(t *testing.T) {
	tables := []string{"sbtest", "texts"}
	dir := filepath.Join(t.TempDir(), "dump")
	if _, err := dumpgen.Run(context.Background(), dumpgen.Config{Dir: dir, Size: 2 << 20, Tables: tables, Format: dumpgen.FormatParquet,
		FileSize: 512 << 10, RowGroupSize: 64 << 10, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "pq")
	srv.Upload(t, dir, "pq", "gen")
	works := map[string]string{}
	for name, dump := range map[string]string{"dir": dir, "s3": srv.Location("pq", "gen")} {
		works[name] = t.TempDir()
		res, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: works[name], ChunkSize: 64 << 10})
		if err != nil {
			t.Fatalf("import %s: %v", storage.Redact(dump), err)
		}
		for _, st := range summary.FromResult(res).Tables {
			if !st.ChecksumMatch || st.Rows == 0 {
				t.Errorf("%s: %s.%s: %d rows, checksum match %v", name, st.DB, st.Table, st.Rows, st.ChecksumMatch)
			}
		}
	}
	for _, tb := range tables {
		a, b := exportCSV(t, works["dir"], "gen", tb), exportCSV(t, works["s3"], "gen", tb)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("gen.%s: the s3:// import exports %d bytes, the directory import %d", tb, len(b), len(a))
		}
	}
}
