package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
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
