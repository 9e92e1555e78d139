package genexpr

import (
	"testing"
	"time"
)

// FuzzCompileEval: arbitrary expression text never panics at Compile or
// Eval; it compiles or fails with an error, and evaluates or fails with
// an error.
func FuzzCompileEval(f *testing.F) {
	for _, tc := range exprCases {
		f.Add(tc.expr)
	}
	for _, tc := range newFuncCases {
		f.Add(tc.expr)
	}
	for _, s := range []string{"", "(", "j->>'$[", "SUBSTRING(name, -99999999999)", "LPAD(name, 1e18, 'x')",
		"DATE_ADD(dt, INTERVAL '9999999999 1' DAY_HOUR)", "CAST(f AS DECIMAL(65,30))", "REPEAT('x', 1e10)",
		"JSON_EXTRACT(j, '$**.a')", "~bits << 63", "-u", "MAKEDATE(9999, 999999)", "STR_TO_DATE('', '%')",
		"JSON_SET(j, '$[0][0][0]', j)", "JSON_SEARCH(j, 'all', '%', NULL, '$**')", "REGEXP_REPLACE(name, '()', '\\\\0')",
		"CONV(u, -36, -2)", "SEC_TO_TIME(1e300)", "ADDTIME(tm, '838:59:59')", "CHAR(u USING gbk)", "AES_DECRYPT(vb, vb)"} {
		f.Add(s)
	}
	tbl := mustTable(f, exprTable)
	conv := newConverter(f, tbl, time.UTC)
	row := fillRow(f, conv, tbl, exprRow)
	f.Fuzz(func(t *testing.T, expr string) {
		x, err := CompileExpr(tbl, "fuzz", expr)
		if err != nil {
			return
		}
		v, err := x.Eval(row, time.UTC)
		if err == nil {
			_ = v.String()
		}
	})
}
