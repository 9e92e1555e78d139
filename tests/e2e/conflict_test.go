package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/sorter"
)

// conflictDump is a table with a primary key and a unique key whose
// rows collide across files and across chunks of one file:
//
//	file 0, chunk 0: (1,a) (2,b) (3,c), then fillers 100.. over several
//	chunks, and last (7,g);
//	file 1: (2,b2) takes 2's primary key, (5,c) takes 3's unique key,
//	(7,h) takes 7's primary key, and (8,g) the unique key (7,g) held.
func conflictDump(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var f0 strings.Builder
	f0.WriteString("INSERT INTO `t` VALUES (1,'a',1),(2,'b',2),(3,'c',3);\n")
	for i := 100; i < 700; i += 50 {
		f0.WriteString("INSERT INTO `t` VALUES ")
		for j := i; j < i+50; j++ {
			if j > i {
				f0.WriteString(",")
			}
			fmt.Fprintf(&f0, "(%d,'f%d',%d)", j, j, j)
		}
		f0.WriteString(";\n")
	}
	f0.WriteString("INSERT INTO `t` VALUES (7,'g',7);\n")
	files := map[string]string{
		"dup-schema-create.sql": "CREATE DATABASE dup;\n",
		"dup.t-schema.sql":      "CREATE TABLE `t` (`id` int PRIMARY KEY, `u` varchar(10), `v` int, UNIQUE KEY `uk` (`u`), KEY `iv` (`v`));\n",
		"dup.t.000000000.sql":   f0.String(),
		"dup.t.000000001.sql":   "INSERT INTO `t` VALUES (2,'b2',22),(5,'c',5),(7,'h',77),(8,'g',8);\n",
		// n has no primary key: its handles are _tidb_rowid values, and
		// only its unique key can be held twice.
		"dup.n-schema.sql":    "CREATE TABLE `n` (`u` varchar(10), `v` int, UNIQUE KEY `un` (`u`));\n",
		"dup.n.000000000.sql": "INSERT INTO `n` VALUES ('a',1),('b',2);\n",
		"dup.n.000000001.sql": "INSERT INTO `n` VALUES ('a',3),('c',4);\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// conflictRows are the table's rows other than the fillers, "id,u,v"
// sorted, and how many fillers there are.
func conflictRows(t *testing.T, work string) ([]string, int) {
	t.Helper()
	e := exportTable(t, work, "dup", "t")
	var rows []string
	fillers := 0
	for _, r := range e.Rows {
		if strings.HasPrefix(*r[1], "f") {
			fillers++
			continue
		}
		rows = append(rows, *r[0]+","+*r[1]+","+*r[2])
	}
	slices.Sort(rows)
	return rows, fillers
}

func TestConflictStrategies(t *testing.T) {
	dump := conflictDump(t)
	cfg := func(work string, s conflict.Strategy, sorters int) pipeline.Config {
		return pipeline.Config{Dump: dump, WorkDir: work, ChunkSize: 4 << 10, KVPartitions: 3, Sorters: sorters,
			Conflict: conflict.Config{Strategy: s, Threshold: -1, MaxRecordRows: -1}}
	}
	want := map[conflict.Strategy][]string{
		// REPLACE INTO row by row: (2,b2) replaces 2, (5,c) replaces 3,
		// (7,h) replaces (7,g), after which (8,g) conflicts with nothing.
		conflict.Replace: {"1,a,1", "2,b2,22", "5,c,5", "7,h,77", "8,g,8"},
		// INSERT IGNORE row by row: every row of file 1 loses.
		conflict.Ignore: {"1,a,1", "2,b,2", "3,c,3", "7,g,7"},
	}
	// The report lists each duplicate key (index keys sort before record
	// keys), its rows in dump order with their text and whether kept.
	wantN := map[conflict.Strategy][]string{
		conflict.Replace: {"a,3", "b,2", "c,4"},
		conflict.Ignore:  {"a,1", "b,2", "c,4"},
	}
	wantReport := map[conflict.Strategy][]string{
		conflict.Replace: {
			`index un ("a"): ('a',1) - ('a',3) kept`,
			`index uk ("c"): (3,'c',3) - (5,'c',5) kept`,
			`index uk ("g"): (7,'g',7) - (8,'g',8) kept`,
			`PRIMARY (2): (2,'b',2) - (2,'b2',22) kept`,
			`PRIMARY (7): (7,'g',7) - (7,'h',77) kept`,
		},
		conflict.Ignore: {
			`index un ("a"): ('a',1) kept - ('a',3)`,
			`index uk ("c"): (3,'c',3) kept - (5,'c',5)`,
			`index uk ("g"): (7,'g',7) kept - (8,'g',8)`,
			`PRIMARY (2): (2,'b',2) kept - (2,'b2',22)`,
			`PRIMARY (7): (7,'g',7) kept - (7,'h',77)`,
		},
	}
	// replace: (2,b), (3,c) and (7,g), which lost two keys; ignore: the
	// four rows of file 1.
	lost := map[conflict.Strategy]int{conflict.Replace: 3, conflict.Ignore: 4}
	for _, s := range []conflict.Strategy{conflict.Replace, conflict.Ignore} {
		for _, sorters := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d sorters", s, sorters), func(t *testing.T) {
				work := t.TempDir()
				res := mustImport(t, cfg(work, s, sorters))
				for _, tbl := range res.State.Tables {
					if tbl.Status != "done" {
						t.Fatalf("table %s: %s %s", tbl.Name, tbl.Status, tbl.Error)
					}
				}
				rows, fillers := conflictRows(t, work)
				if !slices.Equal(rows, want[s]) || fillers != 600 {
					t.Fatalf("rows %v and %d fillers, want %v and 600", rows, fillers, want[s])
				}
				var nRows []string
				for _, r := range exportTable(t, work, "dup", "n").Rows {
					nRows = append(nRows, *r[0]+","+*r[1])
				}
				slices.Sort(nRows)
				if !slices.Equal(nRows, wantN[s]) {
					t.Fatalf("dup.n rows %v, want %v", nRows, wantN[s])
				}
				if got := conflictReport(t, work); !slices.Equal(got, wantReport[s]) {
					t.Fatalf("conflicts report:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantReport[s], "\n"))
				}
				if sorters == 1 {
					// Replay rebuilds the engines from the KV topic and
					// resolves the same rows again.
					ctx, cancel := context.WithTimeout(context.Background(), importTimeout())
					defer cancel()
					rp, err := pipeline.Replay(ctx, cfg(work, s, 1), "dup", "t")
					if err != nil || !rp.Match {
						t.Fatalf("replay: %+v, %v", rp, err)
					}
					if rows, _ := conflictRows(t, work); !slices.Equal(rows, want[s]) {
						t.Fatalf("rows after replay %v, want %v", rows, want[s])
					}
				}
				tbl := res.State.Tables[`"dup"."t"`]
				if c := tbl.Conflicts; c == nil || c.DuplicateKeys != 4 || c.LosingRows != uint64(lost[s]) {
					t.Fatalf("checkpoint conflicts %+v", c)
				}
			})
		}
	}

	t.Run("error", func(t *testing.T) {
		_, _, err := runImport(t, cfg(t.TempDir(), conflict.Error, 2))
		// The sorter's error, or the coordinator's copy of it (the sorter
		// reports it on the events topic).
		if !errors.Is(err, sorter.ErrConflict) && !(errors.Is(err, coordinator.ErrImportFailed) && strings.Contains(err.Error(), "duplicate key")) {
			t.Fatalf("import: %v, want %v", err, sorter.ErrConflict)
		}
		// The first duplicate key in key order of whichever table is
		// resolved first: the unique key 'a' of dup.n, or 'c' of dup.t
		// ((3,c) in file 0, (5,c) in file 1).
		first := []string{`index un ("a") is held by the rows at dup.n.000000000.sql:23 and dup.n.000000001.sql:23`,
			`index uk ("c") is held by the rows at dup.t.000000000.sql:`}
		if !strings.Contains(err.Error(), first[0]) && !strings.Contains(err.Error(), first[1]) {
			t.Errorf("error does not name the first duplicate key and its rows: %v", err)
		}
	})

	t.Run("threshold", func(t *testing.T) {
		// replace leaves out 3 rows of dup.t: more than 2.
		c := cfg(t.TempDir(), conflict.Replace, 2)
		c.Conflict.Threshold = 2
		_, _, err := runImport(t, c)
		if !(errors.Is(err, conflict.ErrThreshold) || errors.Is(err, coordinator.ErrImportFailed)) || !strings.Contains(err.Error(), "3 rows lost a conflict") {
			t.Fatalf("import: %v, want %v", err, conflict.ErrThreshold)
		}
	})

	t.Run("none", func(t *testing.T) {
		_, _, err := runImport(t, cfg(t.TempDir(), conflict.None, 2))
		if !errors.Is(err, coordinator.ErrChecksumMismatch) || !strings.Contains(err.Error(), "conflict.strategy") {
			t.Fatalf("import: %v, want a checksum mismatch pointing at conflict.strategy", err)
		}
	})
}

// conflictReport reads the work directory's conflicts report as lines
// "key: row [kept] - row [kept]", checking each row's source.
func conflictReport(t *testing.T, work string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(work, pipeline.ConflictsFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var rec pipeline.ConflictRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		var rows []string
		for _, r := range rec.Rows {
			if !strings.HasPrefix(r.Source, "dup.t.00000000") && !strings.HasPrefix(r.Source, "dup.n.00000000") {
				t.Errorf("row %s: source %q", r.Row, r.Source)
			}
			if r.Kept {
				r.Row += " kept"
			}
			rows = append(rows, r.Row)
		}
		out = append(out, rec.Key+": "+strings.Join(rows, " - "))
	}
	return out
}
