package tablemodel

import (
	"strings"
)

// spatialTypes are MySQL types TiDB does not have; its parser rejects them.
var spatialTypes = map[string]string{
	"GEOMETRY": "GEOMETRY", "POINT": "POINT", "LINESTRING": "LINESTRING", "POLYGON": "POLYGON",
	"MULTIPOINT": "MULTIPOINT", "MULTILINESTRING": "MULTILINESTRING", "MULTIPOLYGON": "MULTIPOLYGON",
	"GEOMETRYCOLLECTION": "GEOMETRYCOLLECTION", "GEOMCOLLECTION": "GEOMETRYCOLLECTION",
}

// rewriteSpatial rewrites the spatial parts of a CREATE TABLE so that
// TiDB's parser accepts it: a column of a spatial type becomes a LONGBLOB
// (its name is returned with the original type so the builder can mark it
// Unsupported and keep its position), `SRID n` attributes are blanked and
// `SPATIAL` before KEY/INDEX is blanked (the builder drops indexes over
// unsupported columns). Text inside quotes and ordinary comments is left
// alone; MySQL versioned comments (/*!50705 ... */) are scanned because the
// parser executes them, and so would MySQL 8 that wrote the dump.
func rewriteSpatial(sql string) (string, map[string]string) {
	var unsupported map[string]string
	b := []byte(sql)
	lastIdent := ""
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '\'' || c == '"':
			i = skipQuoted(b, i, c)
			lastIdent = ""
		case c == '`':
			j := skipQuoted(b, i, '`')
			lastIdent = strings.ReplaceAll(string(b[i+1:max(i+1, j-1)]), "``", "`")
			i = j
		case c == '-' && i+2 < len(b) && b[i+1] == '-' && (b[i+2] == ' ' || b[i+2] == '\t' || b[i+2] == '\n'),
			c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			if i+2 < len(b) && (b[i+2] == '!' || b[i+2] == 'T' && i+3 < len(b) && b[i+3] == '!') {
				// Executable comment: scan its body as SQL, skipping the
				// opener and version number.
				i += 3
				for i < len(b) && b[i] >= '0' && b[i] <= '9' {
					i++
				}
				continue
			}
			end := strings.Index(string(b[i+2:]), "*/")
			if end < 0 {
				i = len(b)
			} else {
				i += end + 4
			}
		case isIdentByte(c):
			j := i
			for j < len(b) && isIdentByte(b[j]) {
				j++
			}
			word := strings.ToUpper(string(b[i:j]))
			if tp, ok := spatialTypes[word]; ok && lastIdent != "" {
				if unsupported == nil {
					unsupported = map[string]string{}
				}
				unsupported[strings.ToLower(lastIdent)] = tp
				b = append(b[:i], append([]byte("LONGBLOB"), b[j:]...)...)
				j = i + len("LONGBLOB")
				lastIdent = ""
			} else if word == "SRID" {
				k := j
				for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r') {
					k++
				}
				for k < len(b) && b[k] >= '0' && b[k] <= '9' {
					k++
				}
				for x := i; x < k; x++ {
					b[x] = ' '
				}
				j = k
			} else if word == "SPATIAL" {
				for x := i; x < j; x++ {
					b[x] = ' '
				}
			} else {
				lastIdent = string(b[i:j])
			}
			i = j
		default:
			if c == ',' || c == '(' {
				lastIdent = ""
			}
			i++
		}
	}
	return string(b), unsupported
}

func skipQuoted(b []byte, i int, q byte) int {
	i++
	for i < len(b) {
		switch b[i] {
		case '\\':
			if q != '`' {
				i += 2
				continue
			}
		case q:
			if i+1 < len(b) && b[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return i
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
