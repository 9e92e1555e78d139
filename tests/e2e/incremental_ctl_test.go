package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TestErrorDestroyValidatesFirst: error-destroy over a new table and an
// incremental one (both failed) refuses before it touches either: the new
// table's rows and checkpoint stay as they were.
func TestErrorDestroyValidatesFirst(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	first := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a',1);\n"})
	mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
	second := writeDump(t, map[string]string{
		"bad.t.000000000.sql": "INSERT INTO t VALUES (2,'b',2);\n",
		"bad.a-schema.sql":    "CREATE TABLE a (id INT PRIMARY KEY);\n",
		"bad.a.000000000.sql": "INSERT INTO a VALUES (7),(8);\n",
	})
	mustImport(t, pipeline.Config{Dump: second, WorkDir: work, Incremental: true})
	cp := mustOpen(t, work)
	if err := cp.Update(func(s *checkpoint.State) error {
		for _, k := range []string{checkpoint.Key("bad", "a"), checkpoint.Key("bad", "t")} {
			s.Tables[k].Status, s.Tables[k].Error = checkpoint.Failed, "injected"
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, "checkpoint", "error-destroy", "--work-dir", work, "--table", "all")
	if err == nil || !strings.Contains(err.Error(), "--incremental") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("error-destroy over an incremental table: %v", err)
	}
	a := mustOpen(t, work).Snapshot().Tables[checkpoint.Key("bad", "a")]
	if a.Status != checkpoint.Failed || a.Reset != nil || a.Store.KVs != 2 {
		t.Errorf("bad.a was changed by the refused command: status %q reset %+v store %+v", a.Status, a.Reset, a.Store)
	}
	if got := exportTable(t, work, "bad", "a").values(t, "id"); !slices.Equal(sorted(got), []string{"7", "8"}) {
		t.Errorf("a.id = %q after the refused command, want 7, 8", got)
	}
}

// TestIncrementalIgnore: with conflict.strategy "ignore", a new row whose
// primary or unique key the table holds is dropped whole (its record and
// every index entry, across files and KV partitions), the table's row
// stays, the conflicts are recorded, and the table verifies.
func TestIncrementalIgnore(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	schema := map[string]string{"bad.u-schema.sql": "CREATE TABLE u (id INT PRIMARY KEY, v INT, w INT, UNIQUE KEY (v), KEY (w));\n"}
	first := writeDump(t, merged(schema, map[string]string{"bad.u.000000000.sql": "INSERT INTO u VALUES (1,10,1),(2,20,2);\n"}))
	mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
	second := writeDump(t, merged(schema, map[string]string{
		"bad.u.000000000.sql": "INSERT INTO u VALUES (2,99,7),(4,40,4);\n",
		"bad.u.000000001.sql": "INSERT INTO u VALUES (3,10,8),(5,50,5);\n",
	}))
	cfg := pipeline.Config{Dump: second, WorkDir: work, Incremental: true, Conflict: conflict.Config{Strategy: conflict.Ignore}, KVPartitions: 3, PartitionBytes: 16}
	res := mustImport(t, cfg)
	tr := res.State.Tables[checkpoint.Key("bad", "u")]
	// Before: 2 rows of 3 pairs; kept: rows 4 and 5.
	if tr.Before.KVs != 6 || tr.Store.KVs != 12 || tr.Store != checkpoint.Expected(tr) || tr.Status != checkpoint.Done {
		t.Errorf("bad.u: before %+v source %+v store %+v expected %+v status %q", tr.Before, tr.Source, tr.Store, checkpoint.Expected(tr), tr.Status)
	}
	e := exportTable(t, work, "bad", "u")
	if got := sortedRows(t, e, "id", "v", "w"); !slices.Equal(got, []string{"1|10|1", "2|20|2", "4|40|4", "5|50|5"}) {
		t.Errorf("rows %q", got)
	}
	raw, err := os.ReadFile(filepath.Join(work, pipeline.ConflictsFile))
	if err != nil {
		t.Fatal(err)
	}
	var recs []pipeline.ConflictRecord
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r pipeline.ConflictRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 {
		t.Fatalf("conflicts report: %s", raw)
	}
	for _, r := range recs {
		if len(r.Rows) != 2 || !r.Rows[0].Kept || r.Rows[1].Kept || !strings.Contains(r.Rows[0].Source, "before the import") ||
			!strings.HasPrefix(r.Rows[1].Row, "(2,99") && !strings.HasPrefix(r.Rows[1].Row, "(3,10") {
			t.Errorf("conflict record %+v", r)
		}
	}
}

// TestIncrementalReplace: with conflict.strategy "replace", a new row
// whose primary or unique key the table holds takes the place of the
// table's row: that row's record and every index entry go (the store
// holds exactly the rows' pairs), with one KV partition and with three,
// and the table verifies against before + imported - replaced.
func TestIncrementalReplace(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("partitions=%d", parts), func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			schema := map[string]string{"bad.u-schema.sql": "CREATE TABLE u (id INT PRIMARY KEY, v INT, w INT, UNIQUE KEY (v), KEY (w));\n"}
			first := writeDump(t, merged(schema, map[string]string{"bad.u.000000000.sql": "INSERT INTO u VALUES (1,10,1),(2,20,2),(6,60,6);\n"}))
			mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
			second := writeDump(t, merged(schema, map[string]string{
				"bad.u.000000000.sql": "INSERT INTO u VALUES (2,99,7),(4,40,4);\n",
				"bad.u.000000001.sql": "INSERT INTO u VALUES (3,10,8),(5,50,5);\n",
			}))
			cfg := pipeline.Config{Dump: second, WorkDir: work, Incremental: true, Conflict: conflict.Config{Strategy: conflict.Replace}}
			if parts > 1 {
				cfg.KVPartitions, cfg.PartitionBytes = parts, 16
			}
			res := mustImport(t, cfg)
			tr := res.State.Tables[checkpoint.Key("bad", "u")]
			// Before: 3 rows of 3 pairs; after: rows 2 (new), 3, 4, 5, 6.
			if tr.Before.KVs != 9 || tr.Store.KVs != 15 || tr.Store != checkpoint.Expected(tr) || tr.Status != checkpoint.Done {
				t.Errorf("bad.u: before %+v source %+v store %+v expected %+v conflicts %+v status %q", tr.Before, tr.Source, tr.Store, checkpoint.Expected(tr), tr.Conflicts, tr.Status)
			}
			if got := sortedRows(t, exportTable(t, work, "bad", "u"), "id", "v", "w"); !slices.Equal(got, []string{"2|99|7", "3|10|8", "4|40|4", "5|50|5", "6|60|6"}) {
				t.Errorf("rows %q", got)
			}
			if n := tableKVs(t, work, "bad", "u"); n != 15 {
				t.Errorf("the store holds %d pairs of bad.u, want 15 (no index entry of a replaced row left)", n)
			}
		})
	}
}
