package coordinator

import (
	"errors"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func TestNoRows(t *testing.T) {
	mf := &lsv1.TableManifest{Db: "db", Table: "t", SourceBytes: 40, ChunkIds: []string{"db.t:0:0"}}
	if err := noRows(mf, 0, 0); !errors.Is(err, ErrNoRows) || !strings.Contains(err.Error(), "db.t") {
		t.Errorf("non-empty files, no rows: %v", err)
	}
	for _, c := range []struct {
		name           string
		mf             *lsv1.TableManifest
		rows, rejected uint64
	}{
		{"rows", mf, 3, 0},
		{"all rejected", mf, 0, 2},
		{"empty files", &lsv1.TableManifest{Db: "db", Table: "t", ChunkIds: []string{"db.t:0:0"}}, 0, 0},
		{"no data files", &lsv1.TableManifest{Db: "db", Table: "t"}, 0, 0},
	} {
		if err := noRows(c.mf, c.rows, c.rejected); err != nil {
			t.Errorf("%s: %v, want none", c.name, err)
		}
	}
	chunks := map[string]*lsv1.ChunkEncoded{"a": {Rejected: 2}, "b": {Rejected: 1, Rows: 4}}
	if n := rejectedRows(chunks); n != 3 {
		t.Errorf("rejectedRows = %d, want 3", n)
	}
}
