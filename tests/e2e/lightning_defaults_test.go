package e2e

import (
	"slices"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

// TestDefaultSQLModeIsLightnings: with no sql-mode given, values are
// converted under TiDB Lightning's default ONLY_FULL_GROUP_BY,
// NO_AUTO_CREATE_USER, which is not strict: the rows a strict import
// refuses are imported with the values TiDB stores ('abc' and 'NaN' into
// an INT are 0, '12abc' is 12, a too-long string is cut to the column).
func TestDefaultSQLModeIsLightnings(t *testing.T) {
	t.Parallel()
	dump := writeDump(t, map[string]string{
		"bad.t.000000000.sql": "INSERT INTO t VALUES (1,'a','abc'),(2,'b','NaN'),(3,'c','12abc'),(4,'abcdefghijklmnopqrstuvwxyz',' 7'),(5,'e','1e3');\n",
	})
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	if res.Rejected != 0 {
		t.Errorf("rejected %d rows", res.Rejected)
	}
	e := exportTable(t, work, "bad", "t")
	ids, ns, names := e.values(t, "id"), e.values(t, "n"), e.values(t, "name")
	byID := map[string][2]string{}
	for i := range ids {
		byID[ids[i]] = [2]string{ns[i], names[i]}
	}
	want := map[string][2]string{
		"1": {"0", "a"}, "2": {"0", "b"}, "3": {"12", "c"}, "4": {"7", "abcdefghijklmnopqrst"}, "5": {"1000", "e"},
	}
	for id, w := range want {
		if byID[id] != w {
			t.Errorf("id %s: n, name = %q, want %q", id, byID[id], w)
		}
	}
	if got := sorted(ids); !slices.Equal(got, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("ids %q", got)
	}
}
