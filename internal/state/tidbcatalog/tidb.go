// Package tidbcatalog holds the cluster catalog: TiDB creates the import's
// databases and tables from the dump's DDL, and its status API hands back
// each table's TableInfo, so that table, column and index IDs are TiDB's
// own. After ingest it verifies (ADMIN CHECKSUM TABLE), analyzes, and
// rebases the tables' ID allocators; during the import it keeps PD's
// balance schedulers paused. This is the work TiDB Lightning does in
// pkg/lightning/importer (tidb.go, table_import.go, checksum.go) and BR's
// pdutil (br/pkg/pdutil/pd.go).
//
// *TiDB implements coordinator.Catalog, coordinator.PostImporter and
// coordinator.SchedulerPauser without importing the coordinator.
package tidbcatalog

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrNoSchema: the dump has no CREATE TABLE for a table.
var ErrNoSchema = errors.New("the dump has no schema file")

// TiDB is the catalog of a TiDB cluster.
type TiDB struct {
	cfg  Config
	sql  SQL
	http *http.Client

	mu  sync.Mutex
	dbs map[string]bool // databases created by this process
}

// New returns a catalog that runs its statements through s (Open for a
// real server; a recorded fake in tests).
func New(cfg Config, s SQL) (*TiDB, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New("tidb catalog: no SQL connection")
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return &TiDB{cfg: cfg, sql: s, http: hc, dbs: map[string]bool{}}, nil
}

// Name implements coordinator.Catalog.
func (*TiDB) Name() string { return "tidb" }

// Session opens a plain session on the catalog's server (for checks and
// tools; the catalog's own DDL sessions carry the dump's settings).
func (c *TiDB) Session(ctx context.Context) (Session, error) { return c.sql.Session(ctx) }

// Close releases the server connections.
func (c *TiDB) Close() error { return c.sql.Close() }

// CreateTable implements coordinator.Catalog: it creates m's database
// and table in TiDB (IF NOT EXISTS, so a resumed import finds them) and
// loads the table's TableInfo. tableID is unused: TiDB assigns ids.
func (c *TiDB) CreateTable(ctx context.Context, m *lsv1.TableManifest, _ int64) (*tablemodel.Table, []string, error) {
	if strings.TrimSpace(m.SchemaSql) == "" {
		return nil, nil, fmt.Errorf("table %s.%s: %w (%s.%s-schema.sql)", m.Db, m.Table, ErrNoSchema, m.Db, m.Table)
	}
	s, err := c.session(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	if err := c.ensureDatabase(ctx, s, m.Db, m.DbSchemaSql); err != nil {
		return nil, nil, err
	}
	stmts, warns, err := c.tableDDL(m.Db, m.SchemaSql)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s.%s: %w", m.Db, m.Table, err)
	}
	for _, q := range stmts {
		if err := s.Exec(ctx, q); err != nil && !tableExists(err) {
			return nil, nil, fmt.Errorf("create table %s.%s: %s: %w", m.Db, m.Table, clip(q), err)
		}
	}
	t, err := c.TableInfo(ctx, m.Db, m.Table)
	if err != nil {
		return nil, nil, err
	}
	// The dump's file names are the import's names for the table (the
	// checkpoint and the topics use them).
	t.DB, t.Name = m.Db, m.Table
	return t, warns, nil
}

// session opens a session with the DDL settings: the dump's SQL mode, and
// no foreign key checks (tables are created in name order, a child may
// come before its parent; Lightning imports with the same setting).
func (c *TiDB) session(ctx context.Context) (Session, error) {
	s, err := c.sql.Session(ctx)
	if err != nil {
		return nil, fmt.Errorf("tidb catalog: %w", err)
	}
	for _, q := range []string{
		"SET SESSION sql_mode = " + quoteString(c.cfg.SQLMode),
		"SET SESSION foreign_key_checks = 0",
	} {
		if err := s.Exec(ctx, q); err != nil {
			s.Close()
			return nil, fmt.Errorf("tidb catalog: %s: %w", q, err)
		}
	}
	return s, nil
}

// ensureDatabase creates db once per process, from the dump's CREATE
// DATABASE when there is one (its charset and collation count).
func (c *TiDB) ensureDatabase(ctx context.Context, s Session, db, schemaSQL string) error {
	c.mu.Lock()
	done := c.dbs[db]
	c.mu.Unlock()
	if done {
		return nil
	}
	stmts, err := c.databaseDDL(db, schemaSQL)
	if err != nil {
		return fmt.Errorf("database %s: %w", db, err)
	}
	for _, q := range stmts {
		if err := s.Exec(ctx, q); err != nil {
			return fmt.Errorf("create database %s: %s: %w", db, clip(q), err)
		}
	}
	c.mu.Lock()
	c.dbs[db] = true
	c.mu.Unlock()
	return nil
}

