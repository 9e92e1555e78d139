package tidbcatalog

import (
	"context"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog/catalogtest"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// TestRebaseAutoRandomCompositeKey: an AUTO_RANDOM column that is the
// first column of a clustered composite key (TiDB >= 6.3) gets its
// AUTO_RANDOM_BASE past the largest imported allocated part, the shard
// bits masked away, as for an int handle.
func TestRebaseAutoRandomCompositeKey(t *testing.T) {
	tbl, _, err := tablemodel.ParseCreateTable("create table ev (id bigint auto_random(6), k int, primary key (id, k) clustered)",
		tablemodel.DBDefaults{Name: "ar"}, 90)
	if err != nil {
		t.Fatal(err)
	}
	c, rec := recordedCatalog(t, tidbcatalog.Config{})
	// 64 range bits - 6 shard bits - the sign bit: 57 allocated bits.
	q := "SELECT IFNULL(MAX(`id` & 144115188075855871), 0) FROM `ar`.`ev`"
	rec.Answer(q, catalogtest.Rows([]string{"m"}, []string{"4242"}))
	if err := c.Rebase(context.Background(), tbl); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rec.Statements() {
		if strings.HasPrefix(s, "SELECT IFNULL") || strings.HasPrefix(s, "ALTER") {
			got = append(got, s)
		}
	}
	want := []string{q, "ALTER TABLE `ar`.`ev` AUTO_RANDOM_BASE=4243"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("statements %q, want %q", got, want)
	}
}
