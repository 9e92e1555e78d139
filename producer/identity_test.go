package producer

import (
	"os"
	"path/filepath"
	"testing"
)

// writeDump writes a one-table dump whose data file holds rows.
func writeDump(t *testing.T, db, rows string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		db + "-schema-create.sql": "CREATE DATABASE `" + db + "`;\n",
		db + ".t-schema.sql":      "CREATE TABLE `t` (`id` INT PRIMARY KEY, `v` VARCHAR(20));\n",
		db + ".t.000000000.sql":   "INSERT INTO `t` VALUES " + rows + ";\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPlanDumpIdentity: every manifest of a plan carries the dump
// directory and one digest; planning the same dump again gives the same
// digest, and another dump, or the same one cut into other chunks, another.
func TestPlanDumpIdentity(t *testing.T) {
	a := writeDump(t, "shop", "(1,'a'),(2,'b'),(3,'c')")
	b := writeDump(t, "shop", "(1,'a'),(2,'b'),(3,'cd')")
	plan := func(dir string, chunk int64) *Plan {
		t.Helper()
		p, err := MakePlan(Config{ImportID: "x", Dump: dir, ChunkSize: chunk})
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range p.Manifests {
			if mf.Dump != dir || mf.DumpId == "" || mf.DumpId != p.Manifests[0].DumpId {
				t.Fatalf("manifest %s.%s: dump %q id %q", mf.Db, mf.Table, mf.Dump, mf.DumpId)
			}
		}
		return p
	}
	first, again := plan(a, 1<<20), plan(a, 1<<20)
	if first.Identity() != again.Identity() {
		t.Errorf("one dump planned twice: %v and %v", first.Identity(), again.Identity())
	}
	if other := plan(b, 1<<20); other.Identity().Same(first.Identity()) {
		t.Errorf("two dumps share the digest %s", other.Identity().ID)
	}
	if cut := plan(a, 8); cut.Identity().Same(first.Identity()) {
		t.Errorf("the dump cut into other chunks kept the digest %s", cut.Identity().ID)
	}
	if got := first.Databases(); len(got) != 1 || got[0] != "shop" {
		t.Errorf("databases %q", got)
	}
}
