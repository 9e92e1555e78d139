package tsomark

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tso")
	if w, err := Load(p); err != nil || w != 0 {
		t.Fatalf("Load of a missing mark = %d, %v", w, err)
	}
	if err := Save(p, 1234567890123); err != nil {
		t.Fatal(err)
	}
	if w, err := Load(p); err != nil || w != 1234567890123 {
		t.Fatalf("Load = %d, %v", w, err)
	}
	if err := os.WriteFile(p, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil {
		t.Fatal("a corrupt mark loaded without error")
	}
}
