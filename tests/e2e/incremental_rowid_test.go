package e2e

import (
	"slices"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TestIncrementalRowIDs: an incremental import gives its rows row IDs
// above those the table's rows hold, so a table without a primary key
// (_tidb_rowid handles) and an AUTO_INCREMENT column filled from the row
// ID take no key of a row from before, and the import verifies.
func TestIncrementalRowIDs(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	schema := map[string]string{
		"bad.v-schema.sql": "CREATE TABLE v (a INT, b VARCHAR(5));\n",
		"bad.w-schema.sql": "CREATE TABLE w (id BIGINT AUTO_INCREMENT, b VARCHAR(5), KEY (id));\n",
	}
	first := writeDump(t, merged(schema, map[string]string{
		"bad.v.000000000.sql": "INSERT INTO v VALUES (1,'a'),(2,'b');\n",
		"bad.w.000000000.sql": "INSERT INTO w (b) VALUES ('a'),('b');\n",
	}))
	mustImport(t, pipeline.Config{Dump: first, WorkDir: work})
	second := writeDump(t, merged(schema, map[string]string{
		"bad.v.000000000.sql": "INSERT INTO v VALUES (3,'c');\n",
		"bad.w.000000000.sql": "INSERT INTO w (b) VALUES ('c'),('d');\n",
	}))
	res := mustImport(t, pipeline.Config{Dump: second, WorkDir: work, Incremental: true})
	for _, name := range []string{"v", "w"} {
		tr := res.State.Tables[checkpoint.Key("bad", name)]
		if !tr.Incremental || tr.RowIDBase != 2 || tr.Store != checkpoint.Expected(tr) || tr.Status != checkpoint.Done {
			t.Errorf("bad.%s: incremental %v row ID base %d before %+v source %+v store %+v", name, tr.Incremental, tr.RowIDBase, tr.Before, tr.Source, tr.Store)
		}
	}
	if got := exportTable(t, work, "bad", "v").values(t, "a"); !slices.Equal(sorted(got), []string{"1", "2", "3"}) {
		t.Errorf("v.a = %q, want 1, 2, 3", got)
	}
	if got := exportTable(t, work, "bad", "w").values(t, "id"); !slices.Equal(sorted(got), []string{"1", "2", "3", "4"}) {
		t.Errorf("w.id = %q, want 1..4", got)
	}
}
