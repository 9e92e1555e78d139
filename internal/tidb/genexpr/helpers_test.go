package genexpr

import (
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// The Converter the row builder uses must satisfy our interface.
var _ Converter = (*valueconv.Converter)(nil)
var _ valueconv.GeneratedEvaluator = (*Bound)(nil)

func mustTable(t testing.TB, sql string) *tablemodel.Table {
	t.Helper()
	tbl, _, err := tablemodel.ParseCreateTable(sql, tablemodel.DBDefaults{Name: "test"}, 100)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	return tbl
}

func newConverter(t testing.TB, tbl *tablemodel.Table, loc *time.Location) *valueconv.Converter {
	t.Helper()
	conv, err := valueconv.NewConverter(tbl, valueconv.Session{Mode: sqlmode.StrictAll, Loc: loc, Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// fillRow converts text values (nil = NULL) into the named columns.
func fillRow(t testing.TB, conv *valueconv.Converter, tbl *tablemodel.Table, vals map[string]*string) []datum.Datum {
	t.Helper()
	row := make([]datum.Datum, len(tbl.Columns))
	for name, v := range vals {
		col := tbl.Column(name)
		if col == nil {
			t.Fatalf("no column %s", name)
		}
		f := literal.Field{Kind: literal.FieldNull}
		if v != nil {
			f = literal.Field{Kind: literal.FieldString, Bytes: []byte(*v)}
		}
		if err := conv.Convert(col.Offset, f, &row[col.Offset]); err != nil {
			t.Fatalf("convert %s=%v: %v", name, v, err)
		}
	}
	return row
}

func sp(s string) *string { return &s }
