package rowcodec

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// encodeRow encodes one row of tbl with a fresh coder.
func encodeRow(t *testing.T, tbl *tablemodel.Table, opts Options, columns []string, fields []literal.Field, rowID int64) *kvenc.Pairs {
	t.Helper()
	rc, err := NewRowCoder(tbl, valueconv.Session{Loc: time.UTC}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var pairs kvenc.Pairs
	if err := rc.Encode(columns, fields, rowID, &pairs); err != nil {
		t.Fatal(err)
	}
	return &pairs
}

// text is a decoded row as SELECT shows it, NULL for NULL.
func text(tbl *tablemodel.Table, row []datum.Datum) string {
	var out []string
	for i, col := range tbl.Columns {
		if row[i].Kind == datum.Null {
			out = append(out, "NULL")
			continue
		}
		out = append(out, string(valueconv.FormatText(col, &row[i], time.UTC, nil)))
	}
	return strings.Join(out, ",")
}

// TestDecoderRoundTrip: rows given by column lists in any order come back
// with every column, defaults filled; a virtual generated column is NULL
// unless the decoder computes it, a stored one is as stored.
func TestDecoderRoundTrip(t *testing.T) {
	tbl := table(t, "create table t (id int primary key, s varchar(10) default 'dflt', b int as (id*2) stored, c int as (id+1) virtual)", 7)
	gen, err := VirtualGenerated(tbl, valueconv.Session{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		columns        []string
		fields         []literal.Field
		bare, withVirt string
	}{
		{nil, []literal.Field{num("5"), str("x")}, "5,x,10,NULL", "5,x,10,6"},
		{[]string{"s", "id"}, []literal.Field{str("y"), num("8")}, "8,y,16,NULL", "8,y,16,9"},
		{[]string{"id"}, []literal.Field{num("3")}, "3,dflt,6,NULL", "3,dflt,6,4"},
	} {
		pairs := encodeRow(t, tbl, Options{}, c.columns, c.fields, 1)
		for _, g := range []struct {
			gen  valueconv.GeneratedEvaluator
			want string
		}{{nil, c.bare}, {gen, c.withVirt}} {
			d, err := NewDecoder(tbl, DecodeOptions{Generated: g.gen})
			if err != nil {
				t.Fatal(err)
			}
			row, err := d.Record(pairs.Key(0), pairs.Value(0))
			if err != nil {
				t.Fatal(err)
			}
			if got := text(tbl, row); got != g.want {
				t.Errorf("%v %v: decoded %s, want %s", c.columns, g.gen != nil, got, g.want)
			}
		}
	}
}

// TestDecoderCheckIndex: the index pairs a row encodes to pass the check
// after its record; an altered value, a key the row does not give, a key
// that is no index key, and an index pair before any record do not.
func TestDecoderCheckIndex(t *testing.T) {
	for _, c := range []struct {
		ddl  string
		opts Options
	}{
		{"create table t (a int, b varchar(10), key i_a(a), unique key i_b(b), key i_ab(a, b))", Options{}},
		// _tidb_rowid handles carry shard bits the re-encoding must drop
		// and the encoder add back.
		{"create table t (a int, b varchar(10), key i_a(a), unique key i_b(b)) shard_row_id_bits=4", Options{AutoRandomSeed: 77}},
		{"create table t (a int, b varchar(10), primary key (b) clustered, key i_a(a))", Options{}},
	} {
		tbl := table(t, c.ddl, 9)
		d, err := NewDecoder(tbl, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var pairs *kvenc.Pairs
		for rowID := int64(1); rowID <= 16; rowID++ {
			pairs = encodeRow(t, tbl, c.opts, nil, []literal.Field{num("41"), str("k")}, rowID)
			if pairs.Len() < 2 {
				t.Fatalf("%s: %d pairs", c.ddl, pairs.Len())
			}
			if rowID == 1 {
				if err := d.CheckIndex(pairs.Key(1), pairs.Value(1)); err == nil {
					t.Errorf("%s: index pair before any record accepted", c.ddl)
				}
			}
			if _, err := d.Record(pairs.Key(0), pairs.Value(0)); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < pairs.Len(); i++ {
				if err := d.CheckIndex(pairs.Key(i), pairs.Value(i)); err != nil {
					t.Errorf("%s: row %d index pair %d: %v", c.ddl, rowID, i, err)
				}
			}
		}
		last := pairs.Len() - 1
		value := append([]byte(nil), pairs.Value(last)...)
		value = append(value, 0)
		if err := d.CheckIndex(pairs.Key(last), value); !errors.Is(err, ErrIndexMismatch) {
			t.Errorf("%s: altered value: err %v", c.ddl, err)
		}
		key := append([]byte(nil), pairs.Key(1)...)
		key[len(key)-1] ^= 1
		if err := d.CheckIndex(key, pairs.Value(1)); !errors.Is(err, ErrIndexMismatch) {
			t.Errorf("%s: altered key: err %v", c.ddl, err)
		}
		if err := d.CheckIndex(pairs.Key(0), pairs.Value(0)); err == nil || errors.Is(err, ErrIndexMismatch) {
			t.Errorf("%s: record key as index pair: err %v", c.ddl, err)
		}
	}
}

// TestDecoderBadRecord: a pair of another table is an error saying it is
// the record that does not decode.
func TestDecoderBadRecord(t *testing.T) {
	pairs := encodeRow(t, table(t, "create table t (a int)", 6), Options{}, nil, []literal.Field{num("1")}, 1)
	d, err := NewDecoder(table(t, "create table t (a int)", 5), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Record(pairs.Key(0), pairs.Value(0)); err == nil || !strings.HasPrefix(err.Error(), "record: ") {
		t.Errorf("err %v", err)
	}
}
