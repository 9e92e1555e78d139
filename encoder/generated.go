package encoder

import (
	"github.com/lightstream-io/lightstream/internal/tidb/genexpr"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

type tableModel = tablemodel.Table

// compileGenerated prepares the evaluator of a table's generated columns
// (nil when it has none).
func compileGenerated(t *tablemodel.Table, sess valueconv.Session, conv *valueconv.Converter) (valueconv.GeneratedEvaluator, error) {
	return Generated(t, sess, conv)
}

// Generated compiles the generated columns of t (stored and virtual) into
// an evaluator that casts results with conv; nil when t has none. An
// expression lightstream cannot evaluate is an error here, before any row.
func Generated(t *tablemodel.Table, sess valueconv.Session, conv *valueconv.Converter) (valueconv.GeneratedEvaluator, error) {
	has := false
	for _, c := range t.Columns {
		has = has || c.IsGenerated()
	}
	if !has {
		return nil, nil
	}
	ev, err := genexpr.Compile(t, sess.Loc)
	if err != nil {
		return nil, err
	}
	return ev.WithSQLMode(sess.Mode).Bind(conv), nil
}
