package tablemodel

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// expressionIndexPrefix names the hidden column of an expression index
// part: _V$_{index}_{part} (pkg/ddl BuildHiddenColumnInfo).
const expressionIndexPrefix = "_V$"

// hiddenColumn adds the hidden column TiDB creates for part i of
// expression index ix: a virtual generated column computing the
// expression, with the type TiDB's expression type inference gives it,
// the next column ID, placed after every other column. The index then
// indexes that column.
//
// Type inference here covers the expressions real schemas index: string
// functions of a string (LOWER, UPPER, TRIM, LEFT, SUBSTRING ...), CAST
// to CHAR, BINARY, SIGNED, UNSIGNED, DATE, DATETIME, TIME, DECIMAL or
// DOUBLE, date parts (YEAR, MONTH, DAY ...), DATE(), and integer
// arithmetic; any other expression is ErrUnsupported, before any row.
func (b *builder) hiddenColumn(t *Table, indexName string, i int, e ast.ExprNode) (*Column, error) {
	if _, ok := e.(*ast.ColumnNameExpr); ok {
		// TiDB: ErrFunctionalIndexOnField.
		return nil, fmt.Errorf("index %s: an expression index part cannot be a bare column", indexName)
	}
	text, err := restore(e)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", indexName, err)
	}
	tp, err := b.inferType(t, e)
	if err != nil {
		return nil, fmt.Errorf("%w: index %s expression %s: %v", ErrUnsupported, indexName, text, err)
	}
	var maxID int64
	for _, c := range t.Columns {
		maxID = max(maxID, c.ID)
	}
	col := tp
	col.ID, col.Offset = maxID+1, len(t.Columns)
	col.Name = fmt.Sprintf("%s_%s_%d", expressionIndexPrefix, indexName, i)
	col.GeneratedExpr, col.Hidden = text, true
	col.HasDefault, col.DefaultIsNull = true, true
	switch col.Tp {
	case mysql.TypeDatetime, mysql.TypeDate, mysql.TypeTimestamp, mysql.TypeDuration:
		if col.Decimal < 0 {
			col.Decimal = 6 // types.MaxFsp, as TiDB fills an unspecified one
		}
	}
	t.Columns = append(t.Columns, col)
	return col, nil
}

// inferType is TiDB's result type of e, for the expressions hiddenColumn
// supports.
func (b *builder) inferType(t *Table, e ast.ExprNode) (*Column, error) {
	switch x := e.(type) {
	case *ast.ParenthesesExpr:
		return b.inferType(t, x.Expr)
	case *ast.SetCollationExpr:
		in, err := b.inferType(t, x.Expr)
		if err != nil {
			return nil, err
		}
		if !isStringType(in.Tp) || in.Collate == "binary" {
			return nil, fmt.Errorf("COLLATE on a non-string value")
		}
		info, err := charset.GetCollationByName(x.Collate)
		if err != nil {
			return nil, err
		}
		in.Charset, in.Collate = info.CharsetName, info.Name
		return in, nil
	case *ast.ColumnNameExpr:
		c := t.Column(x.Name.Name.O)
		if c == nil {
			return nil, fmt.Errorf("unknown column %s", x.Name.Name.O)
		}
		cp := *c
		cp.PrimaryKey, cp.AutoIncrement, cp.AutoRandom, cp.GeneratedExpr, cp.GeneratedStored = false, false, false, "", false
		cp.NotNull, cp.HasDefault, cp.Default, cp.DefaultIsNow, cp.DefaultIsExpr, cp.OnUpdateNow = false, false, "", false, false, false
		return &cp, nil
	case *ast.FuncCastExpr:
		return b.castType(x)
	case *ast.FuncCallExpr:
		return b.funcType(t, x)
	case *ast.BinaryOperationExpr:
		switch x.Op.String() {
		case "plus", "minus", "mul":
		default:
			return nil, fmt.Errorf("operator %s", x.Op)
		}
		l, err := b.inferType(t, x.L)
		if err != nil {
			return nil, err
		}
		r, err := b.inferType(t, x.R)
		if err != nil {
			return nil, err
		}
		if !IsIntegerType(l.Tp) || !IsIntegerType(r.Tp) {
			return nil, fmt.Errorf("arithmetic on non-integer operands")
		}
		return intType(l.Unsigned || r.Unsigned), nil
	}
	if v, ok := e.(ast.ValueExpr); ok {
		if _, isInt := v.GetValue().(int64); isInt {
			return intType(false), nil
		}
	}
	return nil, fmt.Errorf("its type cannot be inferred")
}

func intType(unsigned bool) *Column {
	return &Column{Tp: mysql.TypeLonglong, Flen: 20, Unsigned: unsigned, Charset: "binary", Collate: "binary"}
}

