package tidbcatalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SQL is what the catalog needs from a MySQL-protocol server. Statements
// that depend on session state (SET NAMES, SET sql_mode, USE) run on one
// Session; everything else may use any.
type SQL interface {
	// Session returns a connection whose session state lasts until its
	// Close.
	Session(ctx context.Context) (Session, error)
	// Close releases the server connections.
	Close() error
}

// Session is one server session.
type Session interface {
	// Exec runs a statement that returns no rows.
	Exec(ctx context.Context, query string) error
	// Query runs a statement and reads its whole result set (the
	// catalog's queries return a handful of rows).
	Query(ctx context.Context, query string) (*ResultSet, error)
	// Close returns the connection to the pool.
	Close() error
}

// ResultSet is a statement's result in text form, as the MySQL protocol
// sends it: a nil cell is NULL.
type ResultSet struct {
	Columns []string
	Rows    [][]*string
}

// Column returns the index of the column named name (case-insensitive), or
// -1: MySQL and TiDB agree on result column names only up to case.
func (r *ResultSet) Column(name string) int {
	for i, c := range r.Columns {
		if strings.EqualFold(c, name) {
			return i
		}
	}
	return -1
}

// Cell returns row's value of the named column; ok is false when the
// column is missing or the value NULL.
func (r *ResultSet) Cell(row int, name string) (v string, ok bool) {
	i := r.Column(name)
	if i < 0 || row >= len(r.Rows) || i >= len(r.Rows[row]) || r.Rows[row][i] == nil {
		return "", false
	}
	return *r.Rows[row][i], true
}

// DB is SQL over database/sql (the go-sql-driver/mysql driver).
type DB struct {
	db *sql.DB
}

// NewDB wraps an open database handle; Close closes it.
func NewDB(db *sql.DB) *DB { return &DB{db: db} }

// Session implements SQL.
func (d *DB) Session(ctx context.Context) (Session, error) {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return dbSession{c}, nil
}

// Close implements SQL.
func (d *DB) Close() error { return d.db.Close() }

type dbSession struct{ c *sql.Conn }

func (s dbSession) Exec(ctx context.Context, query string) error {
	_, err := s.c.ExecContext(ctx, query)
	return err
}

func (s dbSession) Query(ctx context.Context, query string) (*ResultSet, error) {
	rows, err := s.c.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	rs := &ResultSet{Columns: cols}
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		dst := make([]any, len(cols))
		for i := range raw {
			dst[i] = &raw[i]
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, b := range raw {
			if b != nil {
				s := string(b)
				row[i] = &s
			}
		}
		rs.Rows = append(rs.Rows, row)
	}
	return rs, rows.Err()
}

func (s dbSession) Close() error { return s.c.Close() }
