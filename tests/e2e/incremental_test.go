package e2e

import (
	"errors"
	"os"
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

	third := writeDump(t, map[string]string{"bad.t.000000000.sql": "INSERT INTO t VALUES (2,'x',9);\n"})
	_, _, err := runImport(t, pipeline.Config{Dump: third, WorkDir: work, Incremental: true})
	var kerr *ingest.KeyExistsError
	if !errors.As(err, &kerr) || !strings.Contains(err.Error(), "handle 2") {
		t.Fatalf("conflicting incremental import: %v", err)
	}
	e := exportTable(t, work, "bad", "t")
	if got := e.values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("after the refused import bad.t n = %q, want 1..5", got)
	}
}
