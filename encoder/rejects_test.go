package encoder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/dump"
)

// A row refused again (a retried batch, a chunk two members ran across a
// rebalance) is one reject: counted once against the limit, written once.
func TestRejectOncePerRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rejects.jsonl")
	r, err := OpenRejects(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	bad := errors.New("bad value")
	steps := []struct {
		name string
		do   func() bool
		want bool
	}{
		{"text row", func() bool { return r.RejectText("c:0#1", 1, "a.sql", 34, "fk", "(2,5)") }, true},
		{"same text row again", func() bool { return r.RejectText("c:0#1", 1, "a.sql", 34, "fk", "(2,5)") }, true},
		{"the next row at the same (estimated) offset", func() bool { return r.RejectText("c:0#1", 2, "a.sql", 34, "fk", "(2,5)") }, true},
		{"parquet row", func() bool {
			return r.Reject(&RowError{File: "p.parquet", Row: &dump.RowPos{RowGroup: 0, InGroup: 3, InFile: 3}, Err: bad}, nil)
		}, true},
		{"same parquet row", func() bool {
			return r.Reject(&RowError{File: "p.parquet", Row: &dump.RowPos{RowGroup: 0, InGroup: 3, InFile: 3}, Err: bad}, nil)
		}, true},
		{"fourth row is over the limit", func() bool { return r.Reject(&RowError{File: "a.sql", Offset: 7, Err: bad}, nil) }, false},
		{"still over the limit", func() bool { return r.Reject(&RowError{File: "a.sql", Offset: 7, Err: bad}, nil) }, false},
		{"the first row stays a reject", func() bool { return r.RejectText("c:0#1", 1, "a.sql", 34, "fk", "(2,5)") }, true},
		{"another file's offset 34 is another row", func() bool { return r.RejectText("c:1#1", 1, "b.sql", 34, "fk", "(2,5)") }, false},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Errorf("%s: %v, want %v", s.name, got, s.want)
		}
	}
	if n := r.Count(); n != 3 {
		t.Errorf("count %d, want 3", n)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 3 ||
		!strings.Contains(lines[0], `"offset":34`) || !strings.Contains(lines[2], `"row_in_file":3`) {
		t.Errorf("rejects file:\n%s", b)
	}
}
