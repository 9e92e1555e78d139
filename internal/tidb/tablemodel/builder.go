package tablemodel

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/format"

	// The test driver gives the parser its literal value expressions.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// ErrUnsupported is returned for table definitions lightstream cannot
// encode (expression indexes, CREATE TABLE ... LIKE/SELECT).
var ErrUnsupported = errors.New("unsupported table definition")

// ErrNoCreateTable is returned when the text holds no CREATE TABLE.
var ErrNoCreateTable = errors.New("no CREATE TABLE statement")

// DBDefaults are the database-level defaults a CREATE TABLE inherits.
type DBDefaults struct {
	Name    string
	Charset string
	Collate string
}

// ClusteredMode is tidb_enable_clustered_index: which primary keys without
// a CLUSTERED/NONCLUSTERED keyword become clustered.
type ClusteredMode uint8

// The values of tidb_enable_clustered_index (pkg/sessionctx/vardef).
const (
	// ClusteredOn clusters every primary key. It is TiDB's default for the
	// session variable (vardef.DefTiDBEnableClusteredIndex =
	// ClusteredIndexDefModeOn, newest master) and for clusters created by
	// TiDB >= 5.0.
	ClusteredOn ClusteredMode = iota
	// ClusteredIntOnly clusters only a single integer column primary key
	// (the behaviour of TiDB < 5.0 and of clusters upgraded from it).
	ClusteredIntOnly
	// ClusteredOff clusters nothing.
	ClusteredOff
)

// Options change how ParseCreateTableWithOptions builds a table.
type Options struct {
	// Clustered is the tidb_enable_clustered_index mode (default ON).
	Clustered ClusteredMode
	// NoForeignKeyIndexes disables the implicit index TiDB (>= 6.6 with
	// tidb_enable_foreign_key=ON, the default) adds for a foreign key that
	// no index covers (pkg/ddl create_table.go addIndexForForeignKey).
	NoForeignKeyIndexes bool
	// UTF8MB4Collation is default_collation_for_utf8mb4 (utf8mb4_bin).
	UTF8MB4Collation string
}

// ParseCreateTable builds the table TiDB's DDL would create from the
// CREATE TABLE in sql (other statements such as SET NAMES are skipped),
// with TiDB's default options. Warnings say what was dropped or ignored.
func ParseCreateTable(sql string, db DBDefaults, tableID int64) (*Table, []string, error) {
	return ParseCreateTableWithOptions(sql, db, tableID, Options{})
}

// ParseCreateTableWithOptions is ParseCreateTable with explicit options.
func ParseCreateTableWithOptions(sql string, db DBDefaults, tableID int64, opt Options) (*Table, []string, error) {
	if opt.UTF8MB4Collation == "" {
		opt.UTF8MB4Collation = "utf8mb4_bin"
	}
	text, unsupported := rewriteSpatial(sql)
	p := parser.New()
	stmts, _, err := p.ParseSQL(text)
	if err != nil {
		return nil, nil, fmt.Errorf("parse schema of %s: %w", db.Name, err)
	}
	var stmt *ast.CreateTableStmt
	for _, s := range stmts {
		if ct, ok := s.(*ast.CreateTableStmt); ok {
			if stmt != nil {
				return nil, nil, fmt.Errorf("schema of %s: more than one CREATE TABLE", db.Name)
			}
			stmt = ct
		}
	}
	if stmt == nil {
		return nil, nil, ErrNoCreateTable
	}
	b := &builder{opt: opt, db: db, unsupported: unsupported}
	t, err := b.build(stmt, tableID)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s.%s: %w", db.Name, stmt.Table.Name.O, err)
	}
	return t, b.warnings, nil
}

type builder struct {
	opt         Options
	db          DBDefaults
	unsupported map[string]string
	warnings    []string
}

