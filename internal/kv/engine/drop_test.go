package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDropRuns: dropping an engine's runs removes their files and pairs
// but keeps (and adds) metadata, durably; the engine takes new writes,
// and a reopen sees the state after the drop.
func TestDropRuns(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.WriteBatch([][]byte{[]byte("a"), []byte("b")}, [][]byte{[]byte("1"), []byte("2")}, map[string][]byte{"offset": []byte("5")}); err != nil {
		t.Fatal(err)
	}
	// One run unsynced: dropping must not leave it behind either.
	if err := e.WriteBatch([][]byte{[]byte("c")}, [][]byte{[]byte("3")}, nil); err != nil {
		t.Fatal(err)
	}
	held := e.DiskBytes()
	if held == 0 {
		t.Fatal("no run bytes")
	}
	freed, err := e.DropRuns(map[string][]byte{"spill/000000": []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if freed != held || e.DiskBytes() != 0 || e.Runs() != 0 {
		t.Fatalf("freed %d of %d, %d left in %d runs", freed, held, e.DiskBytes(), e.Runs())
	}
	if ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst")); len(ssts) != 0 {
		t.Fatalf("run files left: %q", ssts)
	}
	if err := e.WriteBatch([][]byte{[]byte("d")}, [][]byte{[]byte("4")}, map[string][]byte{"offset": []byte("9")}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var keys []string
	if err := e.Iterate(context.Background(), func(k, _ []byte) error { keys = append(keys, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "d" {
		t.Errorf("pairs after the drop and a write: %q", keys)
	}
	for k, want := range map[string]string{"offset": "9", "spill/000000": "x"} {
		if v, ok, _ := e.GetMeta(k); !ok || string(v) != want {
			t.Errorf("meta %s = %q, want %q", k, v, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
		t.Error(err)
	}
}
