package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TestIncrementalImport: on the embedded default, a second dump imported
// with Incremental into the work directory of a complete import adds its
// rows to the table that holds the first dump's (verified against the
// checksum before plus the imported pairs) and creates a new table as any
// import does (pre-checked empty); a third dump whose row has a primary
// key the table already holds stops, naming the key, and leaves the rows
// as they were.
func TestIncrementalImport(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	first := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a',1),(2,'b',2);\n"})
	mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
	firstID := mustOpen(t, work).Snapshot().ImportID

	second := writeDump(t, map[string]string{
		"bad.t.000000000.sql": "INSERT INTO t VALUES (3,'c',3);\n",
		"bad.t.000000001.sql": "INSERT INTO t VALUES (4,'d',4),(5,'e',5);\n",
		"bad.u-schema.sql":    "CREATE TABLE u (id INT PRIMARY KEY, v INT, UNIQUE KEY (v));\n",
		"bad.u.000000000.sql": "INSERT INTO u VALUES (1,10),(2,20);\n",
	})
	// Without Incremental, the work directory is another import's.
	if _, _, err := runImport(t, pipeline.Config{Dump: second, WorkDir: work}); !errors.Is(err, pipeline.ErrWorkDirInUse) {
		t.Fatalf("second dump without incremental: %v", err)
	}
	res := mustImport(t, pipeline.Config{Dump: second, WorkDir: work, Incremental: true})
	var err error
	if res.State.ImportID == firstID {
		t.Errorf("the incremental import kept the complete import's id %s", firstID)
	}
	if _, err := os.Stat(strings.TrimSuffix(pipeline.CheckpointPath(work), ".json") + "." + firstID + ".json"); err != nil {
		t.Errorf("the complete import's checkpoint was not kept: %v", err)
	}
	tr := res.State.Tables[checkpoint.Key("bad", "t")]
	if !tr.Incremental || tr.Before.KVs != 2 || tr.Source.KVs != 3 || tr.Store.KVs != 5 || tr.Store != checkpoint.Expected(tr) || tr.Status != checkpoint.Done {
		t.Errorf("bad.t: incremental %v before %+v source %+v store %+v status %q", tr.Incremental, tr.Before, tr.Source, tr.Store, tr.Status)
	}
	if !strings.Contains(tr.Steps[coordinator.StepPrecheck].Reason, "incremental") {
		t.Errorf("bad.t pre-check step: %+v", tr.Steps[coordinator.StepPrecheck])
	}
	ur := res.State.Tables[checkpoint.Key("bad", "u")]
	if ur.Incremental || ur.Steps[coordinator.StepPrecheck].Status != checkpoint.Done || ur.Store != ur.Source {
		t.Errorf("bad.u (new, empty) was not imported as usual: %+v", ur)
	}
	if got := exportTable(t, work, "bad", "t").values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("bad.t n = %q, want 1..5", got)
	}

	// Its pairs cannot be told from the rows from before: a table reset
	// is refused.
	if _, err := runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "bad.t"); err == nil || !strings.Contains(err.Error(), "--incremental") {
		t.Errorf("remove of an incremental table: %v", err)
	}

	third := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (2,'x',9);\n"})
	_, _, err = runImport(t, pipeline.Config{Dump: third, WorkDir: work, Incremental: true})
	var kerr *ingest.KeyExistsError
	if !errors.As(err, &kerr) || !strings.Contains(err.Error(), "handle 2") {
		t.Fatalf("conflicting incremental import: %v", err)
	}
	if st := mustOpen(t, work).Snapshot(); st.Status != checkpoint.Failed || !strings.Contains(st.Error, "already in the store") {
		t.Errorf("the refused import's checkpoint: status %q error %q", st.Status, st.Error)
	}
	e := exportTable(t, work, "bad", "t")
	if got := e.values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("after the refused import bad.t n = %q, want 1..5", got)
	}
	// The refused import removed (remove --table all: its checkpoint goes,
	// nothing of it was written) and the row fixed, a new incremental
	// import of the dump completes.
	out, err := runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "all")
	if err != nil || !strings.Contains(out, "checkpoint is removed") {
		t.Fatalf("remove all: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(third, "bad.t.000000000.sql"), []byte("INSERT INTO t VALUES (6,'x',9);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = mustImport(t, pipeline.Config{Dump: third, WorkDir: work, Incremental: true})
	if tr := res.State.Tables[checkpoint.Key("bad", "t")]; tr.Before.KVs != 5 || tr.Store.KVs != 6 || tr.Store != checkpoint.Expected(tr) {
		t.Errorf("resumed bad.t: before %+v source %+v store %+v", tr.Before, tr.Source, tr.Store)
	}
	if got := exportTable(t, work, "bad", "t").values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "4", "5", "9"}) {
		t.Errorf("bad.t n = %q, want 1..5 and 9", got)
	}
}

// TestIncrementalUniqueKey: a new row whose unique-index value a row of
// the table already holds (another primary key) is a conflict too, found
// on the index key.
func TestIncrementalUniqueKey(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	schema := map[string]string{"bad.u-schema.sql": "CREATE TABLE u (id INT PRIMARY KEY, v INT, UNIQUE KEY (v));\n"}
	first := writeDump(t, merged(schema, map[string]string{"bad.u.000000000.sql": "INSERT INTO u VALUES (1,10),(2,20);\n"}))
	mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
	second := writeDump(t, merged(schema, map[string]string{"bad.u.000000000.sql": "INSERT INTO u VALUES (3,30),(4,10);\n"}))
	_, _, err := runImport(t, pipeline.Config{Dump: second, WorkDir: work, Incremental: true})
	if !errors.Is(err, ingest.ErrKeyExists) || !strings.Contains(err.Error(), "index") {
		t.Fatalf("unique-key conflict: %v", err)
	}
	if got := exportTable(t, work, "bad", "u").values(t, "v"); !slices.Equal(sorted(got), []string{"10", "20"}) {
		t.Errorf("u.v = %q after the refused import, want 10, 20", got)
	}
}

func merged(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
