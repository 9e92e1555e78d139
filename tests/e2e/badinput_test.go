package e2e

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/app/summary"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/producer"
)

// writeDump writes a small dumpling-layout dump of database bad, table
// t (id INT PRIMARY KEY, name VARCHAR(20), n INT), with the given data
// files (name -> content).
func writeDump(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{
		"bad-schema-create.sql": "CREATE DATABASE bad;\n",
		"bad.t-schema.sql":      "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), n INT);\n",
	}
	for k, v := range files {
		all[k] = v
	}
	for name, body := range all {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkFailed asserts the import failed with an error naming the file, the
// byte offset and the other given texts, and that nothing claims success.
func checkFailed(t *testing.T, work string, res *pipeline.Result, err error, file string, offset int, texts ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("import of a malformed dump succeeded")
	}
	msg := err.Error()
	for _, want := range append([]string{file, "offset " + strconv.Itoa(offset)}, texts...) {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if res != nil && res.State.Status == checkpoint.Complete {
		t.Error("result state claims complete")
	}
	cp, cerr := checkpoint.Open(pipeline.CheckpointPath(work))
	if cerr != nil {
		t.Fatal(cerr)
	}
	if st := cp.Snapshot(); st.Status == checkpoint.Complete {
		t.Errorf("checkpoint status %q after a failed import", st.Status)
	}
}

// TestMalformedRowStops: in strict mode (--sql-mode STRICT_TRANS_TABLES;
// the default, Lightning's, stores 0 instead) a bad number in an INT
// column, and in any mode a wrong value count and an unterminated string,
// each stop the import with an error that names the file, the byte offset
// of the row (of the quote, for the syntax error) and the column or the
// reason.
func TestMalformedRowStops(t *testing.T) {
	const file = "bad.t.000000000.sql"
	for _, c := range []struct {
		name, body, at string // at: the text whose offset the error names
		texts          []string
	}{
		{"bad integer", "INSERT INTO t VALUES (1,'a',1),(2,'b','abc'),(3,'c',3);\n", "(2,", []string{"column n", `"abc"`}},
		{"too few values", "INSERT INTO t VALUES (1,'a',1),(2,'b'),(3,'c',3);\n", "(2,", []string{"3 values", "got 2"}},
		{"too many values", "INSERT INTO t VALUES (1,'a',1),(2,'b',2,9);\n", "(2,", []string{"3 values", "got 4"}},
		{"unterminated string", "INSERT INTO t VALUES (1,'a',1),(2,'b,2);\n", "'b,2", []string{"unterminated"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dump := writeDump(t, map[string]string{file: c.body})
			work := t.TempDir()
			res, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES"})
			checkFailed(t, work, res, err, file, strings.Index(c.body, c.at), c.texts...)
		})
	}
}

// TestMalformedRowResume: after a row stops the import, fixing the file
// and running the same import again (same dump, same work directory)
// resumes it: the chunks already published are read again from the fixed
// file and the import completes. The fix keeps the file's length, so the
// published chunk boundaries stay valid.
func TestMalformedRowResume(t *testing.T) {
	t.Parallel()
	const file = "bad.t.000000000.sql"
	body := "INSERT INTO t VALUES (1,'a',1),(2,'b','abc'),(3,'c',3);\n"
	dump := writeDump(t, map[string]string{file: body})
	work := t.TempDir()
	res, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES"})
	checkFailed(t, work, res, err, file, strings.Index(body, "(2,"), "column n")

	fixed := strings.Replace(body, "'abc'", "'222'", 1)
	if err := os.WriteFile(filepath.Join(dump, file), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err = runImport(t, pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES"})
	if err != nil {
		t.Fatalf("rerun after fixing %s: %v", file, err)
	}
	if res.State.Status != checkpoint.Complete {
		t.Fatalf("rerun status %q", res.State.Status)
	}
	e := exportTable(t, work, "bad", "t")
	if got := e.values(t, "n"); !slices.Equal(sorted(got), []string{"1", "222", "3"}) {
		t.Errorf("n = %q, want 1, 222, 3", got)
	}
}

// TestMaxErrorsRejects: in strict mode, with MaxErrors the bad rows land in
// <work>/rejects.jsonl (file, offset, reason, row) and the good rows are
// imported; one bad row more than the budget still stops the import.
func TestMaxErrorsRejects(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a',1),(2,'b','abc'),(3,'c',3);\n",
		"bad.t.000000001.sql": "INSERT INTO t VALUES (10,'x',10),(11,'y');\nINSERT INTO t VALUES (12,'z',12);\n",
	}
	dump := writeDump(t, files)

	t.Run("within budget", func(t *testing.T) {
		work := t.TempDir()
		res := mustImport(t, pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES", MaxErrors: 2})
		if res.Rejected != 2 {
			t.Errorf("Rejected = %d, want 2", res.Rejected)
		}
		if s := summary.FromResult(res); s.Totals.Rejected != 2 || len(s.Tables) != 1 || !s.Tables[0].ChecksumMatch || s.Tables[0].Rows != 4 {
			t.Errorf("summary: rejected %d, tables %+v; want 2 rejected, 4 rows matched", s.Totals.Rejected, s.Tables)
		} else if tb := s.Tables[0]; tb.RowsParsed != 6 || tb.RowsEncoded != 4 || tb.RowsRejected != 2 ||
			s.Totals.RowsParsed != 6 || s.Totals.RowsEncoded != 4 || s.Totals.RowsRejected != 2 {
			t.Errorf("summary row counts: table %+v totals %+v; want parsed 6, encoded 4, rejected 2", tb, s.Totals)
		}
		e := exportTable(t, work, "bad", "t")
		if got := sorted(e.values(t, "id")); !slices.Equal(got, []string{"1", "10", "12", "3"}) {
			t.Errorf("imported ids %q, want 1, 3, 10, 12", got)
		}
		rejects := readRejects(t, work)
		sort.Slice(rejects, func(i, j int) bool { return rejects[i].File < rejects[j].File })
		if len(rejects) != 2 {
			t.Fatalf("rejects.jsonl has %d records, want 2: %+v", len(rejects), rejects)
		}
		for i, want := range []struct {
			file, at, reason string
			row              []string
		}{
			{"bad.t.000000000.sql", "(2,", "column n", []string{"2", "b", "abc"}},
			{"bad.t.000000001.sql", "(11,", "got 2", []string{"11", "y"}},
		} {
			r := rejects[i]
			var row []string
			for _, v := range r.Row {
				row = append(row, deref(v))
			}
			if filepath.Base(r.File) != want.file || r.Offset != int64(strings.Index(files[want.file], want.at)) ||
				!strings.Contains(r.Reason, want.reason) || !slices.Equal(row, want.row) {
				t.Errorf("reject %d = %+v (row %q); want file %s, offset of %q, reason with %q, row %q",
					i, r, row, want.file, want.at, want.reason, want.row)
			}
		}
	})

	t.Run("over budget", func(t *testing.T) {
		work := t.TempDir()
		res, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES", MaxErrors: 1})
		if err == nil {
			t.Fatal("two bad rows with MaxErrors 1: import succeeded")
		}
		if res != nil && res.State.Status == checkpoint.Complete {
			t.Error("checkpoint claims complete")
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// fileState is what a rerun must not change: every file's size, mode
// time and, for the checkpoint, its bytes.
func fileState(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m[p] = info.Mode().String() + " " + strconv.FormatInt(info.Size(), 10) + " " + info.ModTime().Format(time.RFC3339Nano)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pipeline.CheckpointPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	m["checkpoint bytes"] = string(b)
	return m
}

// TestRerun: running a complete import again returns AlreadyComplete and
// touches nothing in the work directory; another dump in the same work
// directory is refused with ErrWorkDirInUse.
func TestRerun(t *testing.T) {
	t.Parallel()
	dump := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a',1),(2,'b',2);\n"})
	work := t.TempDir()
	first := mustImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	if first.AlreadyComplete {
		t.Fatal("first import reports AlreadyComplete")
	}
	before := fileState(t, work)

	res, _, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if !res.AlreadyComplete || res.State.Status != checkpoint.Complete {
		t.Errorf("rerun: AlreadyComplete %v, status %q", res.AlreadyComplete, res.State.Status)
	}
	if s := summary.FromResult(res); !s.AlreadyComplete || len(s.Tables) != 1 || s.Tables[0].Rows != 2 {
		t.Errorf("rerun summary %+v", s)
	}

	other := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (7,'q',7);\n"})
	_, _, err = runImport(t, pipeline.Config{Dump: other, WorkDir: work})
	if !errors.Is(err, pipeline.ErrWorkDirInUse) {
		t.Errorf("another dump in the same work dir: err = %v, want ErrWorkDirInUse", err)
	}

	// Through the CLI too.
	out, err := runCLI(t, "import", "-q", "--dump", dump, "--work-dir", work)
	if err != nil || !strings.Contains(out, "already complete") {
		t.Errorf("CLI rerun: err %v, output %q", err, out)
	}

	after := fileState(t, work)
	for p, v := range before {
		if after[p] != v {
			t.Errorf("rerun changed %s: %q -> %q", p, v, after[p])
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("rerun created %s", p)
		}
	}
	// The table still reads back.
	if got := sorted(exportTable(t, work, "bad", "t").values(t, "id")); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("ids after reruns %q", got)
	}
}

// TestNoTables: a directory holding no table (here the corpus's views and
// routines, or nothing at all) fails at once, saying so, instead of waiting
// for a table that never comes; and the work directory stays free for the
// right dump.
func TestNoTables(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, dump := range []string{corpus(t, "sakila-extras"), t.TempDir()} {
		_, w, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work})
		if !errors.Is(err, producer.ErrNoTables) {
			t.Fatalf("%s: err = %v, want no tables to import", dump, err)
		}
		if strings.Contains(dump, "sakila-extras") && len(w.all()) != 2 {
			t.Errorf("%s: warnings %q, want the 2 files not imported", dump, w.all())
		}
	}
	good := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a',1);\n"})
	if res := mustImport(t, pipeline.Config{Dump: good, WorkDir: work}); res.Progress.Rows != 1 {
		t.Errorf("import after the failed ones: %d rows", res.Progress.Rows)
	}
}
