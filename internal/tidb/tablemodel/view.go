package tablemodel

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// ErrViewSchema: a view's schema file holds no CREATE VIEW that TiDB's
// parser reads.
var ErrViewSchema = errors.New("invalid view schema")

// ErrViewCycle: views that depend on each other in a circle.
var ErrViewCycle = errors.New("views depend on each other in a cycle")

// View is a view of the dump, read from its {db}.{view}-schema-view.sql.
type View struct {
	DB, Name string
	// Statements are what TiDB Lightning runs for the file
	// (importer.createIfNotExistsStmt): every statement restored, the
	// CREATE VIEW and the DROP TABLE/VIEW naming db.view.
	Statements []string
	// Definition is the CREATE VIEW statement alone, naming db.view.
	Definition string
	// Refs are the tables and views its query reads, [db, name] (an
	// unqualified name is in the view's database).
	Refs [][2]string
}

// Key is db.name for ordering and lookups, lower case (MySQL compares
// table names so, as TiDB's lower_case_table_names=2 does).
func (v *View) Key() string { return viewKey(v.DB, v.Name) }

func viewKey(db, name string) string { return strings.ToLower(db) + "\x00" + strings.ToLower(name) }

// viewRestoreFlags are Lightning's for schema statements.
const viewRestoreFlags = format.DefaultRestoreFlags | format.RestoreTiDBSpecialComment | format.RestoreStringEscapeBackslash

// ParseView reads a view's schema file as TiDB Lightning does: the text
// must parse, and hold a CREATE VIEW.
func ParseView(db, name, text string) (*View, error) {
	stmts, _, err := parser.New().ParseSQL(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrViewSchema, err)
	}
	v := &View{DB: db, Name: name}
	for _, st := range stmts {
		switch n := st.(type) {
		case *ast.CreateViewStmt:
			if v.Definition != "" {
				return nil, fmt.Errorf("%w: more than one CREATE VIEW", ErrViewSchema)
			}
			n.ViewName.Schema = ast.NewCIStr(db)
			n.ViewName.Name = ast.NewCIStr(name)
			v.Refs = tableRefs(db, n.Select)
			def, err := restoreNode(n)
			if err != nil {
				return nil, err
			}
			v.Definition = def
		case *ast.DropTableStmt:
			// DROP TABLE IF EXISTS v; DROP VIEW IF EXISTS v: the
			// placeholder, or a view of an earlier run.
			for _, t := range n.Tables {
				t.Schema = ast.NewCIStr(db)
				t.Name = ast.NewCIStr(name)
			}
			n.IfExists = true
		}
		q, err := restoreNode(st)
		if err != nil {
			return nil, err
		}
		v.Statements = append(v.Statements, q)
	}
	if v.Definition == "" {
		return nil, fmt.Errorf("%w: no CREATE VIEW statement", ErrViewSchema)
	}
	return v, nil
}

func restoreNode(n ast.Node) (string, error) {
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(viewRestoreFlags, &b)); err != nil {
		return "", fmt.Errorf("%w: %v", ErrViewSchema, err)
	}
	return b.String(), nil
}

// tableRefs lists the tables a query names, CTEs left out.
func tableRefs(db string, n ast.Node) [][2]string {
	c := &refCollector{db: db, seen: map[string]bool{}, ctes: map[string]bool{}}
	n.Accept(c)
	return c.refs
}

type refCollector struct {
	db   string
	refs [][2]string
	seen map[string]bool
	ctes map[string]bool
}

func (c *refCollector) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.WithClause:
		for _, cte := range x.CTEs {
			c.ctes[strings.ToLower(cte.Name.O)] = true
		}
	case *ast.TableName:
		db := x.Schema.O
		if db == "" {
			if c.ctes[x.Name.L] {
				return n, false
			}
			db = c.db
		}
		if k := viewKey(db, x.Name.O); !c.seen[k] {
			c.seen[k] = true
			c.refs = append(c.refs, [2]string{db, x.Name.O})
		}
	}
	return n, false
}

func (c *refCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// OrderViews sorts views so that each comes after the views it reads
// (TiDB refuses a view over a view that does not exist yet); views that
// do not depend on each other keep their db.name order. A cycle is
// ErrViewCycle, naming the views in it.
func OrderViews(views []*View) ([]*View, error) {
	byKey := make(map[string]*View, len(views))
	for _, v := range views {
		byKey[v.Key()] = v
	}
	sorted := append([]*View(nil), views...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Key() < sorted[j].Key() })
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var out []*View
	var path []string
	var visit func(v *View) error
	visit = func(v *View) error {
		k := v.Key()
		switch state[k] {
		case done:
			return nil
		case visiting:
			i := 0
			for i < len(path) && path[i] != k {
				i++
			}
			names := make([]string, 0, len(path)-i+1)
			for _, p := range append(path[i:], k) {
				names = append(names, byKey[p].DB+"."+byKey[p].Name)
			}
			return fmt.Errorf("%w: %s", ErrViewCycle, strings.Join(names, " -> "))
		}
		state[k] = visiting
		path = append(path, k)
		for _, r := range v.Refs {
			if dep := byKey[viewKey(r[0], r[1])]; dep != nil && dep != v {
				if err := visit(dep); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		state[k] = done
		out = append(out, v)
		return nil
	}
	for _, v := range sorted {
		if err := visit(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
