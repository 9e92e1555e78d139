// Package sqlmode holds the SQL mode flags that change how dump values are
// converted (strictness, zero dates, escapes), parsed from MySQL's
// comma-separated sql_mode text.
package sqlmode

import (
	"fmt"
	"strings"
)

// Mode is a set of SQL mode flags.
type Mode uint32

// The flags that matter to an importer.
const (
	StrictTransTables Mode = 1 << iota
	StrictAllTables
	NoZeroInDate
	NoZeroDate
	AllowInvalidDates
	NoBackslashEscapes
	PadCharToFullLength
	ErrorForDivisionByZero
	RealAsFloat
	NoUnsignedSubtraction
	ANSIQuotes
)

var names = map[string]Mode{
	"STRICT_TRANS_TABLES":        StrictTransTables,
	"STRICT_ALL_TABLES":          StrictAllTables,
	"NO_ZERO_IN_DATE":            NoZeroInDate,
	"NO_ZERO_DATE":               NoZeroDate,
	"ALLOW_INVALID_DATES":        AllowInvalidDates,
	"NO_BACKSLASH_ESCAPES":       NoBackslashEscapes,
	"PAD_CHAR_TO_FULL_LENGTH":    PadCharToFullLength,
	"ERROR_FOR_DIVISION_BY_ZERO": ErrorForDivisionByZero,
	"REAL_AS_FLOAT":              RealAsFloat,
	"NO_UNSIGNED_SUBTRACTION":    NoUnsignedSubtraction,
	"ANSI_QUOTES":                ANSIQuotes,
}

// DefaultText is the sql_mode an import runs with unless told otherwise:
// TiDB Lightning's default [tidb] sql-mode
// (pkg/lightning/config: "ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER"), so a
// dump Lightning imports is imported with the same values. It is not
// strict: a value TiDB would adjust (clamp, truncate, zero) is stored
// adjusted with a warning instead of failing the row.
const DefaultText = "ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER"

// Default is DefaultText parsed: no flag that changes conversion.
const Default Mode = 0

// StrictAll is STRICT_TRANS_TABLES,STRICT_ALL_TABLES: out-of-range and
// malformed values are errors naming the column, zero dates accepted. It
// is what `--sql-mode STRICT_TRANS_TABLES` asks for, and what lightstream
// uses for values it converts outside an import (partition bounds, the
// generated columns of an export).
const StrictAll = StrictTransTables | StrictAllTables

// Strict reports whether bad values are errors rather than warnings.
func (m Mode) Strict() bool { return m&(StrictTransTables|StrictAllTables) != 0 }

// Has reports whether flag f is set.
func (m Mode) Has(f Mode) bool { return m&f != 0 }

// Parse reads a comma-separated sql_mode. Flags that do not change import
// semantics (ONLY_FULL_GROUP_BY, NO_ENGINE_SUBSTITUTION, ...) are accepted
// and ignored; unknown words are an error.
func Parse(s string) (Mode, error) {
	var m Mode
	for _, w := range strings.Split(s, ",") {
		w = strings.ToUpper(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if f, ok := names[w]; ok {
			m |= f
			continue
		}
		switch w {
		case "TRADITIONAL":
			m |= StrictTransTables | StrictAllTables | NoZeroInDate | NoZeroDate | ErrorForDivisionByZero
		case "ANSI":
			m |= RealAsFloat | ANSIQuotes
		case "ONLY_FULL_GROUP_BY", "NO_ENGINE_SUBSTITUTION", "NO_AUTO_CREATE_USER", "NO_AUTO_VALUE_ON_ZERO",
			"PIPES_AS_CONCAT", "IGNORE_SPACE", "HIGH_NOT_PRECEDENCE", "NO_DIR_IN_CREATE", "NO_FIELD_OPTIONS",
			"NO_KEY_OPTIONS", "NO_TABLE_OPTIONS", "MYSQL323", "MYSQL40", "DB2", "MAXDB", "MSSQL", "ORACLE", "POSTGRESQL":
		default:
			return 0, fmt.Errorf("sql mode %q: unknown flag %q", s, w)
		}
	}
	return m, nil
}
