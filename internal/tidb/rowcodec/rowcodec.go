// Package rowcodec is TiDB's row codec for one table: a row of dump fields
// in, the KV pairs TiDB writes out (RowCoder: column mapping, value
// conversion, generated columns, record and index encoding), and record
// pairs back to rows with their index pairs checked (Decoder). The encoder
// stage runs it per row; `lightstream export`, `lightstream debug encode`
// and `debug decode` and the benchmarks run the same code, so what they
// show is what an import writes. It knows nothing of topics or messages:
// callers hand it a table model and a session.
package rowcodec

import (
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/genexpr"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// Session returns the conversion session of a table's rows: sqlMode and
// timeZone as the import recorded them for the table ("" for no mode and
// UTC), the dump's own SET TIME_ZONE in force (dumpTimeZone, "" for none)
// taking precedence, as it does for the statements that follow it in the
// dump; now is the statement time of DEFAULT CURRENT_TIMESTAMP.
func Session(sqlMode, timeZone, dumpTimeZone string, now time.Time) (valueconv.Session, error) {
	mode, err := sqlmode.Parse(sqlMode)
	if err != nil {
		return valueconv.Session{}, err
	}
	tz := timeZone
	if dumpTimeZone != "" {
		tz = dumpTimeZone
	}
	loc := time.UTC
	if tz != "" {
		if loc, err = mytime.ParseLocation(tz); err != nil {
			return valueconv.Session{}, fmt.Errorf("time zone %q: %w", tz, err)
		}
	}
	return valueconv.Session{Mode: mode, Loc: loc, Now: now}, nil
}

// Generated compiles the generated columns of t (stored and virtual) into
// an evaluator that computes them under sess (its SQL mode and time zone)
// and casts the results to their columns' types; nil when t has none. An
// expression lightstream cannot evaluate is an error here, before any row.
func Generated(t *tablemodel.Table, sess valueconv.Session) (valueconv.GeneratedEvaluator, error) {
	if !hasGenerated(t, false) {
		return nil, nil
	}
	conv, err := valueconv.NewConverter(t, sess)
	if err != nil {
		return nil, err
	}
	return generated(t, sess, conv)
}

// VirtualGenerated is Generated for a table with a virtual generated
// column, nil for any other: decoded rows hold the stored columns already,
// only the virtual ones (not stored) need computing, as SELECT does.
func VirtualGenerated(t *tablemodel.Table, sess valueconv.Session) (valueconv.GeneratedEvaluator, error) {
	if !hasGenerated(t, true) {
		return nil, nil
	}
	return Generated(t, sess)
}

// hasGenerated says whether t has a generated column (a virtual one, with
// virtualOnly).
func hasGenerated(t *tablemodel.Table, virtualOnly bool) bool {
	for _, c := range t.Columns {
		if c.IsGenerated() && !(virtualOnly && c.GeneratedStored) {
			return true
		}
	}
	return false
}

// generated compiles t's generated columns, casting with conv; nil when t
// has none.
func generated(t *tablemodel.Table, sess valueconv.Session, conv *valueconv.Converter) (valueconv.GeneratedEvaluator, error) {
	if !hasGenerated(t, false) {
		return nil, nil
	}
	ev, err := genexpr.Compile(t, sess.Loc)
	if err != nil {
		return nil, err
	}
	return ev.WithSQLMode(sess.Mode).Bind(conv), nil
}
