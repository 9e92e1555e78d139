// Package export reads a table back out of the store, decodes every
// record and writes it as CSV in dumpling's default dialect with each value
// in MySQL's text form (what SELECT prints). It is how users and tests
// look at what an import wrote.
package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/lightstream-io/lightstream/internal/app/export/csvwriter"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// Options of an export.
type Options struct {
	// Loc is the time zone TIMESTAMP values are shown in (default UTC).
	Loc *time.Location
	// Generated fills virtual generated columns after decoding (nil: the
	// table has none, or they are shown as NULL); Generated(t, Loc) is
	// what `lightstream export` computes them with.
	Generated valueconv.GeneratedEvaluator
}

// Generated is the evaluator of t's generated columns `lightstream
// export` decodes with: every generated column, in strict mode, in the
// time zone loc; nil when t has none.
func Generated(t *tablemodel.Table, loc *time.Location) (valueconv.GeneratedEvaluator, error) {
	return rowcodec.Generated(t, valueconv.Session{Mode: sqlmode.StrictAll, Loc: loc})
}

// Columns returns the columns an export prints: every column but those of
// types TiDB does not have (they were never stored) and the hidden columns
// of expression indexes (SELECT * does not show them).
func Columns(t *tablemodel.Table) []*tablemodel.Column {
	var cols []*tablemodel.Column
	for _, c := range t.Columns {
		if c.Unsupported == "" && !c.Hidden {
			cols = append(cols, c)
		}
	}
	return cols
}

// Table writes every row of t held by st to w and returns the row count.
func Table(ctx context.Context, st store.Store, t *tablemodel.Table, opts Options, w io.Writer) (int64, error) {
	if opts.Loc == nil {
		opts.Loc = time.UTC
	}
	dec, err := rowcodec.NewDecoder(t, rowcodec.DecodeOptions{Loc: opts.Loc, Generated: opts.Generated})
	if err != nil {
		return 0, err
	}
	cols := Columns(t)
	out := csvwriter.NewWriter(w)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if err := out.Header(names); err != nil {
		return 0, err
	}
	var (
		n   int64
		buf []byte
	)
	row := func(k, v []byte) error {
		row, err := dec.Record(k, v)
		if err != nil {
			return fmt.Errorf("key %x: %w", k, err)
		}
		for _, c := range cols {
			d := &row[c.Offset]
			if d.Kind == datum.Null {
				out.Field(nil, true)
				continue
			}
			buf = valueconv.FormatText(c, d, opts.Loc, buf[:0])
			out.Field(buf, false)
		}
		n++
		return out.EndRow()
	}
	// A partitioned table's rows are under its partitions' IDs, one
	// partition after the other.
	for _, id := range t.PhysicalIDs() {
		start := tidbcodec.AppendRecordPrefix(nil, id)
		end := append(tidbcodec.AppendTablePrefix(nil, id), '_', 's')
		if err := st.Scan(ctx, start, end, row); err != nil {
			return n, fmt.Errorf("export %s.%s: %w", t.DB, t.Name, err)
		}
	}
	return n, out.Flush()
}
