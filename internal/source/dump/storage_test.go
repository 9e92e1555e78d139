package dump

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/source/storage/fakes3"
)

// TestScanS3MatchesDirectory: the same dump in a directory and under an
// S3 prefix scans to the same tables and files (named by s3:// paths),
// cuts into the same chunks, and reads the same rows.
func TestScanS3MatchesDirectory(t *testing.T) {
	dir := t.TempDir()
	var sql strings.Builder
	for s := 0; s < 20; s++ {
		sql.WriteString("INSERT INTO `t` VALUES ")
		for i := 0; i < 50; i++ {
			if i > 0 {
				sql.WriteByte(',')
			}
			fmt.Fprintf(&sql, "(%d,'text, with; (punctuation) %d')", s*50+i, i)
		}
		sql.WriteString(";\n")
	}
	files := map[string]string{
		"db-schema-create.sql":     "CREATE DATABASE db;",
		"db.t-schema.sql":          "CREATE TABLE t (a INT, b TEXT);",
		"db.t.000000000.sql":       sql.String(),
		"db.u-schema.sql.gz":       "CREATE TABLE u (a INT, b TEXT);",
		"db.u.000000001.csv.gz":    "a,b\n1,x\n2,\"y,z\"\n",
		"sub/db.v-schema-view.sql": "CREATE VIEW v AS SELECT 1;",
		"sub/db.v-schema.sql":      "CREATE TABLE v (x INT);",
		"notes.txt":                "hello",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".gz") {
			zw := gzip.NewWriter(f)
			zw.Write([]byte(body))
			zw.Close()
		} else {
			f.WriteString(body)
		}
		f.Close()
	}
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "b")
	srv.Upload(t, dir, "b", "x/y")
	st, err := storage.Open(context.Background(), srv.Location("b", "x/y"))
	if err != nil {
		t.Fatal(err)
	}
	local, err := ScanSource(dir, nil, nil, Source{})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := ScanStorage(st, nil, nil, Source{})
	if err != nil {
		t.Fatal(err)
	}
	// Paths differ by their root only.
	toS3 := func(p string) string {
		if p == "" {
			return ""
		}
		rel, _ := filepath.Rel(dir, p)
		return "s3://b/x/y/" + filepath.ToSlash(rel)
	}
	if remote.Dir != "s3://b/x/y" || !reflect.DeepEqual(local.Warnings, remote.Warnings) || len(local.Tables) != len(remote.Tables) || len(remote.Views) != 1 || remote.Views[0].SchemaFile != toS3(local.Views[0].SchemaFile) {
		t.Fatalf("scan: local %+v\nremote %+v", local, remote)
	}
	opts := ChunkOptions{ChunkSize: 8 << 10, Columns: 2, CSV: rowparse.DefaultCSVOptions()}
	opts.CSV.Header = true
	for i, lt := range local.Tables {
		rt := remote.Tables[i]
		if rt.SchemaFile != toS3(lt.SchemaFile) || len(rt.DataFiles) != len(lt.DataFiles) {
			t.Fatalf("table %s: %+v vs %+v", lt.Name, rt, lt)
		}
		b, err := ReadSchemaFileIn(st, rt.SchemaFile, CharsetAuto)
		if err != nil || !strings.HasPrefix(string(b), "CREATE TABLE") {
			t.Fatalf("schema %s: %q %v", rt.SchemaFile, b, err)
		}
		for j, f := range lt.DataFiles {
			if g := rt.DataFiles[j]; g.Path != toS3(f.Path) || g.Size != f.Size || g.Compression != f.Compression {
				t.Fatalf("data file %+v vs %+v", g, f)
			}
		}
		lc, err := MakeChunks(lt, opts)
		if err != nil {
			t.Fatal(err)
		}
		ropts := opts
		ropts.Storage = st
		rc, err := MakeChunks(rt, ropts)
		if err != nil {
			t.Fatal(err)
		}
		if len(lc) != len(rc) || (lt.Name == "t" && len(lc) < 3) {
			t.Fatalf("table %s: %d chunks local, %d on S3", lt.Name, len(lc), len(rc))
		}
		for k := range lc {
			a, b := lc[k], rc[k]
			a.File, a.Storage, b.File, b.Storage = "", nil, "", nil
			if !reflect.DeepEqual(a, b) {
				t.Errorf("chunk %d: local %+v\nS3 %+v", k, a, b)
			}
		}
		lrows, rrows := readChunks(t, lc, opts.CSV), readChunks(t, rc, opts.CSV)
		if len(lrows) == 0 || !reflect.DeepEqual(lrows, rrows) {
			t.Errorf("table %s: %d rows local, %d on S3, or they differ", lt.Name, len(lrows), len(rrows))
		}
	}
}

// TestRowsReadError: an object removed after the scan stops its chunk's
// rows with the storage's error (its kind kept), not a syntax error.
func TestRowsReadError(t *testing.T) {
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "b")
	srv.Put(t, "b", "d/db-schema-create.sql", []byte("CREATE DATABASE db;"))
	srv.Put(t, "b", "d/db.t-schema.sql", []byte("CREATE TABLE t (a INT);"))
	srv.Put(t, "b", "d/db.t.000000000.sql", []byte("INSERT INTO t VALUES (1),(2);\n"))
	st, err := storage.Open(context.Background(), srv.Location("b", "d"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ScanStorage(st, nil, nil, Source{})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := MakeChunks(d.Table("db", "t"), ChunkOptions{Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	srv.Delete(t, "b", "d/db.t.000000000.sql")
	rows, err := chunks[0].OpenRows(rowparse.DefaultCSVOptions(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	_, err = rows.Next()
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "s3://b/d/db.t.000000000.sql") {
		t.Errorf("Next = %v; want ErrNotFound naming the object", err)
	}
}
