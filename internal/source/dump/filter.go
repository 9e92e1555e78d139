package dump

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Filter selects tables with TiDB's table-filter syntax
// (pkg/util/table-filter): each rule is `db.table`, each part a wildcard
// pattern (* ? [a-z], `\` escapes a character) or a /regexp/, parts may
// be backquoted; a leading ! excludes. The last matching rule decides and
// a table no rule matches is excluded. Matching ignores case unless the
// filter was parsed case-sensitive, as Lightning's [mydumper]
// case-sensitive says. A Filter from ParseBWList applies a legacy
// [black-white-list] instead.
type Filter struct {
	rules         []filterRule
	caseSensitive bool
	bw            *bwFilter
}

type filterRule struct {
	negate    bool
	db, table matcher
}

type matcher struct {
	re      *regexp.Regexp
	pattern string // wildcard pattern for path.Match (lower-cased unless case-sensitive)
}

// match reports whether s matches; s is lower-cased already when the
// filter ignores case.
func (m matcher) match(s string) bool {
	if m.re != nil {
		return m.re.MatchString(s)
	}
	ok, _ := path.Match(m.pattern, s)
	return ok
}

// DefaultFilterRules are Lightning's default rules: everything but the
// system schemas.
var DefaultFilterRules = []string{"*.*", "!mysql.*", "!sys.*", "!INFORMATION_SCHEMA.*",
	"!PERFORMANCE_SCHEMA.*", "!METRICS_SCHEMA.*", "!INSPECTION_SCHEMA.*"}

// ParseFilter parses filter rules, matched without regard to case; no
// rules means DefaultFilterRules.
func ParseFilter(rules []string) (*Filter, error) {
	return ParseFilterCase(rules, false)
}

// ParseFilterCase is ParseFilter with Lightning's [mydumper]
// case-sensitive: true compares names and patterns exactly.
func ParseFilterCase(rules []string, caseSensitive bool) (*Filter, error) {
	if len(rules) == 0 {
		rules = DefaultFilterRules
	}
	f := &Filter{caseSensitive: caseSensitive}
	for _, r := range rules {
		rule, err := parseRule(r, !caseSensitive)
		if err != nil {
			return nil, fmt.Errorf("table filter %q: %w", r, err)
		}
		f.rules = append(f.rules, rule)
	}
	return f, nil
}

// Match reports whether table db.table is selected. A nil filter selects
// everything.
func (f *Filter) Match(db, table string) bool {
	if f == nil {
		return true
	}
	if f.bw != nil {
		return f.bw.match(db, table)
	}
	if !f.caseSensitive {
		db, table = strings.ToLower(db), strings.ToLower(table)
	}
	for i := len(f.rules) - 1; i >= 0; i-- {
		r := f.rules[i]
		if r.db.match(db) && r.table.match(table) {
			return !r.negate
		}
	}
	return false
}

func parseRule(s string, fold bool) (filterRule, error) {
	var r filterRule
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "!") {
		r.negate = true
		s = strings.TrimSpace(s[1:])
	}
	db, rest, err := parsePart(s, fold)
	if err != nil {
		return r, err
	}
	if !strings.HasPrefix(rest, ".") {
		return r, fmt.Errorf("expected '.' between the database and table patterns")
	}
	table, rest, err := parsePart(rest[1:], fold)
	if err != nil {
		return r, err
	}
	if strings.TrimSpace(rest) != "" {
		return r, fmt.Errorf("unexpected %q after the table pattern", rest)
	}
	r.db, r.table = db, table
	return r, nil
}

// parsePart reads one pattern and returns the rest of s; fold makes it
// match lower-cased names.
func parsePart(s string, fold bool) (matcher, string, error) {
	lower := func(s string) string {
		if fold {
			return strings.ToLower(s)
		}
		return s
	}
	switch {
	case strings.HasPrefix(s, "`"):
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '`' {
				if i+1 < len(s) && s[i+1] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				return matcher{pattern: escapeWildcards(lower(b.String()))}, s[i+1:], nil
			}
			b.WriteByte(s[i])
		}
		return matcher{}, "", fmt.Errorf("unterminated backquoted name")
	case strings.HasPrefix(s, "/"):
		end := strings.Index(s[1:], "/")
		if end < 0 {
			return matcher{}, "", fmt.Errorf("unterminated /regexp/")
		}
		expr := s[1 : 1+end]
		if fold {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return matcher{}, "", err
		}
		return matcher{re: re}, s[2+end:], nil
	}
	var b strings.Builder
	i := 0
	for ; i < len(s) && s[i] != '.'; i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			b.WriteByte('\\')
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(c)
	}
	p := lower(b.String())
	if p == "" {
		return matcher{}, "", fmt.Errorf("empty pattern")
	}
	if _, err := path.Match(p, ""); err != nil {
		return matcher{}, "", err
	}
	return matcher{pattern: p}, s[i:], nil
}

// escapeWildcards makes a literal name into a pattern matching only it.
func escapeWildcards(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
