package dumpgen

// Format is the syntax of the generated data files.
type Format uint8

// The data file formats dumpling writes.
const (
	FormatSQL     Format = iota // multi-row INSERT statements
	FormatCSV                   // dumpling's default CSV dialect
	FormatParquet               // typed Parquet columns, as a Spark or DuckDB export writes them
)

func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatParquet:
		return "parquet"
	}
	return "sql"
}

func (f Format) ext() string {
	if f == FormatCSV {
		return ".csv"
	}
	return ".sql"
}

// The fixed texts of dumpling's output (dumpling/export/writer_util.go,
// dump.go): every SQL file starts with the SET NAMES comment, every INSERT
// with the prefix, and rows are separated by ",\n" and a statement ends
// with ";\n".
const (
	setNames       = "/*!40101 SET NAMES binary*/;\n"
	rowSeparator   = ",\n"
	statementEnd   = ";\n"
	csvTerminator  = "\r\n" // dumpling's --csv-line-terminator default
	csvNull        = `\N`   // dumpling's --csv-null-value default
	csvSeparator   = ','
	csvDelimiter   = '"'
	hexDigits      = "0123456789abcdef"
	statementLimit = 1000000 // dumpling's DefaultStatementSize (export/config.go), bytes
)

func insertPrefix(table string) string { return "INSERT INTO `" + table + "` VALUES\n" }

// csvHeader is the column-name line dumpling writes at the top of each CSV
// file: every name enclosed in the delimiter.
func csvHeader(cols []string) []byte {
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, csvSeparator)
		}
		b = append(b, csvDelimiter)
		b = append(b, c...)
		b = append(b, csvDelimiter)
	}
	return append(b, csvTerminator...)
}

// appendSQLTuple appends r as "(v1,v2,...)".
func appendSQLTuple(dst []byte, r *row) []byte {
	dst = append(dst, '(')
	for i, v := range r.vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		b := r.buf[v.start:v.end]
		switch v.kind {
		case kindNull:
			dst = append(dst, "NULL"...)
		case kindNumber:
			dst = append(dst, b...)
		case kindString:
			dst = append(dst, '\'')
			dst = appendSQLEscaped(dst, b)
			dst = append(dst, '\'')
		case kindBytes:
			dst = appendHexLiteral(dst, b)
		}
	}
	return append(dst, ')')
}

// appendSQLEscaped escapes as dumpling's escapeBackslashSQL
// (dumpling/export/sql_type.go): NUL, \n, \r, \, ', " and Ctrl-Z get a
// backslash escape, everything else is copied.
func appendSQLEscaped(dst, s []byte) []byte {
	last := 0
	for i, c := range s {
		if !sqlSpecial[c] {
			continue
		}
		var e byte
		switch c {
		case 0:
			e = '0'
		case '\n':
			e = 'n'
		case '\r':
			e = 'r'
		case '\\':
			e = '\\'
		case '\'':
			e = '\''
		case '"':
			e = '"'
		case 0x1a:
			e = 'Z'
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, '\\', e)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// appendHexLiteral writes b as x'..' in lower-case hex, dumpling's
// SQLTypeBytes form.
func appendHexLiteral(dst, b []byte) []byte {
	dst = append(dst, 'x', '\'')
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return append(dst, '\'')
}

// appendCSVRecord appends r as one CSV record without its terminator.
// Numbers are bare, NULL is \N, strings and binary values are enclosed in
// the delimiter and escaped (dumpling writes binary values raw in its
// default CSV dialect).
func appendCSVRecord(dst []byte, r *row) []byte {
	for i, v := range r.vals {
		if i > 0 {
			dst = append(dst, csvSeparator)
		}
		b := r.buf[v.start:v.end]
		switch v.kind {
		case kindNull:
			dst = append(dst, csvNull...)
		case kindNumber:
			dst = append(dst, b...)
		default:
			dst = append(dst, csvDelimiter)
			dst = appendCSVEscaped(dst, b)
			dst = append(dst, csvDelimiter)
		}
	}
	return dst
}

// appendCSVEscaped escapes as dumpling's escapeBackslashCSV
// (dumpling/export/sql_type.go): NUL, \r, \n, \ and the delimiter get a
// backslash escape.
func appendCSVEscaped(dst, s []byte) []byte {
	last := 0
	for i, c := range s {
		if !csvSpecial[c] {
			continue
		}
		var e byte
		switch c {
		case 0:
			e = '0'
		case '\r':
			e = 'r'
		case '\n':
			e = 'n'
		case '\\':
			e = '\\'
		case csvDelimiter:
			e = csvDelimiter
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, '\\', e)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// sqlSpecial and csvSpecial mark the bytes the escapers rewrite, so the
// common byte costs one table load.
var sqlSpecial, csvSpecial = func() (sql, csv [256]bool) {
	for _, c := range []byte{0, '\n', '\r', '\\', '\'', '"', 0x1a} {
		sql[c] = true
	}
	for _, c := range []byte{0, '\r', '\n', '\\', csvDelimiter} {
		csv[c] = true
	}
	return
}()
