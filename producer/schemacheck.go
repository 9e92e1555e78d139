package producer

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// ErrSchemaFile marks a table schema file that cannot define its table.
var ErrSchemaFile = errors.New("bad schema file")

// reParserPosition finds the position TiDB's parser gives a syntax error.
var reParserPosition = regexp.MustCompile(`line \d+ column \d+`)

// reQuotedName finds the name an unknown charset or collation error quotes.
var reQuotedName = regexp.MustCompile(`'([^']+)'`)

// checkSchemaFile parses a table's schema file before anything is
// published, so that a syntax error, a truncated file, an unknown
// character set or collation is reported with the file's path and the
// line and column (the coordinator, which builds the table later, knows
// the text but not the file). A CREATE TABLE that names another table is
// imported under the file's table name, as Lightning does (it rewrites
// the statement's name to the file's, createIfNotExistsStmt), with a
// warning; a routed table's definition is renamed anyway.
func checkSchemaFile(log *slog.Logger, path string, sql []byte, table string, routed bool) error {
	name, err := tablemodel.CreateTableName(string(sql))
	if err != nil {
		return fmt.Errorf("schema file %s%s: %w: %w", path, errorPosition(sql, err), ErrSchemaFile, err)
	}
	if name == "" {
		return fmt.Errorf("schema file %s: no CREATE TABLE statement: %w", path, ErrSchemaFile)
	}
	if !routed && !strings.EqualFold(name, table) {
		log.Warn("schema file: CREATE TABLE names another table; the table is created under the file's name",
			"file", path, "create_table", name, "file_table", table)
	}
	return nil
}

// errorPosition is " (line L, column C)" for a parse error that names a
// charset or collation without a position (the parser's syntax errors
// carry theirs): where the name first appears in the text.
func errorPosition(sql []byte, err error) string {
	msg := err.Error()
	if reParserPosition.MatchString(msg) {
		return ""
	}
	m := reQuotedName.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	i := bytes.Index(bytes.ToLower(sql), bytes.ToLower([]byte(m[1])))
	if i < 0 {
		return ""
	}
	line := 1 + bytes.Count(sql[:i], []byte{'\n'})
	col := i - (bytes.LastIndexByte(sql[:i], '\n') + 1) + 1
	return fmt.Sprintf(" (line %d, column %d)", line, col)
}
