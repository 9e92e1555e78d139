package tablemodel

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// ErrDatabaseSchema: a {db}-schema-create.sql file holds no CREATE
// DATABASE statement that can be read, even leniently.
var ErrDatabaseSchema = errors.New("not a CREATE DATABASE statement")

// DatabaseSchemaSQL returns the text to create database db with, from its
// schema-create file. TiDB Lightning names the database after the file and
// needs nothing else from it (before v7 it ran `CREATE DATABASE IF NOT
// EXISTS db` whatever the file said), so the file is read leniently: text
// TiDB's parser accepts is kept as it is; otherwise the first CREATE
// {DATABASE|SCHEMA} statement is read token by token, with IF NOT EXISTS
// accepted before or after the name and only the charset and collation
// options kept, and rewritten as `CREATE DATABASE IF NOT EXISTS db ...`.
// An empty file (comments only) is fine: the server's defaults. A file
// with no CREATE DATABASE or CREATE SCHEMA statement that can be read, or
// with statements other than it and SET or USE, is refused with
// ErrDatabaseSchema.
func DatabaseSchemaSQL(db, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return text, nil
	}
	stmts, _, perr := parser.New().ParseSQL(text)
	if perr == nil {
		// Session settings around the CREATE are fine; any other
		// statement means this is not a schema-create file.
		for _, st := range stmts {
			switch st.(type) {
			case *ast.CreateDatabaseStmt, *ast.SetStmt, *ast.UseStmt:
			default:
				return "", fmt.Errorf("%w: it holds %s", ErrDatabaseSchema, clipText(st.Text()))
			}
		}
		return text, nil
	}
	for _, st := range splitStatements(sqlTokens(text)) {
		if len(st) < 2 || !st[0].is("CREATE") || !(st[1].is("DATABASE") || st[1].is("SCHEMA")) {
			continue
		}
		cs, co := createDatabaseOptions(st[2:])
		var b strings.Builder
		b.WriteString("CREATE DATABASE IF NOT EXISTS ")
		b.WriteString(quoteIdent(db))
		if cs != "" {
			b.WriteString(" DEFAULT CHARACTER SET ")
			b.WriteString(cs)
		}
		if co != "" {
			b.WriteString(" DEFAULT COLLATE ")
			b.WriteString(co)
		}
		out := b.String()
		// The rewrite must be what TiDB reads (an unknown charset name
		// stays an error, as the server would give).
		if _, _, err := parser.New().ParseSQL(out); err != nil {
			return "", fmt.Errorf("%w: %v", ErrDatabaseSchema, err)
		}
		return out, nil
	}
	return "", fmt.Errorf("%w: %v", ErrDatabaseSchema, perr)
}

func clipText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// createDatabaseOptions reads the charset and collation among the tokens
// after CREATE DATABASE: `[DEFAULT] {CHARACTER SET|CHARSET} [=] x` and
// `[DEFAULT] COLLATE [=] x`; IF NOT EXISTS, the name and other options are
// passed over.
func createDatabaseOptions(toks []sqlToken) (charset, collate string) {
	value := func(i int) (string, int) {
		if i < len(toks) && toks[i].text == "=" {
			i++
		}
		if i < len(toks) && (toks[i].kind == tokWord || toks[i].kind == tokString || toks[i].kind == tokQuoted) {
			return strings.ToLower(toks[i].text), i + 1
		}
		return "", i
	}
	for i := 0; i < len(toks); {
		switch {
		case toks[i].is("CHARSET"):
			charset, i = value(i + 1)
		case toks[i].is("CHARACTER") && i+1 < len(toks) && toks[i+1].is("SET"):
			charset, i = value(i + 2)
		case toks[i].is("COLLATE"):
			collate, i = value(i + 1)
		default:
			i++
		}
	}
	return charset, collate
}

type tokKind uint8

const (
	tokWord   tokKind = iota // a keyword or bare identifier
	tokQuoted                // a `quoted identifier`, unquoted
	tokString                // a 'string' or "string", unquoted
	tokPunct                 // one byte of punctuation
)

type sqlToken struct {
	kind tokKind
	text string
}

func (t sqlToken) is(word string) bool { return t.kind == tokWord && strings.EqualFold(t.text, word) }

// sqlTokens splits SQL text into tokens, leaving out comments and reading
// executable comments (/*!NNNNN ... */) as SQL, as MySQL does. An
// unterminated quote or comment ends the text.
func sqlTokens(s string) []sqlToken {
	var toks []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && strings.HasPrefix(s[i:], "/*!"):
			i += 3
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return toks
			}
			i += end + 4
		case c == '*' && strings.HasPrefix(s[i:], "*/"):
			i += 2 // the end of an executable comment
		case c == '#' || (c == '-' && strings.HasPrefix(s[i:], "--") && (i+2 == len(s) || s[i+2] <= ' ')):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				return toks
			}
			i += end + 1
		case c == '`' || c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' && c != '`' && j+1 < len(s) {
					j++
					b.WriteByte(s[j])
					continue
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return toks
			}
			kind := tokString
			if c == '`' {
				kind = tokQuoted
			}
			toks = append(toks, sqlToken{kind: kind, text: b.String()})
			i = j + 1
		case c == '_' || c == '$' || c == '@' || c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c|0x20 && c|0x20 <= 'z'):
			j := i
			for j < len(s) {
				d := s[j]
				if !(d == '_' || d == '$' || d == '@' || d == '.' || d >= 0x80 || ('0' <= d && d <= '9') || ('a' <= d|0x20 && d|0x20 <= 'z')) {
					break
				}
				j++
			}
			toks = append(toks, sqlToken{kind: tokWord, text: s[i:j]})
			i = j
		default:
			toks = append(toks, sqlToken{kind: tokPunct, text: s[i : i+1]})
			i++
		}
	}
	return toks
}

// splitStatements splits tokens at semicolons.
func splitStatements(toks []sqlToken) [][]sqlToken {
	var out [][]sqlToken
	start := 0
	for i, t := range toks {
		if t.kind == tokPunct && t.text == ";" {
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}
