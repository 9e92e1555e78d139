package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleState() *State {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &State{
		ImportID: "imp", Dump: "/d", Status: Failed, Error: "import failed: shop.orders chunk c1: bad value",
		Steps: map[string]Step{"import-mode": {Status: Skipped, Reason: "embedded", At: at}, "compact": {Status: Done, At: at}},
		Tables: map[string]*Table{
			Key("shop", "orders"): {DB: "shop", Name: "orders", TableID: 1001, Status: Failed, Error: "import failed: shop.orders chunk c1: bad value",
				Rows: 5, Source: Checksum{Sum: 7, KVs: 10, Bytes: 100}, Store: Checksum{Sum: 3, KVs: 4, Bytes: 40},
				Steps: map[string]Step{"schema": {Status: Done, At: at}, "precheck": {Status: Done, At: at}, "encode": {Status: Failed, Reason: "bad value", At: at}, "checksum": {Status: Failed, At: at}},
				Model: json.RawMessage(`{"id":1001}`)},
			Key("shop", "a.b"): {DB: "shop", Name: "a.b", TableID: 1002, Status: Done, Source: Checksum{Sum: 1, KVs: 1, Bytes: 1}, Store: Checksum{Sum: 1, KVs: 1, Bytes: 1},
				Steps: map[string]Step{"schema": {Status: Done, At: at}}},
		},
	}
}

func TestSplitTableName(t *testing.T) {
	for _, c := range []struct{ in, db, table string }{
		{"shop.orders", "shop", "orders"},
		{"shop.a.b", "shop", "a.b"},
		{"`sh.op`.`a.b`", "sh.op", "a.b"},
		{"`sh.op`.t", "sh.op", "t"},
	} {
		db, table, err := SplitTableName(c.in)
		if err != nil || db != c.db || table != c.table {
			t.Errorf("SplitTableName(%q) = %q, %q, %v; want %q, %q", c.in, db, table, err, c.db, c.table)
		}
	}
	for _, bad := range []string{"orders", ".t", "db.", "`db`t", "`db.t", "`db`.`t`x"} {
		if _, _, err := SplitTableName(bad); err == nil {
			t.Errorf("SplitTableName(%q) accepted", bad)
		}
	}
}

func TestSelectTables(t *testing.T) {
	s := sampleState()
	all, err := s.SelectTables(AllTables)
	if err != nil || len(all) != 2 {
		t.Fatalf("all = %v, %v", all, err)
	}
	one, err := s.SelectTables("SHOP.Orders")
	if err != nil || len(one) != 1 || one[0] != Key("shop", "orders") {
		t.Fatalf("SHOP.Orders = %v, %v", one, err)
	}
	if _, err := s.SelectTables("shop.nope"); !errors.Is(err, ErrNoSuchTable) || !strings.Contains(err.Error(), "shop.orders") {
		t.Fatalf("unknown table: %v", err)
	}
	if _, err := s.SelectTables(""); err == nil {
		t.Fatal("empty selection accepted")
	}
}

func TestResetTable(t *testing.T) {
	s := sampleState()
	s.Status, s.Finished = Complete, time.Now()
	k := Key("shop", "orders")
	if err := s.ResetTable(k, "remove", 42, 9); err != nil {
		t.Fatal(err)
	}
	r := s.Tables[k]
	if r.Status != Pending || r.Error != "" || r.Rows != 0 || r.Source != (Checksum{}) || r.Store != (Checksum{}) {
		t.Errorf("table not reset: %+v", r)
	}
	if _, ok := r.Steps["schema"]; !ok || len(r.Steps) != 2 || r.Steps["precheck"].Status != Done {
		t.Errorf("steps = %v, want schema and precheck kept only", r.Steps)
	}
	if r.TableID != 1001 || len(r.Model) == 0 || r.EventsFrom != 42 || r.Reset == nil || r.Reset.Command != "remove" || r.Reset.Destroyed != 9 {
		t.Errorf("identity or reset record lost: %+v", r)
	}
	if s.Status != Pending || !s.Finished.IsZero() {
		t.Errorf("import still %q finished %v", s.Status, s.Finished)
	}
	if _, ok := s.Steps["compact"]; ok {
		t.Error("compact step kept: it must run again after the table")
	}
	if s.Tables[Key("shop", "a.b")].Status != Done {
		t.Error("another table was reset")
	}
	if err := s.ResetTable(Key("x", "y"), "remove", 0, 0); !errors.Is(err, ErrNoSuchTable) {
		t.Errorf("unknown table: %v", err)
	}
}

func TestIgnoreError(t *testing.T) {
	s := sampleState()
	k := Key("shop", "orders")
	had, err := s.IgnoreError(k)
	if err != nil || !had {
		t.Fatalf("IgnoreError = %v, %v", had, err)
	}
	r := s.Tables[k]
	if r.Status != Pending || r.Error != "" || r.Steps["encode"].Status != "" || r.Steps["checksum"].Status != "" || r.Steps["schema"].Status != Done {
		t.Errorf("table after ignore-error: %+v", r)
	}
	if r.Source.KVs != 10 {
		t.Error("ignore-error dropped the table's figures")
	}
	if s.Error != "" || s.Status != Pending {
		t.Errorf("import error %q status %q: the table's error was the import's", s.Error, s.Status)
	}
	if had, _ := s.IgnoreError(Key("shop", "a.b")); had {
		t.Error("a table without error reported one cleared")
	}
	if len(s.FailedTables()) != 0 {
		t.Errorf("failed tables left: %v", s.FailedTables())
	}
}

func TestExpectedIncremental(t *testing.T) {
	plain := &Table{Source: Checksum{Sum: 5, KVs: 2, Bytes: 20}}
	if Expected(plain) != plain.Source {
		t.Fatal("a plain table is expected to hold its source")
	}
	inc := &Table{Incremental: true, Before: Checksum{Sum: 0b1100, KVs: 3, Bytes: 30}, Source: Checksum{Sum: 0b1010, KVs: 2, Bytes: 20}, Replaced: Checksum{Sum: 0b0001, KVs: 1, Bytes: 7}}
	want := Checksum{Sum: 0b0111, KVs: 4, Bytes: 43}
	if got := Expected(inc); got != want {
		t.Fatalf("Expected = %+v, want %+v", got, want)
	}
}

func TestWriteTextAndJSON(t *testing.T) {
	s := sampleState()
	var b bytes.Buffer
	if err := s.WriteText(&b, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"imp", "failed", "import-mode", "skipped", "shop.orders", "1001", "differs", "encode=failed", "chunk c1: bad value", "shop.a.b", "match"} {
		if !strings.Contains(out, want) {
			t.Errorf("text dump lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	keys, _ := s.SelectTables("shop.orders")
	if err := s.WriteJSON(&b, keys); err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Tables) != 1 || back.Tables[Key("shop", "orders")].Error == "" || back.Tables[Key("shop", "orders")].Model != nil || back.Error == "" {
		t.Errorf("JSON dump: %s", b.String())
	}
	if s.Tables[Key("shop", "orders")].Model == nil {
		t.Error("WriteJSON dropped the model from the state itself")
	}
}

func TestLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "checkpoint.json")
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(p); !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "process") {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	again, err := Lock(p)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}