func (b *builder) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func (b *builder) build(s *ast.CreateTableStmt, tableID int64) (*Table, error) {
	if s.ReferTable != nil || s.Select != nil {
		return nil, fmt.Errorf("%w: CREATE TABLE ... LIKE/SELECT", ErrUnsupported)
	}
	t := &Table{ID: tableID, DB: b.db.Name, Name: s.Table.Name.O, HandleOffset: -1}
	if s.Table.Schema.O != "" && t.DB == "" {
		t.DB = s.Table.Schema.O
	}
	// Table charset: table options, then database, then utf8mb4
	// (pkg/ddl BuildTableInfoWithStmt: GetCharsetAndCollateInTableOption +
	// ResolveCharsetCollation).
	var tcs, tco string
	for _, o := range s.Options {
		switch o.Tp {
		case ast.TableOptionCharset:
			tcs = strings.ToLower(o.StrValue)
		case ast.TableOptionCollate:
			tco = strings.ToLower(o.StrValue)
		}
	}
	var err error
	t.Charset, t.Collate, err = b.resolveCharset([][2]string{{tcs, tco}, {b.db.Charset, b.db.Collate}})
	if err != nil {
		return nil, err
	}

	// Columns get IDs 1..n in definition order; column-level PRIMARY KEY /
	// UNIQUE become constraints appended after the table-level ones
	// (pkg/ddl create_table.go buildColumnsAndConstraints).
	constraints := append([]*ast.Constraint(nil), s.Constraints...)
	for i, cd := range s.Cols {
		col, cts, err := b.column(cd, i, t)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", cd.Name.Name.O, err)
		}
		t.Columns = append(t.Columns, col)
		constraints = append(constraints, cts...)
	}
	for _, c := range constraints {
		if c.Tp == ast.ConstraintPrimaryKey {
			for _, k := range c.Keys {
				if k.Column != nil {
					if col := t.Column(k.Column.Name.O); col != nil {
						col.PrimaryKey, col.NotNull = true, true
					}
				}
			}
		}
	}
	if err := b.indexes(t, constraints); err != nil {
		return nil, err
	}
	if err := b.tableOptions(t, s); err != nil {
		return nil, err
	}
	if s.Partition != nil {
		if err := b.partitioning(t, s.Partition); err != nil {
			return nil, err
		}
	}
	b.globalIndexes(t)
	return t, nil
}

// resolveCharset picks the first charset/collation pair that names
// anything, filling the missing half from the other (pkg/ddl
// ResolveCharsetCollation); nothing at all means utf8mb4.
func (b *builder) resolveCharset(pairs [][2]string) (string, string, error) {
	for _, p := range pairs {
		cs, co := strings.ToLower(p[0]), strings.ToLower(p[1])
		if cs == "" && co == "" {
			continue
		}
		if co != "" {
			info, err := charset.GetCollationByName(co)
			if err != nil {
				return "", "", fmt.Errorf("collation %q: %w", co, err)
			}
			if cs == "" {
				cs = info.CharsetName
			}
			return cs, info.Name, nil
		}
		co, err := b.defaultCollation(cs)
		return cs, co, err
	}
	return "utf8mb4", b.opt.UTF8MB4Collation, nil
}

func (b *builder) defaultCollation(cs string) (string, error) {
	if cs == "utf8mb4" {
		return b.opt.UTF8MB4Collation, nil
	}
	co, err := charset.GetDefaultCollation(cs)
	if err != nil {
		return "", fmt.Errorf("charset %q: %w", cs, err)
	}
	return co, nil
}

func (b *builder) tableOptions(t *Table, s *ast.CreateTableStmt) error {
	for _, o := range s.Options {
		switch o.Tp {
		case ast.TableOptionAutoIncrement:
			t.AutoIncrementBase = int64(o.UintValue)
		case ast.TableOptionShardRowID:
			if o.UintValue > 0 && (t.PKIsHandle || t.IsCommonHandle) {
				// TiDB rejects it (ErrUnsupportedShardRowIDBits); the rows
				// have a real handle so the option cannot matter.
				b.warnf("SHARD_ROW_ID_BITS ignored on a table with a clustered primary key")
				continue
			}
			// vardef.MaxShardRowIDBits = 15.
			t.ShardRowIDBits = int(min(o.UintValue, 15))
		}
	}
	return nil
}

// RenameCreateTable rewrites the CREATE TABLE in a schema file to create
// table instead (in no explicit database), keeping the other statements:
// what a routed table's definition becomes (Lightning rewrites the source
// table's DDL the same way). TiDB's special comments are kept.
func RenameCreateTable(sql, table string) (string, error) {
	stmts, _, err := parser.New().ParseSQL(sql)
	if err != nil {
		return "", fmt.Errorf("rename table in schema: %w", err)
	}
	var b strings.Builder
	found := false
	for _, st := range stmts {
		if ct, ok := st.(*ast.CreateTableStmt); ok {
			ct.Table.Name, ct.Table.Schema = ast.NewCIStr(table), ast.NewCIStr("")
			found = true
		}
		if err := st.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags|format.RestoreTiDBSpecialComment|format.RestoreStringEscapeBackslash, &b)); err != nil {
			return "", fmt.Errorf("rename table in schema: %w", err)
		}
		b.WriteString(";\n")
	}
	if !found {
		return "", ErrNoCreateTable
	}
	return b.String(), nil
}
