package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestVectorsCopy keeps the committed vectors equal to the shared ones.
func TestVectorsCopy(t *testing.T) {
	if !json.Valid(Vectors()) || len(Vectors()) < 1000 {
		t.Fatalf("committed vectors.json is not a vectors file (%d bytes)", len(Vectors()))
	}
	shared := ReadShared(t, "tidb-encoding", "vectors.json")
	if !bytes.Equal(shared, Vectors()) {
		t.Fatal("internal/golden/testdata/vectors.json differs from ../shared/tidb-encoding/vectors.json: copy the shared one over it")
	}
}

func TestSharedFound(t *testing.T) {
	root := ModuleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LIGHTSTREAM_SHARED", t.TempDir())
	ok := t.Run("missing", func(t *testing.T) {
		t.Setenv("CI", "")
		Shared(t, "nope")
		t.Error("Shared of a missing input went on")
	})
	if !ok {
		t.Fatal("a missing input outside CI must skip, not fail")
	}
}
