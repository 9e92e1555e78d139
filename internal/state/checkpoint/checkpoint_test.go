package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "checkpoint.json")
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.StepDone("import-mode") {
		t.Fatal("fresh checkpoint has a done step")
	}
	if err := f.SetStep("import-mode", Skipped, "embedded store has no import mode"); err != nil {
		t.Fatal(err)
	}
	err = f.Update(func(s *State) error {
		s.Tables[Key("db", "t.1")] = &Table{DB: "db", Name: "t.1", TableID: s.NextTableID}
		s.NextTableID++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	s := g.Snapshot()
	if !g.StepDone("import-mode") || s.Steps["import-mode"].Reason == "" {
		t.Fatalf("step lost: %+v", s.Steps)
	}
	if tb := s.Tables[Key("db", "t.1")]; tb == nil || tb.TableID != FirstTableID || s.NextTableID != FirstTableID+1 {
		t.Fatalf("tables lost: %+v next %d", s.Tables, s.NextTableID)
	}
	if Key("a.b", "c") == Key("a", "b.c") {
		t.Fatal("Key collides on dots")
	}
}

func TestCorruptIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "checkpoint.json")
	if err := os.WriteFile(p, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p); err == nil {
		t.Fatal("corrupt checkpoint opened without error")
	}
}