// restoreFlags keep TiDB's special comments (/*T![clustered_index]
// CLUSTERED */, AUTO_RANDOM, SHARD_ROW_ID_BITS) in the text sent back:
// TiDB reads them, MySQL-protocol servers skip them as comments.
// Backslashes in strings are escaped so that ENUM members, defaults and
// comments keep them.
const restoreFlags = format.DefaultRestoreFlags | format.RestoreTiDBSpecialComment | format.RestoreStringEscapeBackslash

func (c *TiDB) parse(sqlText string) ([]ast.StmtNode, error) {
	p := parser.New()
	mode, err := mysql.GetSQLMode(c.cfg.SQLMode)
	if err != nil {
		return nil, fmt.Errorf("sql mode %q: %w", c.cfg.SQLMode, err)
	}
	p.SetSQLMode(mode)
	stmts, _, err := p.ParseSQL(sqlText)
	return stmts, err
}

// databaseDDL turns the dump's CREATE DATABASE into CREATE DATABASE IF NOT
// EXISTS for db (Lightning's createIfNotExistsStmt).
func (c *TiDB) databaseDDL(db, schemaSQL string) ([]string, error) {
	plain := []string{"CREATE DATABASE IF NOT EXISTS " + quoteName(db)}
	if strings.TrimSpace(schemaSQL) == "" {
		return plain, nil
	}
	stmts, err := c.parse(schemaSQL)
	if err != nil {
		// The server will judge the options; the name is what matters.
		c.cfg.Logger.Warn("cannot read the database's schema file; creating it with the server's defaults", "database", db, "err", err)
		return plain, nil
	}
	var out []string
	created := false
	for _, st := range stmts {
		if cd, ok := st.(*ast.CreateDatabaseStmt); ok {
			cd.IfNotExists = true
			cd.Name = ast.NewCIStr(db)
			created = true
		}
		q, err := restore(st)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	if !created {
		out = append(out, plain...)
	}
	return out, nil
}

// tableDDL turns the dump's schema file into the statements to run: SET
// statements as written, CREATE TABLE as CREATE TABLE IF NOT EXISTS
// `db`.`table` with foreign key references qualified by db. A file the
// parser cannot read is sent as it is after USE db (the server is the
// judge; TiDB's own parser is newer than ours).
func (c *TiDB) tableDDL(db, schemaSQL string) ([]string, []string, error) {
	stmts, err := c.parse(schemaSQL)
	if err != nil {
		return []string{"USE " + quoteName(db), schemaSQL},
			[]string{fmt.Sprintf("schema file sent to TiDB as written: %v", err)}, nil
	}
	var out []string
	created := false
	for _, st := range stmts {
		if ct, ok := st.(*ast.CreateTableStmt); ok {
			ct.IfNotExists = true
			ct.Table.Schema = ast.NewCIStr(db)
			for _, con := range ct.Constraints {
				if con.Refer != nil && con.Refer.Table != nil && con.Refer.Table.Schema.O == "" {
					con.Refer.Table.Schema = ast.NewCIStr(db)
				}
			}
			for _, col := range ct.Cols {
				for _, o := range col.Options {
					if o.Refer != nil && o.Refer.Table != nil && o.Refer.Table.Schema.O == "" {
						o.Refer.Table.Schema = ast.NewCIStr(db)
					}
				}
			}
			created = true
		}
		q, err := restore(st)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, q)
	}
	if !created {
		return nil, nil, errors.New("schema file has no CREATE TABLE")
	}
	return out, nil, nil
}

func restore(n ast.Node) (string, error) {
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(restoreFlags, &b)); err != nil {
		return "", fmt.Errorf("restore statement: %w", err)
	}
	return b.String(), nil
}

// quoteName quotes an identifier for MySQL: backticks, inner ones doubled.
func quoteName(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// tableName is `db`.`table`.
func tableName(db, table string) string { return quoteName(db) + "." + quoteName(table) }

// quoteString quotes a string literal; backslashes are doubled too, since
// the server may not run with NO_BACKSLASH_ESCAPES.
func quoteString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	return "'" + r.Replace(s) + "'"
}

// tableExists reports MySQL's ER_TABLE_EXISTS_ERROR (1050): a schema file
// sent as written has no IF NOT EXISTS, and a resumed import finds the
// table it created before.
func tableExists(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && me.Number == 1050
}

// clip shortens a statement for an error message.
func clip(q string) string {
	if len(q) > 200 {
		return q[:200] + "..."
	}
	return q
}
