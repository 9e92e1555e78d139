package pipeline

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
)

func TestPartitionSpread(t *testing.T) {
	w := t.TempDir()
	dir := filepath.Join(BrokerDir(w), "partitions")
	write := func(name string, n int) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "00000000000000000000.log"), make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const id = "gen_20261206_abcdef"
	kv := schemas.KVTopic(id, "gen", "t")
	// dirBytes counts allocated blocks: sizes in whole 4 KiB blocks.
	write(kv+"-0", 4096*3)
	write(kv+"-1", 4096*1)
	write(kv+"-2", 4096*2)
	write(kv+"x-0", 4096*50)                              // another table's topic with a longer name
	write(schemas.KVTopic(id, "gen", "one")+"-0", 4096*9) // one partition: nothing to compare
	state := checkpoint.State{ImportID: id, Tables: map[string]*checkpoint.Table{
		"t":   {DB: "gen", Name: "t", Status: checkpoint.Done},
		"one": {DB: "gen", Name: "one", Status: checkpoint.Done},
	}}
	got := partitionSpread(Config{WorkDir: w}, state)
	if len(got) != 1 {
		t.Fatalf("spread %+v, want one table", got)
	}
	s := got[0]
	if s.Table != "t" || s.Partitions != 3 || s.Largest != 3*4096 || math.Abs(s.Ratio-1.5) > 1e-9 {
		t.Fatalf("spread %+v, want 3 partitions, largest 12288, ratio 1.5", s)
	}
}