func (b *builder) castType(x *ast.FuncCastExpr) (*Column, error) {
	ft := x.Tp
	if ft.IsArray() {
		return nil, fmt.Errorf("multi-valued index (CAST ... ARRAY)")
	}
	c := &Column{Tp: ft.GetType(), Flen: ft.GetFlen(), Decimal: ft.GetDecimal(), Unsigned: mysql.HasUnsignedFlag(ft.GetFlag()), Charset: "binary", Collate: "binary"}
	switch ft.GetType() {
	case mysql.TypeVarString, mysql.TypeString, mysql.TypeVarchar:
		c.Tp = mysql.TypeVarchar
		if ft.GetCharset() == charset.CharsetBin {
			c.Charset, c.Collate = "binary", "binary"
		} else {
			// CAST AS CHAR takes character_set_connection and
			// collation_connection: utf8mb4 and TiDB's default utf8mb4_bin.
			c.Charset, c.Collate = "utf8mb4", "utf8mb4_bin"
			if cs := ft.GetCharset(); cs != "" && cs != "utf8mb4" {
				co, err := b.defaultCollation(cs)
				if err != nil {
					return nil, err
				}
				c.Charset, c.Collate = cs, co
			}
		}
		if c.Flen < 0 {
			return nil, fmt.Errorf("CAST AS CHAR without a length")
		}
	case mysql.TypeLonglong, mysql.TypeDate, mysql.TypeDatetime, mysql.TypeDuration, mysql.TypeNewDecimal, mysql.TypeDouble, mysql.TypeFloat, mysql.TypeYear:
	default:
		return nil, fmt.Errorf("CAST to %s", x.Tp)
	}
	return c, nil
}

func (b *builder) funcType(t *Table, x *ast.FuncCallExpr) (*Column, error) {
	arg := func() (*Column, error) {
		if len(x.Args) == 0 {
			return nil, fmt.Errorf("%s without arguments", x.FnName.O)
		}
		return b.inferType(t, x.Args[0])
	}
	switch x.FnName.L {
	case ast.Lower, ast.Lcase, ast.Upper, ast.Ucase, ast.Trim, ast.LTrim, ast.RTrim, ast.Reverse,
		ast.Left, ast.Right, ast.Substring, ast.Substr, ast.Mid:
		a, err := arg()
		if err != nil {
			return nil, err
		}
		if a.Tp != mysql.TypeVarchar && a.Tp != mysql.TypeString && a.Tp != mysql.TypeVarString {
			return nil, fmt.Errorf("%s of a %s value", x.FnName.O, typeName(a.Tp))
		}
		// The argument's length, charset and collation (TiDB's string
		// functions keep them); VARCHAR and TiDB's VAR_STRING encode alike.
		return &Column{Tp: mysql.TypeVarchar, Flen: a.Flen, Charset: a.Charset, Collate: a.Collate}, nil
	case ast.Year, ast.Month, ast.Day, ast.DayOfMonth, ast.DayOfWeek, ast.DayOfYear, ast.Hour, ast.Minute, ast.Second,
		ast.Quarter, ast.Weekday, ast.ToDays, ast.Length, ast.CharLength, ast.CharacterLength:
		if _, err := arg(); err != nil {
			return nil, err
		}
		return intType(false), nil
	case ast.CRC32:
		if _, err := arg(); err != nil {
			return nil, err
		}
		return intType(true), nil
	case ast.Abs:
		a, err := arg()
		if err != nil {
			return nil, err
		}
		if !IsIntegerType(a.Tp) {
			return nil, fmt.Errorf("ABS of a %s value", typeName(a.Tp))
		}
		return intType(a.Unsigned), nil
	case ast.Date:
		if _, err := arg(); err != nil {
			return nil, err
		}
		return &Column{Tp: mysql.TypeDate, Decimal: 0, Charset: "binary", Collate: "binary"}, nil
	case ast.Concat:
		return b.concatType(t, x)
	}
	if c, ok, err := b.moreFuncType(t, x); ok {
		return c, err
	}
	return nil, fmt.Errorf("function %s", x.FnName.O)
}

func typeName(tp byte) string { return types.TypeToStr(tp, "") }

// concatType is CONCAT's type: a string as long as its arguments
// together, in the collation of its string column arguments (string
// literals are coercible and yield; numbers have none), utf8mb4_bin when
// only literals and numbers are given, binary if any argument is binary.
// Column arguments of different collations are ErrUnsupported: TiDB's
// collation derivation between them is not modelled.
func (b *builder) concatType(t *Table, x *ast.FuncCallExpr) (*Column, error) {
	if len(x.Args) == 0 {
		return nil, fmt.Errorf("CONCAT without arguments")
	}
	out := &Column{Tp: mysql.TypeVarchar, Charset: "utf8mb4", Collate: "utf8mb4_bin"}
	coll := ""
	for _, a := range x.Args {
		if v, ok := a.(ast.ValueExpr); ok {
			switch val := v.GetValue().(type) {
			case string:
				out.Flen += len([]rune(val))
				continue
			case int64:
				out.Flen += len(fmt.Sprint(val))
				continue
			}
		}
		at, err := b.inferType(t, a)
		if err != nil {
			return nil, err
		}
		out.Flen += max(at.Flen, 0)
		if !isStringType(at.Tp) {
			continue // numbers and dates print in ASCII: no collation to derive
		}
		if at.Collate == "binary" {
			out.Charset, out.Collate = "binary", "binary"
			coll = "binary"
			continue
		}
		switch {
		case coll == "":
			coll = at.Collate
			out.Charset, out.Collate = at.Charset, at.Collate
		case coll == "binary":
		case coll != at.Collate:
			return nil, fmt.Errorf("CONCAT of columns in collations %s and %s", coll, at.Collate)
		}
	}
	return out, nil
}
