package tablemodel

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// CreateTableName parses a schema file's text as ParseCreateTable does
// (TiDB's parser, spatial types rewritten first) and returns the name the
// CREATE TABLE gives its table, "" when there is no CREATE TABLE. The
// parse error, if any, is the parser's: a syntax error carries its line
// and column, an unknown character set or collation names it.
func CreateTableName(sql string) (string, error) {
	text, _ := rewriteSpatial(sql)
	stmts, _, err := parser.New().ParseSQL(text)
	if err != nil {
		return "", fmt.Errorf("parse: %w", err)
	}
	for _, s := range stmts {
		if ct, ok := s.(*ast.CreateTableStmt); ok {
			return ct.Table.Name.O, nil
		}
	}
	return "", nil
}
