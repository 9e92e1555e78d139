package dump

import (
	"fmt"
	"path"
	"strings"
)

// Route maps source tables onto a target table, as Lightning's [[routes]]
// do (pkg/util/table-router), typically to merge the shards of a sharded
// database into one table. SchemaPattern and TablePattern are wildcard
// patterns (* ? [...]) matched without regard to case; an empty
// TablePattern makes a schema route, which renames the database and keeps
// table names. An empty TargetTable keeps the table's name.
type Route struct {
	SchemaPattern, TablePattern string
	TargetSchema, TargetTable   string
}

// ParseRoute reads the --route syntax: `schema_pattern.table_pattern=
// target_schema.target_table`, or `schema_pattern=target_schema` for a
// schema route.
func ParseRoute(s string) (Route, error) {
	src, dst, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(src) == "" || strings.TrimSpace(dst) == "" {
		return Route{}, fmt.Errorf("route %q: want schema_pattern.table_pattern=target_schema.target_table", s)
	}
	var r Route
	r.SchemaPattern, r.TablePattern, _ = strings.Cut(strings.TrimSpace(src), ".")
	r.TargetSchema, r.TargetTable, _ = strings.Cut(strings.TrimSpace(dst), ".")
	if r.TablePattern == "" && r.TargetTable != "" {
		return Route{}, fmt.Errorf("route %q: a schema route (no table pattern) cannot name a target table", s)
	}
	return r, r.validate()
}

func (r Route) validate() error {
	for _, p := range []string{r.SchemaPattern, r.TablePattern} {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("route pattern %q: %w", p, err)
		}
	}
	if r.SchemaPattern == "" || r.TargetSchema == "" {
		return fmt.Errorf("route %s.%s -> %s.%s: schema pattern and target schema are required", r.SchemaPattern, r.TablePattern, r.TargetSchema, r.TargetTable)
	}
	return nil
}

// Router applies routes. The first table route (one with a table pattern)
// that matches decides; otherwise the first schema route that matches the
// database renames it; otherwise names are kept. A nil Router keeps every
// name.
type Router struct {
	table, schema []Route
	caseSensitive bool
}

// NewRouter checks and compiles routes; no routes gives a nil Router.
func NewRouter(routes []Route) (*Router, error) {
	return NewRouterCase(routes, false)
}

// NewRouterCase is NewRouter with Lightning's [mydumper] case-sensitive:
// true matches the patterns exactly.
func NewRouterCase(routes []Route, caseSensitive bool) (*Router, error) {
	if len(routes) == 0 {
		return nil, nil
	}
	r := &Router{caseSensitive: caseSensitive}
	for _, rt := range routes {
		if err := rt.validate(); err != nil {
			return nil, err
		}
		if !caseSensitive {
			rt.SchemaPattern, rt.TablePattern = strings.ToLower(rt.SchemaPattern), strings.ToLower(rt.TablePattern)
		}
		if rt.TablePattern == "" {
			r.schema = append(r.schema, rt)
		} else {
			r.table = append(r.table, rt)
		}
	}
	return r, nil
}

func (r *Router) match(pattern, s string) bool {
	if !r.caseSensitive {
		s = strings.ToLower(s)
	}
	ok, _ := path.Match(pattern, s)
	return ok
}

// Route returns the target of table db.table.
func (r *Router) Route(db, table string) (string, string) {
	if r == nil {
		return db, table
	}
	for _, rt := range r.table {
		if r.match(rt.SchemaPattern, db) && r.match(rt.TablePattern, table) {
			if rt.TargetTable != "" {
				table = rt.TargetTable
			}
			return rt.TargetSchema, table
		}
	}
	return r.Schema(db), table
}

// Schema returns the target of database db (schema routes only).
func (r *Router) Schema(db string) string {
	if r == nil {
		return db
	}
	for _, rt := range r.schema {
		if r.match(rt.SchemaPattern, db) {
			return rt.TargetSchema
		}
	}
	return db
}
