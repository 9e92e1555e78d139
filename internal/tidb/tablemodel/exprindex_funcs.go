package tablemodel

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// moreFuncType types the functions added to genexpr for issue 16 the way
// TiDB's function classes set their result FieldType (pkg/expression:
// builtin_miscellaneous.go, builtin_math.go, builtin_string.go,
// builtin_time.go, builtin_regexp.go, builtin_encryption.go). TiDB only
// builds expression indexes on them with experimental
// allow-expression-index (they are not in
// tidb_allow_function_for_expression_index), as for CAST and arithmetic.
// ok is false for a function this file does not know.
func (b *builder) moreFuncType(t *Table, x *ast.FuncCallExpr) (c *Column, ok bool, err error) {
	argType := func(i int) (*Column, error) {
		if len(x.Args) <= i {
			return nil, fmt.Errorf("%s with %d arguments", x.FnName.O, len(x.Args))
		}
		return b.inferType(t, x.Args[i])
	}
	// connection is a string result in the connection's charset and
	// collation: utf8mb4 and TiDB's default utf8mb4_bin.
	connection := func(flen int) *Column {
		return &Column{Tp: mysql.TypeVarchar, Flen: flen, Charset: "utf8mb4", Collate: "utf8mb4_bin"}
	}
	varbinary := func(flen int) *Column {
		return &Column{Tp: mysql.TypeVarchar, Flen: flen, Charset: "binary", Collate: "binary"}
	}
	// stringOf is a string result derived from argument 0's collation.
	stringOf := func(flen int, a *Column) *Column {
		if isStringType(a.Tp) {
			return &Column{Tp: mysql.TypeVarchar, Flen: flen, Charset: a.Charset, Collate: a.Collate}
		}
		return connection(flen)
	}
	switch x.FnName.L {
	case ast.InetAton:
		if _, err := argType(0); err != nil {
			return nil, true, err
		}
		// inetAtonFunctionClass: flen 21, UnsignedFlag.
		c := intType(true)
		c.Flen = 21
		return c, true, nil
	case ast.InetNtoa:
		_, err := argType(0)
		return connection(93), true, err
	case ast.Inet6Aton:
		_, err := argType(0)
		return varbinary(16), true, err
	case ast.Inet6Ntoa:
		_, err := argType(0)
		return connection(117), true, err
	case ast.IsIPv4, ast.IsIPv6, ast.RegexpInStr:
		if _, err := argType(0); err != nil {
			return nil, true, err
		}
		c := intType(false)
		if x.FnName.L != ast.RegexpInStr {
			c.Flen = 1
		} else {
			c.Flen = 20 // mysql.MaxIntWidth
		}
		return c, true, nil
	case ast.Conv:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		return stringOf(64, a), true, nil
	case ast.Quote:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		if !isStringType(a.Tp) || a.Flen < 0 {
			return nil, true, fmt.Errorf("QUOTE of a %s value", typeName(a.Tp))
		}
		return stringOf(min(2*a.Flen+2, mysql.MaxBlobWidth), a), true, nil
	case ast.RegexpSubstr, ast.RegexpReplace:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		if !isStringType(a.Tp) || a.Collate == "binary" {
			return nil, true, fmt.Errorf("%s of a %s value", x.FnName.O, typeName(a.Tp))
		}
		return stringOf(a.Flen, a), true, nil
	case ast.AesEncrypt, ast.AesDecrypt:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		if a.Flen < 0 {
			return nil, true, fmt.Errorf("%s of a value without a length", x.FnName.O)
		}
		if x.FnName.L == ast.AesEncrypt {
			// At most one more block: 16 * (flen/16 + 1).
			return varbinary(16 * (a.Flen/16 + 1)), true, nil
		}
		return varbinary(a.Flen), true, nil
	case ast.SecToTime:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		// The argument's decimals as fsp: 0 for integers, the scale of a
		// DECIMAL, 6 for strings and doubles.
		fsp := 6
		switch {
		case IsIntegerType(a.Tp):
			fsp = 0
		case a.Tp == mysql.TypeNewDecimal && a.Decimal >= 0:
			fsp = min(a.Decimal, 6)
		}
		return &Column{Tp: mysql.TypeDuration, Decimal: fsp, Charset: "binary", Collate: "binary"}, true, nil
	case ast.AddTime:
		a, err := argType(0)
		if err != nil {
			return nil, true, err
		}
		d, err := b.addendFsp(t, x)
		if err != nil {
			return nil, true, err
		}
		switch a.Tp {
		case mysql.TypeDatetime, mysql.TypeTimestamp:
			return &Column{Tp: mysql.TypeDatetime, Decimal: min(max(a.Decimal, d), 6), Charset: "binary", Collate: "binary"}, true, nil
		case mysql.TypeDuration:
			return &Column{Tp: mysql.TypeDuration, Decimal: min(max(a.Decimal, d), 6), Charset: "binary", Collate: "binary"}, true, nil
		}
		return nil, true, fmt.Errorf("ADDTIME of a %s value (a string result)", typeName(a.Tp))
	}
	return nil, false, nil
}

// addendFsp is the fsp ADDTIME's second argument contributes
// (getExpressionFsp): a string constant's fraction digits, else the
// argument type's decimals.
func (b *builder) addendFsp(t *Table, x *ast.FuncCallExpr) (int, error) {
	if len(x.Args) != 2 {
		return 0, fmt.Errorf("ADDTIME with %d arguments", len(x.Args))
	}
	if v, ok := x.Args[1].(ast.ValueExpr); ok {
		if s, ok := v.GetValue().(string); ok {
			n := 0
			for i := len(s) - 1; i >= 0 && s[i] != '.'; i-- {
				n++
			}
			if n == len(s) {
				return 0, nil
			}
			return min(n, 6), nil
		}
	}
	c, err := b.inferType(t, x.Args[1])
	if err != nil {
		return 0, err
	}
	return max(c.Decimal, 0), nil
}
