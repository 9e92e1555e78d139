package dumpgen

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

var (
	tpchClerk   = regexp.MustCompile(`^Clerk#\d{9}$`)
	tpchDecimal = regexp.MustCompile(`^\d+\.\d\d$`)
)

// checkLineitem checks the relations TPC-H 4.2.3 sets between a line's
// columns: dates in order, flags following the dates, price from quantity.
func checkLineitem(t *testing.T, n int64, fs []literal.Field) {
	t.Helper()
	ship, commit, receipt := string(fs[10].Bytes), string(fs[11].Bytes), string(fs[12].Bytes)
	if !(receipt > ship) || ship < "1992-01-02" || commit < "1992-01-31" || receipt > "1998-12-31" {
		t.Fatalf("lineitem row %d: ship %s commit %s receipt %s", n, ship, commit, receipt)
	}
	flag, status := string(fs[8].Bytes), string(fs[9].Bytes)
	if (receipt > "1995-06-17") != (flag == "N") || (ship > "1995-06-17") != (status == "O") {
		t.Fatalf("lineitem row %d: flag %s status %s for ship %s receipt %s", n, flag, status, ship, receipt)
	}
	for _, i := range []int{4, 5, 6, 7} {
		if !tpchDecimal.Match(fs[i].Bytes) {
			t.Fatalf("lineitem row %d: column %d %q is not a DECIMAL(15,2)", n, i, fs[i].Bytes)
		}
	}
	if c := len(fs[15].Bytes); c > 44 || bytes.ContainsAny(fs[15].Bytes, "'\\\\") {
		t.Fatalf("lineitem row %d: comment %q", n, fs[15].Bytes)
	}
}

func TestTPCHSet(t *testing.T) {
	res := run(t, Config{Size: 600 << 10, Tables: []string{"tpch"}, Seed: 3})
	var names []string
	for _, tr := range res.Tables {
		names = append(names, tr.Name)
		// Rows of about the width of TPC-H's (dbgen's .tbl rows are
		// 120-160 bytes as SQL tuples).
		if w := tr.Bytes / tr.Rows; w < 90 || w > 200 {
			t.Errorf("%s: %d bytes a row", tr.Name, w)
		}
	}
	if got := strings.Join(names, ","); got != "lineitem,orders,partsupp" {
		t.Fatalf("tpch wrote %s", got)
	}
}

func TestTPCHOrderKeysSparse(t *testing.T) {
	// dbgen keeps the first 8 of every 32 order keys.
	want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 33, 34}
	for i, w := range want {
		if got := tpchOrderKey(int64(i + 1)); got != w {
			t.Fatalf("order %d: key %d, want %d", i+1, got, w)
		}
	}
}
