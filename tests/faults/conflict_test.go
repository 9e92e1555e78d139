package faults

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// conflictDump writes a table with a primary and a unique key whose rows
// collide across files and chunks: file 0 holds ids 1..n (u = 'f<id>');
// file 1 gives every 97th id again (a new u) and every 89th u again (a
// new id), so that a row can lose its primary key in one partition and
// its unique key in another.
func conflictDump(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var f0, f1 strings.Builder
	for i := 1; i <= n; i++ {
		if i%100 == 1 {
			if i > 1 {
				f0.WriteString(";\n")
			}
			f0.WriteString("INSERT INTO `t` VALUES ")
		} else {
			f0.WriteString(",")
		}
		fmt.Fprintf(&f0, "(%d,'f%d',%d)", i, i, i)
	}
	f0.WriteString(";\n")
	f1.WriteString("INSERT INTO `t` VALUES (0,'start',0)")
	for i := 1; i <= n; i++ {
		if i%97 == 0 {
			fmt.Fprintf(&f1, ",(%d,'g%d',%d)", i, i, -i)
		}
		if i%89 == 0 {
			fmt.Fprintf(&f1, ",(%d,'f%d',%d)", n+i, i, -i)
		}
	}
	f1.WriteString(";\n")
	files := map[string]string{
		"dup-schema-create.sql": "CREATE DATABASE dup;\n",
		"dup.t-schema.sql":      "CREATE TABLE `t` (`id` int PRIMARY KEY, `u` varchar(12), `v` int, UNIQUE KEY `uk` (`u`), KEY `iv` (`v`));\n",
		"dup.t.000000000.sql":   f0.String(),
		"dup.t.000000001.sql":   f1.String(),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestConflictsKilledAndResumed: an import resolving conflicts (replace
// and ignore) that is killed (SIGKILL) three times and resumed, with 3
// sorters, ends with the same rows and the same conflicts report as one
// uninterrupted run with 1 sorter.
func TestConflictsKilledAndResumed(t *testing.T) {
	bin := binary(t)
	dump := conflictDump(t, 30000)
	for _, strategy := range []string{"replace", "ignore"} {
		t.Run(strategy, func(t *testing.T) {
			dir := trialDir(t, "conflicts-"+strategy)
			logPath := filepath.Join(dir, "processes.log")
			args := func(work string, sorters int) []string {
				return []string{"import", "--quiet", "--dump", dump, "--work-dir", work, "--chunk-size", "32KiB", "--partition-size", "64KiB",
					"--kv-partitions", "3", "--sorters", fmt.Sprint(sorters), "--on-duplicate", strategy}
			}
			result := func(work string) (rows, report []byte) {
				t.Helper()
				out, err := runLogged(bin, logPath, 2*time.Minute, "export", "--table", "dup.t", "--work-dir", work)
				if err != nil {
					t.Fatalf("export: %v", err)
				}
				report, err = os.ReadFile(filepath.Join(work, "conflicts.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				return out, report
			}
			ref := filepath.Join(dir, "ref")
			if out, err := runLogged(bin, logPath, 4*time.Minute, args(ref, 1)...); err != nil {
				t.Fatalf("uninterrupted import: %v\n%s", err, out)
			}
			wantRows, wantReport := result(ref)
			// 30000 rows, 309 ids given twice, 337 u values given twice.
			if n := bytes.Count(wantReport, []byte("\n")); n != 309+337 {
				t.Fatalf("%d conflicts reported, want %d", n, 309+337)
			}

			work := filepath.Join(dir, "killed")
			killed := 0
			// Kill moments spread over a run of this dump (about 1.5 s on
			// an idle machine): publishing, encoding, sorting and the
			// partitions' exchange of duplicate keys, ingest.
			var stages []string
			for _, at := range []time.Duration{500 * time.Millisecond, 900 * time.Millisecond, 1200 * time.Millisecond, 1500 * time.Millisecond} {
				p, err := startCampProc(bin, "import", logPath, args(work, 3)...)
				if err != nil {
					t.Fatal(err)
				}
				select {
				case <-time.After(at):
				case <-p.done:
				}
				if p.kill() {
					killed++
					st, _ := readCheckpoint(work)
					stages = append(stages, fmt.Sprintf("%v: %s", at, st.Status))
				}
			}
			if out, err := runLogged(bin, logPath, 4*time.Minute, args(work, 3)...); err != nil {
				raw, _ := os.ReadFile(logPath)
				t.Fatalf("resumed import: %v\n%s\nlog:\n%s", err, out, tail(raw, 4<<10))
			}
			gotRows, gotReport := result(work)
			t.Logf("%s: killed %d times (%s); %d bytes of rows, %d of report", strategy, killed, strings.Join(stages, ", "), len(gotRows), len(gotReport))
			if !bytes.Equal(gotRows, wantRows) {
				t.Fatalf("rows after kill -9 and resume with 3 sorters differ from one run with 1 sorter")
			}
			if !bytes.Equal(gotReport, wantReport) {
				t.Fatalf("conflicts report after kill -9 and resume differs")
			}
		})
	}
}
