package dump

import (
	"fmt"
	"regexp"
	"strings"
)

// BWList is Lightning's legacy [black-white-list] filter (MySQL's
// replication rules, pkg/util/table-filter compat.go): a table is imported
// when its database passes the database rules and the table passes the
// table rules. DoDBs, when given, is the list of databases to import;
// otherwise IgnoreDBs lists those to skip. DoTables, when given, is the
// list of tables to import; otherwise IgnoreTables lists those to skip.
// A name is a literal, a wildcard (* ? [a-z] [!a-z]) matching the whole
// name, or `~regexp` matching anywhere in it.
type BWList struct {
	DoDBs        []string
	IgnoreDBs    []string
	DoTables     []BWTable
	IgnoreTables []BWTable
}

// BWTable is one `{db-name = "...", tbl-name = "..."}` entry.
type BWTable struct {
	DB, Table string
}

// Empty reports whether no rule is set: Lightning then uses the filter.
func (b *BWList) Empty() bool {
	return b == nil || len(b.DoDBs)+len(b.IgnoreDBs)+len(b.DoTables)+len(b.IgnoreTables) == 0
}

type bwFilter struct {
	dbs      []legacyMatcher
	dbsDo    bool
	tables   [][2]legacyMatcher
	tablesDo bool
	foldCase bool
}

// legacyMatcher matches one name of a BWList rule.
type legacyMatcher struct {
	literal string
	re      *regexp.Regexp
}

func (m legacyMatcher) match(s string) bool {
	if m.re != nil {
		return m.re.MatchString(s)
	}
	return m.literal == s
}

var legacyWildcards = strings.NewReplacer(`\*`, ".*", `\?`, ".", `\[!`, "[^", `\[`, "[", `\]`, "]")

func parseLegacyPattern(p string, foldCase bool) (legacyMatcher, error) {
	if p == "" {
		return legacyMatcher{}, fmt.Errorf("pattern cannot be empty")
	}
	prefix := ""
	if foldCase {
		prefix = "(?i)"
	}
	var expr string
	switch {
	case p[0] == '~':
		// A regexp, not anchored (Lightning's regexpMatcher).
		expr = p[1:]
	case !strings.ContainsAny(p, "?*["):
		if foldCase {
			p = strings.ToLower(p)
		}
		return legacyMatcher{literal: p}, nil
	default:
		expr = "(?s)^" + legacyWildcards.Replace(regexp.QuoteMeta(p)) + "$"
	}
	re, err := regexp.Compile(prefix + expr)
	if err != nil {
		return legacyMatcher{}, fmt.Errorf("pattern %q: %w", p, err)
	}
	return legacyMatcher{re: re}, nil
}

// ParseBWList compiles a [black-white-list]; names compare without regard
// to case unless caseSensitive ([mydumper] case-sensitive).
func ParseBWList(b BWList, caseSensitive bool) (*Filter, error) {
	fold := !caseSensitive
	bf := &bwFilter{foldCase: fold}
	dbs := b.DoDBs
	bf.dbsDo = len(dbs) > 0
	if !bf.dbsDo {
		dbs = b.IgnoreDBs
	}
	for _, p := range dbs {
		m, err := parseLegacyPattern(p, fold)
		if err != nil {
			return nil, fmt.Errorf("black-white-list database %w", err)
		}
		bf.dbs = append(bf.dbs, m)
	}
	tables := b.DoTables
	bf.tablesDo = len(tables) > 0
	if !bf.tablesDo {
		tables = b.IgnoreTables
	}
	for _, t := range tables {
		dm, err := parseLegacyPattern(t.DB, fold)
		if err != nil {
			return nil, fmt.Errorf("black-white-list table db-name %w", err)
		}
		tm, err := parseLegacyPattern(t.Table, fold)
		if err != nil {
			return nil, fmt.Errorf("black-white-list table tbl-name %w", err)
		}
		bf.tables = append(bf.tables, [2]legacyMatcher{dm, tm})
	}
	return &Filter{bw: bf, caseSensitive: caseSensitive}, nil
}

func (f *bwFilter) match(db, table string) bool {
	if f.foldCase {
		db, table = strings.ToLower(db), strings.ToLower(table)
	}
	return f.matchDB(db) && f.matchTable(db, table)
}

func (f *bwFilter) matchDB(db string) bool {
	for _, m := range f.dbs {
		if m.match(db) {
			return f.dbsDo
		}
	}
	return !f.dbsDo
}

func (f *bwFilter) matchTable(db, table string) bool {
	for _, m := range f.tables {
		if m[0].match(db) && m[1].match(table) {
			return f.tablesDo
		}
	}
	return !f.tablesDo
}
