package e2e

import (
	"errors"
	"sort"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TestRoutedShards merges the shards of a sharded database into one table
// with routes (Lightning's [[routes]]), as one merges sharded MySQL: every
// shard's rows land in the target, which is created from the first
// shard's definition; the sources are not created.
func TestRoutedShards(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for i, rows := range []string{"(1,'a'),(2,'b')", "(3,'c')", "(4,'d'),(5,'e'),(6,'f')"} {
		db, tb := "shard_"+string(rune('0'+i)), "orders_"+string(rune('0'+i))
		files[db+"-schema-create.sql"] = "CREATE DATABASE " + db + ";\n"
		files[db+"."+tb+"-schema.sql"] = "CREATE TABLE `" + tb + "` (id INT PRIMARY KEY, item VARCHAR(10), KEY (item));\n"
		files[db+"."+tb+".000000000.sql"] = "INSERT INTO `" + tb + "` VALUES " + rows + ";\n"
	}
	dumpDir := writeDump(t, files)
	route, err := dump.ParseRoute("shard_*.orders_*=shop.orders")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dumpDir, WorkDir: work, Routes: []dump.Route{route}})
	var keys []string
	for k := range res.State.Tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	r := res.State.Tables[checkpoint.Key("shop", "orders")]
	if r == nil || r.Status != checkpoint.Done || r.Source.KVs != 12 || r.Store != r.Source {
		t.Fatalf("shop.orders: %+v (tables %v); want 6 rows, 12 pairs, matching", r, keys)
	}
	if len(keys) != 2 { // shop.orders and writeDump's bad.t
		t.Errorf("tables %v: the shards themselves were imported", keys)
	}
	// The checkpoint records the routes: a rerun without them would plan
	// other tables.
	if _, _, err := runImport(t, pipeline.Config{Dump: dumpDir, WorkDir: work}); !errors.Is(err, pipeline.ErrWorkDirInUse) {
		t.Errorf("rerun without the routes: %v, want ErrWorkDirInUse", err)
	}
	if again := mustImport(t, pipeline.Config{Dump: dumpDir, WorkDir: work, Routes: []dump.Route{route}}); !again.AlreadyComplete {
		t.Error("rerun with the same routes is not already complete")
	}
	e := exportTable(t, work, "shop", "orders")
	ids := e.values(t, "id")
	sort.Strings(ids)
	if len(ids) != 6 || ids[0] != "1" || ids[5] != "6" {
		t.Errorf("shop.orders ids %v", ids)
	}
}
