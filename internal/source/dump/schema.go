package dump

import (
	"bytes"
	"fmt"
	"strings"
)

// ColumnNames returns the column names of a CREATE TABLE statement in
// definition order. Executable comments (/*!NNNNN ... */) are read as SQL,
// so sakila's `/*!50705 location GEOMETRY */` column is listed: the data
// carries a value for it. It only needs to find the names, so it does not
// parse types; github.com/pingcap/tidb/pkg/parser cannot read GEOMETRY.
func ColumnNames(sql []byte) ([]string, error) {
	text := stripComments(sql)
	upper := strings.ToUpper(text)
	at := strings.Index(upper, "CREATE")
	if at < 0 {
		return nil, fmt.Errorf("no CREATE TABLE statement")
	}
	i := strings.IndexByte(text[at:], '(')
	if i < 0 {
		return nil, fmt.Errorf("CREATE TABLE without a column list")
	}
	body := text[at+i+1:]
	var cols []string
	for _, item := range splitTopLevel(body) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, quoted := firstToken(item)
		if !quoted {
			switch strings.ToUpper(name) {
			case "PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL", "CHECK", "PERIOD":
				continue
			}
		}
		if name != "" {
			cols = append(cols, name)
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("CREATE TABLE without columns")
	}
	return cols, nil
}

// stripComments removes comments and unwraps executable comments.
func stripComments(sql []byte) string {
	var b bytes.Buffer
	inExec := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == '\\' && c != '`' {
					j += 2
					continue
				}
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(sql) {
				j = len(sql) - 1
			}
			b.Write(sql[i : j+1])
			i = j
		case c == '/' && i+2 < len(sql) && sql[i+1] == '*' && sql[i+2] == '!':
			i += 3
			for i < len(sql) && sql[i] >= '0' && sql[i] <= '9' {
				i++
			}
			i--
			inExec++
			b.WriteByte(' ')
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := bytes.Index(sql[i+2:], []byte("*/"))
			if end < 0 {
				return b.String()
			}
			i += end + 3
			b.WriteByte(' ')
		case c == '*' && inExec > 0 && i+1 < len(sql) && sql[i+1] == '/':
			inExec--
			i++
			b.WriteByte(' ')
		case c == '#' || (c == '-' && i+2 < len(sql) && sql[i+1] == '-' && sql[i+2] <= ' '):
			end := bytes.IndexByte(sql[i:], '\n')
			if end < 0 {
				return b.String()
			}
			i += end
			b.WriteByte('\n')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitTopLevel splits a table body at commas outside parentheses and
// quotes, stopping at the closing parenthesis.
func splitTopLevel(s string) []string {
	var items []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			for j := i + 1; j < len(s); j++ {
				if s[j] == '\\' && c != '`' {
					j++
					continue
				}
				if s[j] == c {
					i = j
					break
				}
			}
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return append(items, s[start:i])
			}
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	return append(items, s[start:])
}

// firstToken returns the first identifier of a table element.
func firstToken(s string) (string, bool) {
	if strings.HasPrefix(s, "`") {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '`' {
				if i+1 < len(s) && s[i+1] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				break
			}
			b.WriteByte(s[i])
		}
		return b.String(), true
	}
	end := strings.IndexAny(s, " \t\r\n(")
	if end < 0 {
		end = len(s)
	}
	return s[:end], false
}
