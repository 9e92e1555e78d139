package rowcodec

import (
	"bytes"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// TestRowCoderColumnLists: rows whose column lists change (and a list
// whose backing array is reused with other names) each get their own
// mapping: the same pairs as a coder that sees only that row.
func TestRowCoderColumnLists(t *testing.T) {
	tbl := table(t, "create table t (a int, b varchar(10), c int default 7)", 1)
	sess := tpchSession()
	rc, err := NewRowCoder(tbl, sess, Options{})
	if err != nil {
		t.Fatal(err)
	}
	reused := []string{"a", "b"}
	steps := []struct {
		cols   []string
		fields []literal.Field
	}{
		{[]string{"a", "b", "c"}, []literal.Field{num("1"), str("x"), num("2")}},
		{[]string{"c", "b", "a"}, []literal.Field{num("1"), str("x"), num("2")}},
		{[]string{"c", "b", "a"}, []literal.Field{num("3"), str("y"), num("4")}},
		{nil, []literal.Field{num("5"), str("z"), num("6")}},
		{reused, []literal.Field{num("8"), str("w")}},
		{reused, []literal.Field{str("v"), num("9")}},
		{[]string{}, nil},
		{nil, []literal.Field{num("5"), str("z"), num("6")}},
	}
	for i, s := range steps {
		if i == 5 {
			reused[0], reused[1] = "b", "a"
		}
		fresh, err := NewRowCoder(tbl, sess, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got, want kvenc.Pairs
		if err := rc.Encode(s.cols, s.fields, int64(i+1), &got); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if err := fresh.Encode(s.cols, s.fields, int64(i+1), &want); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got.Len() != want.Len() || !bytes.Equal(got.Value(0), want.Value(0)) || !bytes.Equal(got.Key(0), want.Key(0)) {
			t.Fatalf("step %d %v: got %x, want %x", i, s.cols, got.Value(0), want.Value(0))
		}
	}
}
