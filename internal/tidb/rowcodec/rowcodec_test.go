package rowcodec

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/genexpr"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

func table(t *testing.T, ddl string, id int64) *tablemodel.Table {
	t.Helper()
	m, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: "d"}, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func num(s string) literal.Field { return literal.Field{Kind: literal.FieldNumber, Bytes: []byte(s)} }
func str(s string) literal.Field { return literal.Field{Kind: literal.FieldString, Bytes: []byte(s)} }

// vectors are TiDB's own encodings (golden.Vectors), by id.
func vectors(t *testing.T) map[string][2]string {
	t.Helper()
	var f struct {
		Vectors []struct {
			ID       string `json:"id"`
			KeyHex   string `json:"key_hex"`
			ValueHex string `json:"value_hex"`
		}
	}
	if err := json.Unmarshal(golden.Vectors(), &f); err != nil {
		t.Fatal(err)
	}
	m := map[string][2]string{}
	for _, v := range f.Vectors {
		m[v.ID] = [2]string{v.KeyHex, v.ValueHex}
	}
	return m
}

// TestRowCoderVectors encodes the rows behind TiDB vectors and finds each
// vector's pair among the row's pairs.
func TestRowCoderVectors(t *testing.T) {
	vecs := vectors(t)
	idx := "create table t(a int, b char(10) collate utf8mb4_bin, c char(10) collate utf8mb4_unicode_ci, key i_a(a), key i_b(b), key i_c(c), key i_abc(a,b,c), unique key i_ua(a), unique key i_ub(b), unique key i_uc(c), unique key i_uabc(a,b,c))"
	for _, c := range []struct {
		vectors []string
		ddl     string
		id      int64
		mode    string
		columns []string
		fields  []literal.Field
		rowID   int64
	}{
		{[]string{"tikv-idx-int-handle-nonunique-int", "tikv-idx-char-unicodeci-nonunique"}, idx, 49, "", nil, []literal.Field{num("1"), str("a "), str("A ")}, 1},
		{[]string{"tikv-idx-int-handle-unique-int", "tikv-idx-char-bin-unique", "tikv-idx-char-unicodeci-unique", "tikv-idx-char-composite-nonunique"}, idx, 53, "", nil, []literal.Field{num("1"), str("a "), str("A ")}, 1},
		// Not strict: the value is clamped, as Lightning's default mode does.
		{[]string{"lightning-v2-tinyint-clamped"}, "create table t (c1 tinyint)", 1, "", nil, []literal.Field{num("10000000")}, 1},
		// A column list in another order, and _tidb_rowid given.
		{[]string{"docs-rowv2-two-strings"}, "create table t (col1 varchar(10), col2 varchar(10))", 73, sqlmode.DefaultText, []string{"col2", "_tidb_rowid", "col1"}, []literal.Field{str("hello"), num("3"), str("hello")}, 9},
	} {
		sess, err := Session(c.mode, "", "", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := NewRowCoder(table(t, c.ddl, c.id), sess, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var pairs kvenc.Pairs
		if err := rc.Encode(c.columns, c.fields, c.rowID, &pairs); err != nil {
			t.Fatalf("%v: %v", c.vectors, err)
		}
		got := map[string]string{}
		for i := 0; i < pairs.Len(); i++ {
			got[hex.EncodeToString(pairs.Key(i))] = hex.EncodeToString(pairs.Value(i))
		}
		for _, id := range c.vectors {
			v, ok := vecs[id]
			if !ok {
				t.Fatalf("vector %s missing", id)
			}
			if got[v[0]] != v[1] {
				t.Errorf("%s: key %s gives value %q, want %s", id, v[0], got[v[0]], v[1])
			}
		}
	}
}

// TestRowCoderStrict: the session's SQL mode decides whether an out of
// range value is clamped or an error naming its column.
func TestRowCoderStrict(t *testing.T) {
	sess, err := Session("STRICT_TRANS_TABLES", "", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rc, err := NewRowCoder(table(t, "create table t (c1 tinyint)", 1), sess, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pairs kvenc.Pairs
	err = rc.Encode(nil, []literal.Field{num("10000000")}, 1, &pairs)
	var ve *valueconv.ValueError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "c1") {
		t.Fatalf("strict: err %v, want a *valueconv.ValueError naming c1", err)
	}
}

// TestSession: the dump's SET TIME_ZONE comes before the import's, no zone
// is UTC, and a bad mode or zone is an error naming it.
func TestSession(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, c := range []struct {
		mode, tz, dumpTZ string
		offset           int // seconds east of UTC
		strict           bool
	}{
		{"", "", "", 0, false},
		{"STRICT_TRANS_TABLES", "+08:00", "", 8 * 3600, true},
		{"", "+08:00", "-05:30", -(5*3600 + 1800), false},
		{"", "", "+01:00", 3600, false},
	} {
		sess, err := Session(c.mode, c.tz, c.dumpTZ, now)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if _, off := now.In(sess.Loc).Zone(); off != c.offset {
			t.Errorf("%+v: zone offset %d, want %d", c, off, c.offset)
		}
		if sess.Mode.Strict() != c.strict || !sess.Now.Equal(now) {
			t.Errorf("%+v: strict %v now %v", c, sess.Mode.Strict(), sess.Now)
		}
	}
	if _, err := Session("NO_SUCH_MODE", "", "", now); err == nil {
		t.Error("unknown SQL mode accepted")
	}
	if _, err := Session("", "+08:00", "Mars/Olympus", now); err == nil || !strings.Contains(err.Error(), `"Mars/Olympus"`) {
		t.Errorf("bad dump time zone: %v", err)
	}
}

// TestGenerated: Generated compiles every generated column, VirtualGenerated
// only for a table with a virtual one, both nil without; an expression
// lightstream cannot evaluate fails before any row.
func TestGenerated(t *testing.T) {
	sess := valueconv.Session{Loc: time.UTC}
	for _, c := range []struct {
		ddl       string
		all, virt bool
	}{
		{"create table t (a int)", false, false},
		{"create table t (a int, b int as (a*2) stored)", true, false},
		{"create table t (a int, b int as (a*2) stored, c int as (a+1) virtual)", true, true},
	} {
		tbl := table(t, c.ddl, 5)
		all, err := Generated(tbl, sess)
		if err != nil {
			t.Fatal(err)
		}
		virtual, err := VirtualGenerated(tbl, sess)
		if err != nil {
			t.Fatal(err)
		}
		if (all != nil) != c.all || (virtual != nil) != c.virt {
			t.Errorf("%s: Generated %v, VirtualGenerated %v", c.ddl, all != nil, virtual != nil)
		}
	}
	tbl := table(t, "create table t (a int, b double as (rand()) virtual)", 5)
	var ue *genexpr.UnsupportedError
	if _, err := NewRowCoder(tbl, sess, Options{}); !errors.As(err, &ue) {
		t.Errorf("NewRowCoder: err %v, want *genexpr.UnsupportedError", err)
	}
	if _, err := VirtualGenerated(tbl, sess); !errors.As(err, &ue) {
		t.Errorf("VirtualGenerated: err %v, want *genexpr.UnsupportedError", err)
	}
}
