// Package genexpr evaluates the expressions of generated columns as TiDB
// does (pkg/expression), so that rows whose dumps leave generated columns
// out can be completed before encoding.
//
// Compile parses every generated column's expression (the text TiDB
// restores into generated_expr_string) once per table, orders the columns
// by their references and rejects, with an *UnsupportedError naming the
// table, column and function, whatever lightstream cannot evaluate. Eval
// then computes each generated column of a row and casts the result to the
// column type through the same Converter that dump values go through.
package genexpr

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// Converter casts a dump-style field to a column's type
// (*valueconv.Converter satisfies it).
type Converter interface {
	Convert(offset int, f literal.Field, dst *datum.Datum) error
}

// Expr is one compiled expression over a table's columns.
type Expr struct {
	root node
	// Refs are the offsets of the columns the expression reads.
	Refs []int
}

// Evaluator computes the generated columns of one table. It is immutable
// after Compile and may be shared; Bind gives each goroutine its own
// evaluation state.
type Evaluator struct {
	t   *tablemodel.Table
	loc *time.Location
	// strict is the SQL mode's strictness (WithSQLMode; sqlmode.StrictAll
	// after Compile).
	strict bool
	// order lists the generated columns in evaluation order.
	order []genColumn
}

type genColumn struct {
	col  *tablemodel.Column
	expr *Expr
}

