package genexpr

import (
	"fmt"
	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// node is one compiled expression node.
type node interface {
	eval(c *evalCtx) (Value, error)
}

// compiler turns one column's parsed expression into nodes.
type compiler struct {
	t      *tablemodel.Table
	column string
	// refs collects the offsets of the columns the expression reads.
	refs []int
}

func (cp *compiler) unsupported(fn, reason string) error {
	return &UnsupportedError{Table: cp.t.Name, Column: cp.column, Function: fn, Reason: reason}
}

func (cp *compiler) errorf(format string, args ...any) error {
	return compileErr(cp.t.Name, cp.column, format, args...)
}

// parseExpr parses expression text as TiDB restores it into
// generated_expr_string.
func parseExpr(text string) (ast.ExprNode, error) {
	p := parser.New()
	stmt, err := p.ParseOneStmt("SELECT "+text, "", "")
	if err != nil {
		return nil, err
	}
	sel, ok := stmt.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.From != nil || sel.Where != nil ||
		sel.Fields.Fields[0].Expr == nil {
		return nil, fmt.Errorf("not a single expression")
	}
	return sel.Fields.Fields[0].Expr, nil
}

func (cp *compiler) compile(n ast.ExprNode) (node, error) {
	switch x := n.(type) {
	case *test_driver.ValueExpr:
		return cp.literal(x)
	case *ast.ColumnNameExpr:
		col := cp.t.Column(x.Name.Name.O)
		if col == nil {
			return nil, cp.errorf("unknown column %q", x.Name.Name.O)
		}
		if col.Unsupported != "" {
			return nil, cp.unsupported("column "+col.Name, "column type "+col.Unsupported+" is not supported")
		}
		cp.refs = append(cp.refs, col.Offset)
		return &colNode{off: col.Offset, col: col}, nil
	case *ast.ParenthesesExpr:
		return cp.compile(x.Expr)
	case *ast.SetCollationExpr:
		// expr COLLATE name: the same string under another collation.
		inner, err := cp.compile(x.Expr)
		if err != nil {
			return nil, err
		}
		coll := strings.ToLower(x.Collate)
		if _, ok := collate.Get(coll); !ok && coll != "binary" {
			return nil, cp.unsupported("collate "+coll, "unknown collation")
		}
		fn := func(_ *evalCtx, a []Value) (Value, error) {
			v := a[0]
			if v.Kind == KindString && !v.Binary {
				v.Coll = coll
			}
			return v, nil
		}
		return &callNode{name: "collate", fn: fn, args: []node{inner}}, nil
	case *ast.BinaryOperationExpr:
		return cp.binary(x)
	case *ast.UnaryOperationExpr:
		arg, err := cp.compile(x.V)
		if err != nil {
			return nil, err
		}
		switch x.Op {
		case opcode.Minus:
			return &callNode{name: "unary minus", fn: fnNeg, args: []node{arg}}, nil
		case opcode.Plus:
			return arg, nil
		case opcode.Not, opcode.Not2:
			return &callNode{name: "not", fn: fnNot, args: []node{arg}}, nil
		case opcode.BitNeg:
			return &callNode{name: "~", fn: fnBitNeg, args: []node{arg}}, nil
		}
		return nil, cp.unsupported("operator "+x.Op.String(), "")
	case *ast.FuncCallExpr:
		return cp.call(x)
	case *ast.FuncCastExpr:
		return cp.cast(x)
	case *ast.IsNullExpr:
		arg, err := cp.compile(x.Expr)
		if err != nil {
			return nil, err
		}
		return &callNode{name: "isnull", fn: isNullFn(x.Not), args: []node{arg}}, nil
	case *ast.IsTruthExpr:
		arg, err := cp.compile(x.Expr)
		if err != nil {
			return nil, err
		}
		return &callNode{name: "istrue", fn: isTruthFn(x.True != 0, x.Not), args: []node{arg}}, nil
	case *ast.CaseExpr:
		return cp.caseExpr(x)
	case *ast.PatternInExpr:
		if x.Sel != nil {
			return nil, cp.unsupported("subquery", "subqueries are not allowed in generated columns")
		}
		args, err := cp.list(append([]ast.ExprNode{x.Expr}, x.List...))
		if err != nil {
			return nil, err
		}
		return &callNode{name: "in", fn: inFn(x.Not), args: args}, nil
	case *ast.BetweenExpr:
		args, err := cp.list([]ast.ExprNode{x.Expr, x.Left, x.Right})
		if err != nil {
			return nil, err
		}
		return &callNode{name: "between", fn: betweenFn(x.Not), args: args}, nil
	case *ast.PatternLikeOrIlikeExpr:
		args, err := cp.list([]ast.ExprNode{x.Expr, x.Pattern})
		if err != nil {
			return nil, err
		}
		esc := x.Escape
		if esc == 0 {
			esc = '\\'
		}
		return &callNode{name: "like", fn: likeFn(x.Not, !x.IsLike, esc), args: args}, nil
	case *ast.PatternRegexpExpr:
		args, err := cp.list([]ast.ExprNode{x.Expr, x.Pattern})
		if err != nil {
			return nil, err
		}
		fn := fnRegexpLike
		if x.Not {
			fn = func(c *evalCtx, a []Value) (Value, error) {
				v, err := fnRegexpLike(c, a)
				if err != nil || v.IsNull() {
					return v, err
				}
				return boolValue(v.I == 0), nil
			}
		}
		return &callNode{name: "regexp", fn: fn, args: args}, nil
	case *ast.TimeUnitExpr:
		return &constNode{v: StringValue(x.Unit.String())}, nil
	case *ast.TrimDirectionExpr:
		return &constNode{v: IntValue(int64(x.Direction))}, nil
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		return nil, cp.unsupported("subquery", "subqueries are not allowed in generated columns")
	case *ast.VariableExpr:
		return nil, cp.unsupported("variable", "variables are not allowed in generated columns")
	case *ast.DefaultExpr:
		return nil, cp.unsupported("default", "DEFAULT() is not allowed in generated columns")
	case *ast.AggregateFuncExpr:
		return nil, cp.unsupported(x.F, "aggregate functions are not allowed in generated columns")
	case *ast.WindowFuncExpr:
		return nil, cp.unsupported(x.Name, "window functions are not allowed in generated columns")
	}
	return nil, cp.unsupported(fmt.Sprintf("%T", n), "expression form not supported")
}

func (cp *compiler) list(ns []ast.ExprNode) ([]node, error) {
	out := make([]node, 0, len(ns))
	for _, n := range ns {
		if n == nil {
			continue
		}
		x, err := cp.compile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (cp *compiler) literal(x *test_driver.ValueExpr) (node, error) {
	var v Value
	switch x.Kind() {
	case test_driver.KindNull:
		v = Null
	case test_driver.KindInt64:
		v = IntValue(x.GetInt64())
		if x.Type.GetFlag()&isBooleanFlag != 0 {
			v.Bool = true
		}
	case test_driver.KindUint64:
		v = UintValue(x.GetUint64())
	case test_driver.KindFloat32, test_driver.KindFloat64:
		v = FloatValue(x.GetFloat64())
	case test_driver.KindString:
		v = StringValue(x.GetString())
		if cs := x.Type.GetCharset(); cs == "binary" {
			v.Binary = true
		}
	case test_driver.KindBytes:
		v = BytesValue([]byte(x.GetString()))
	case test_driver.KindMysqlDecimal:
		d, err := mydecimal.Parse([]byte(x.GetMysqlDecimal().String()))
		if err != nil {
			return nil, cp.errorf("decimal literal %s: %v", x.GetMysqlDecimal().String(), err)
		}
		v = DecimalValue(d)
	case test_driver.KindBinaryLiteral, test_driver.KindMysqlBit:
		b := []byte(x.GetBinaryLiteral())
		v = BytesValue(b)
		v.HasNum = true
		v.U = beUint(b)
	default:
		return nil, cp.unsupported("literal", fmt.Sprintf("literal of kind %d not supported", x.Kind()))
	}
	return &constNode{v: v}, nil
}

// isBooleanFlag is mysql.IsBooleanFlag (TRUE/FALSE literals).
const isBooleanFlag = 1 << 19

func beUint(b []byte) uint64 {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return u
}

func (cp *compiler) binary(x *ast.BinaryOperationExpr) (node, error) {
	l, err := cp.compile(x.L)
	if err != nil {
		return nil, err
	}
	r, err := cp.compile(x.R)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.LogicAnd:
		return &andNode{l: l, r: r}, nil
	case opcode.LogicOr:
		return &orNode{l: l, r: r}, nil
	}
	fn, ok := binaryOps[x.Op]
	if !ok {
		return nil, cp.unsupported("operator "+x.Op.String(), "")
	}
	return &callNode{name: x.Op.String(), fn: fn, args: []node{l, r}}, nil
}

func (cp *compiler) caseExpr(x *ast.CaseExpr) (node, error) {
	n := &caseNode{}
	var err error
	if x.Value != nil {
		if n.value, err = cp.compile(x.Value); err != nil {
			return nil, err
		}
	}
	for _, w := range x.WhenClauses {
		cond, err := cp.compile(w.Expr)
		if err != nil {
			return nil, err
		}
		res, err := cp.compile(w.Result)
		if err != nil {
			return nil, err
		}
		n.whens = append(n.whens, cond)
		n.thens = append(n.thens, res)
	}
	if x.ElseClause != nil {
		if n.elseNode, err = cp.compile(x.ElseClause); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// nonDeterministic are the functions TiDB refuses in generated columns
// (pkg/ddl/generated_column.go checkIllegalFn, expression.IllegalFunctions4GeneratedColumns).
var nonDeterministic = map[string]bool{
	"connection_id": true, "current_user": true, "database": true, "found_rows": true,
	"get_lock": true, "is_free_lock": true, "is_used_lock": true, "last_insert_id": true,
	"load_file": true, "master_pos_wait": true, "rand": true, "release_lock": true,
	"row_count": true, "schema": true, "session_user": true, "sleep": true, "sysdate": true,
	"system_user": true, "user": true, "uuid": true, "uuid_short": true, "values": true,
	"encrypt": true, "version": true, "benchmark": true, "release_all_locks": true,
	"current_role": true, "curdate": true, "current_date": true, "curtime": true,
	"current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
	"now": true, "utc_date": true, "utc_time": true, "utc_timestamp": true,
	"getvar": true, "setvar": true, "nextval": true, "lastval": true, "setval": true,
	"get_format": false,
}

func (cp *compiler) call(x *ast.FuncCallExpr) (node, error) {
	name := x.FnName.L
	if nonDeterministic[name] || (name == "unix_timestamp" && len(x.Args) == 0) {
		return nil, cp.unsupported(name, "non-deterministic functions are not allowed in generated columns (TiDB rejects them too)")
	}
	switch name {
	case "if":
		return cp.lazy(x, 3, 3, func(a []node) node { return &ifNode{cond: a[0], then: a[1], els: a[2]} })
	case "ifnull":
		return cp.lazy(x, 2, 2, func(a []node) node { return &coalesceNode{args: a} })
	case "coalesce":
		return cp.lazy(x, 1, -1, func(a []node) node { return &coalesceNode{args: a} })
	}
	def, ok := functions[name]
	if !ok {
		return nil, cp.unsupported(name, "")
	}
	args, err := cp.list(x.Args)
	if err != nil {
		return nil, err
	}
	if len(args) < def.min || (def.max >= 0 && len(args) > def.max) {
		return nil, cp.errorf("incorrect parameter count in the call to %s: %d", name, len(args))
	}
	if rule := argCountRules[name]; rule != nil && !rule(len(args)) {
		return nil, cp.errorf("incorrect parameter count in the call to %s: %d", name, len(args))
	}
	return &callNode{name: name, fn: def.fn, args: args}, nil
}

func (cp *compiler) lazy(x *ast.FuncCallExpr, min, max int, build func([]node) node) (node, error) {
	args, err := cp.list(x.Args)
	if err != nil {
		return nil, err
	}
	if len(args) < min || (max >= 0 && len(args) > max) {
		return nil, cp.errorf("incorrect parameter count in the call to %s: %d", x.FnName.L, len(args))
	}
	return build(args), nil
}

// funcDef is an eagerly evaluated function: every argument is evaluated,
// then fn gets their values.
type funcDef struct {
	min, max int // argument count bounds, max -1 for variadic
	fn       evalFn
}

type evalFn func(c *evalCtx, args []Value) (Value, error)

// argCountRules holds the argument-count rules beyond min/max (pairs of
// arguments), checked at Compile as TiDB checks them when it builds the
// function.
var argCountRules = map[string]func(n int) bool{}

// functions maps lower-case function names to their implementation;
// the tables are filled by the func_*.go files.
var functions = map[string]funcDef{}

func register(defs map[string]funcDef) {
	for k, v := range defs {
		functions[strings.ToLower(k)] = v
	}
}
