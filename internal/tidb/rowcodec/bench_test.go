package rowcodec

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// tpchTables are the tables of testdata/tpch: 64 rows each, as
// `lightstream gen --tables tpch-sf1` writes them (no primary key, so the
// handle is _tidb_rowid).
var tpchTables = []string{"lineitem", "orders", "partsupp"}

// tpchRows reads testdata/tpch/<name>: the table model and its rows as
// the SQL reader hands them (fields copied out of the reader's buffer).
func tpchRows(tb testing.TB, name string) (*tablemodel.Table, [][]literal.Field) {
	tb.Helper()
	ddl, err := os.ReadFile(filepath.Join("testdata", "tpch", name+"-schema.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	t, _, err := tablemodel.ParseCreateTable(string(ddl), tablemodel.DBDefaults{Name: "tpch"}, 100)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "tpch", name+".sql"))
	if err != nil {
		tb.Fatal(err)
	}
	r := rowparse.NewSQLReader(bytes.NewReader(data), rowparse.SQLOptions{File: name + ".sql"})
	var rows [][]literal.Field
	for {
		fields, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		row := make([]literal.Field, len(fields))
		for i, f := range fields {
			row[i] = literal.Field{Kind: f.Kind, Bytes: bytes.Clone(f.Bytes)}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		tb.Fatalf("%s: no rows", name)
	}
	return t, rows
}

func tpchSession() valueconv.Session {
	return valueconv.Session{Mode: sqlmode.StrictAll, Loc: time.UTC, Now: time.Unix(1700000000, 0)}
}

// tpchBuilder is a table's rows and the row builder that converts them.
func tpchBuilder(b *testing.B, name string) (*tablemodel.Table, [][]literal.Field, *valueconv.RowBuilder) {
	b.Helper()
	t, rows := tpchRows(b, name)
	conv, err := valueconv.NewConverter(t, tpchSession())
	if err != nil {
		b.Fatal(err)
	}
	rb, err := valueconv.NewRowBuilder(conv, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return t, rows, rb
}

// BenchmarkTPCHBuild is value conversion alone (RowBuilder.Build) on TPC-H
// rows; ns/op is per row.
func BenchmarkTPCHBuild(b *testing.B) {
	for _, name := range tpchTables {
		b.Run(name, func(b *testing.B) {
			t, rows, rb := tpchBuilder(b, name)
			row := make([]datum.Datum, len(t.Columns))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := rb.Build(rows[i%len(rows)], int64(i+1), row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTPCHKV is the KV encoding alone (kvenc.Encoder.Encode) of
// converted TPC-H rows; ns/op is per row.
func BenchmarkTPCHKV(b *testing.B) {
	for _, name := range tpchTables {
		b.Run(name, func(b *testing.B) {
			t, rows, rb := tpchBuilder(b, name)
			built := make([][]datum.Datum, len(rows))
			for i, fields := range rows {
				built[i] = make([]datum.Datum, len(t.Columns))
				if _, err := rb.Build(fields, int64(i+1), built[i]); err != nil {
					b.Fatal(err)
				}
			}
			enc, err := kvenc.NewEncoder(t, kvenc.Options{Loc: time.UTC})
			if err != nil {
				b.Fatal(err)
			}
			var p kvenc.Pairs
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%256 == 0 {
					p.Reset()
				}
				if err := enc.Encode(built[i%len(built)], int64(i+1), &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTPCHRow is the whole per-row work of the encoder stage
// (RowCoder.Encode: conversion and KV encoding) on TPC-H rows; ns/op is
// per row.
func BenchmarkTPCHRow(b *testing.B) {
	for _, name := range tpchTables {
		b.Run(name, func(b *testing.B) {
			t, rows := tpchRows(b, name)
			rc, err := NewRowCoder(t, tpchSession(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			var p kvenc.Pairs
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%256 == 0 {
					p.Reset()
				}
				if err := rc.Encode(nil, rows[i%len(rows)], int64(i+1), &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
