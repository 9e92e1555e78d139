package tablemodel

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// DatabaseDefaults reads the charset and collation of a CREATE DATABASE
// statement (empty text: server defaults).
func DatabaseDefaults(db, sql string) (DBDefaults, error) {
	d := DBDefaults{Name: db}
	if strings.TrimSpace(sql) == "" {
		return d, nil
	}
	stmts, _, err := parser.New().ParseSQL(sql)
	if err != nil {
		return d, fmt.Errorf("parse schema of database %s: %w", db, err)
	}
	return DatabaseDefaultsOf(db, stmts), nil
}

// DatabaseDefaultsOf reads the charset and collation of the CREATE
// DATABASE among stmts, already parsed (in the caller's SQL mode).
func DatabaseDefaultsOf(db string, stmts []ast.StmtNode) DBDefaults {
	d := DBDefaults{Name: db}
	for _, s := range stmts {
		cd, ok := s.(*ast.CreateDatabaseStmt)
		if !ok {
			continue
		}
		for _, o := range cd.Options {
			switch o.Tp {
			case ast.DatabaseOptionCharset:
				d.Charset = strings.ToLower(o.Value)
			case ast.DatabaseOptionCollate:
				d.Collate = strings.ToLower(o.Value)
			}
		}
	}
	return d
}