// Compile compiles every generated column (STORED and VIRTUAL) of t in
// dependency order. loc is the session time zone TIMESTAMP columns are
// seen in (UTC if nil). A function or construct lightstream cannot
// evaluate gives *UnsupportedError; a malformed expression, an unknown
// column or a cyclic reference an error wrapping ErrCompile.
func Compile(t *tablemodel.Table, loc *time.Location) (*Evaluator, error) {
	if loc == nil {
		loc = time.UTC
	}
	e := &Evaluator{t: t, loc: loc, strict: sqlmode.StrictAll.Strict()}
	exprs := make(map[int]*Expr)
	for _, col := range t.Columns {
		if !col.IsGenerated() {
			continue
		}
		x, err := compileColumn(t, col.Name, col.GeneratedExpr)
		if err != nil {
			return nil, err
		}
		exprs[col.Offset] = x
	}
	// Depth-first ordering: a generated column is evaluated after the
	// generated columns it reads (TiDB only allows references to earlier
	// ones, but TableInfo from elsewhere is not trusted to respect that).
	const (
		unseen = iota
		visiting
		done
	)
	state := make(map[int]int)
	var visit func(off int) error
	visit = func(off int) error {
		switch state[off] {
		case visiting:
			return compileErr(t.Name, t.Columns[off].Name, "generated columns reference each other in a cycle")
		case done:
			return nil
		}
		state[off] = visiting
		x := exprs[off]
		for _, r := range x.Refs {
			if _, gen := exprs[r]; gen {
				if err := visit(r); err != nil {
					return err
				}
			}
		}
		state[off] = done
		e.order = append(e.order, genColumn{col: t.Columns[off], expr: x})
		return nil
	}
	for _, col := range t.Columns {
		if _, gen := exprs[col.Offset]; gen {
			if err := visit(col.Offset); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// CompileExpr compiles one expression over the columns of t (for an
// expression index, or a test). column names the owner in errors.
func CompileExpr(t *tablemodel.Table, column, text string) (*Expr, error) {
	return compileColumn(t, column, text)
}

func compileColumn(t *tablemodel.Table, column, text string) (x *Expr, err error) {
	defer func() {
		// The parser is third-party code fed with arbitrary text: a panic
		// there must not take the importer down.
		if r := recover(); r != nil {
			x, err = nil, compileErr(t.Name, column, "expression %q: parser failure: %v", text, r)
		}
	}()
	n, err := parseExpr(text)
	if err != nil {
		return nil, compileErr(t.Name, column, "expression %q: %v", text, err)
	}
	cp := &compiler{t: t, column: column}
	root, err := cp.compile(n)
	if err != nil {
		return nil, err
	}
	return &Expr{root: root, Refs: cp.refs}, nil
}

// WithSQLMode returns a copy of e evaluating under mode m. Where TiDB's
// functions consult the statement's strictness (a truncation inside
// SEC_TO_TIME is an error in a strict INSERT, a warning otherwise; CHAR's
// bytes invalid in their charset give NULL in strict mode and '?' otherwise),
// m decides; Compile's evaluator uses sqlmode.StrictAll.
func (e *Evaluator) WithSQLMode(m sqlmode.Mode) *Evaluator {
	cp := *e
	cp.strict = m.Strict()
	return &cp
}

// Eval evaluates x over row (indexed by column offset) with the session
// zone loc, in sqlmode.StrictAll.
func (x *Expr) Eval(row []datum.Datum, loc *time.Location) (Value, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &evalCtx{loc: loc, row: row, strict: sqlmode.StrictAll.Strict()}
	return x.root.eval(c)
}

// Columns returns the generated columns in evaluation order.
func (e *Evaluator) Columns() []*tablemodel.Column {
	out := make([]*tablemodel.Column, len(e.order))
	for i, g := range e.order {
		out[i] = g.col
	}
	return out
}

// Bound is an Evaluator tied to a Converter, with evaluation state of its
// own; it satisfies valueconv.GeneratedEvaluator. It is not safe for
// concurrent use.
type Bound struct {
	e    *Evaluator
	conv Converter
	ctx  evalCtx
	buf  []byte
}

// Bind returns an evaluator that casts results with conv.
func (e *Evaluator) Bind(conv Converter) *Bound {
	return &Bound{e: e, conv: conv, ctx: evalCtx{loc: e.loc, strict: e.strict}}
}

// Eval computes every generated column of row, in dependency order, and
// stores each result cast to its column type.
func (b *Bound) Eval(row []datum.Datum) error {
	b.ctx.row = row
	defer func() { b.ctx.row = nil }()
	for _, g := range b.e.order {
		off := g.col.Offset
		if off >= len(row) {
			return fmt.Errorf("row has %d columns, generated column %s is at %d", len(row), g.col.Name, off)
		}
		v, err := g.expr.root.eval(&b.ctx)
		if err != nil {
			return fmt.Errorf("generated column %s: %w", g.col.Name, err)
		}
		if err := b.store(g.col, v, &row[off]); err != nil {
			return fmt.Errorf("generated column %s: %w", g.col.Name, err)
		}
	}
	return nil
}

// store casts v to col's type into dst: JSON columns take the binary JSON
// directly, everything else goes through the Converter as the text MySQL
// would cast (table.CastValue on the expression's datum).
func (b *Bound) store(col *tablemodel.Column, v Value, dst *datum.Datum) error {
	if col.Tp == mysql.TypeJSON && !v.IsNull() {
		bin, err := castToJSON(v, dst.B[:0])
		if err != nil {
			return err
		}
		*dst = datum.Datum{Kind: datum.JSON, B: bin}
		return nil
	}
	var f literal.Field
	b.buf, f = fieldFor(col, v, b.buf[:0])
	return b.conv.Convert(col.Offset, f, dst)
}

// fieldFor renders v as the dump field that casts to col like v itself.
func fieldFor(col *tablemodel.Column, v Value, buf []byte) ([]byte, literal.Field) {
	switch v.Kind {
	case KindNull:
		return buf, literal.Field{Kind: literal.FieldNull}
	case KindInt, KindUint, KindFloat, KindDecimal:
		if v.Kind == KindFloat && col.Tp != mysql.TypeFloat && col.Tp != mysql.TypeDouble && isStringType(col.Tp) {
			buf = v.AppendText(buf)
			return buf, literal.Field{Kind: literal.FieldString, Bytes: buf}
		}
		if v.Kind == KindFloat && tablemodel.IsIntegerType(col.Tp) && math.Abs(v.F) < 1<<63 {
			// A double reaches an integer column rounded half to even
			// (types.ConvertFloatToInt), not half up as number text would.
			buf = strconv.AppendInt(buf, floatToInt(v.F), 10)
			return buf, literal.Field{Kind: literal.FieldNumber, Bytes: buf}
		}
		buf = v.AppendText(buf)
		return buf, literal.Field{Kind: literal.FieldNumber, Bytes: buf}
	case KindTime, KindDuration:
		switch {
		case col.Tp == mysql.TypeYear && v.Kind == KindTime:
			buf = fmt.Appendf(buf, "%d", v.T.Year)
			return buf, literal.Field{Kind: literal.FieldNumber, Bytes: buf}
		case isNumericType(col.Tp):
			buf = appendNumberText(buf, v)
			return buf, literal.Field{Kind: literal.FieldNumber, Bytes: buf}
		case col.Tp == mysql.TypeDate && v.Kind == KindTime:
			// Datetime to DATE truncates the time of day
			// (types.Time.Convert), it does not round.
			buf = mytime.AppendFormat(buf, v.T.Date(), mytime.Date, 0)
			return buf, literal.Field{Kind: literal.FieldString, Bytes: buf}
		}
	case KindString:
		if v.HasNum && (isNumericType(col.Tp) || col.Tp == mysql.TypeBit) && v.Binary {
			// BIT and hex values are numbers to numeric columns.
			buf = fmt.Appendf(buf, "%d", v.U)
			return buf, literal.Field{Kind: literal.FieldNumber, Bytes: buf}
		}
		if v.Binary && col.Tp == mysql.TypeBit {
			buf = append(buf, v.S...)
			return buf, literal.Field{Kind: literal.FieldHex, Bytes: buf}
		}
	}
	buf = v.AppendText(buf)
	return buf, literal.Field{Kind: literal.FieldString, Bytes: buf}
}

func isNumericType(tp byte) bool {
	switch tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong,
		mysql.TypeFloat, mysql.TypeDouble, mysql.TypeNewDecimal:
		return true
	}
	return false
}

func isStringType(tp byte) bool {
	switch tp {
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		return true
	}
	return false
}

// castToJSON is CAST(v AS JSON) as a JSON column applies it
// (types.Datum.convertToMysqlJSON): strings are parsed as JSON text,
// numbers become JSON numbers, JSON stays as it is.
func castToJSON(v Value, dst []byte) ([]byte, error) {
	switch v.Kind {
	case KindJSON:
		return append(dst, v.S...), nil
	case KindString:
		out, err := jsonbin.Parse(v.S, dst)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid JSON text %q: %v", ErrEval, excerpt(v.S), err)
		}
		return out, nil
	}
	return append(dst, toJSONValue(v)...), nil
}

func excerpt(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}
