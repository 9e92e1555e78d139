package dumpgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// ErrUnknownTable is returned for a --tables name the generator does not
// know.
var ErrUnknownTable = errors.New("unknown table")

// rowSource produces a table's rows in order; next fills r (already reset)
// with the next row's values.
type rowSource interface {
	next(r *row)
}

// tableDef is one table the generator can write.
type tableDef struct {
	name    string
	columns []string
	// create is the CREATE TABLE statement as TiDB's SHOW CREATE TABLE
	// prints it, which is what dumpling writes into the schema file.
	create string
	// avgRow is a rough size of one row in a dump in bytes, used only to
	// spread random keys over the expected number of rows.
	avgRow int64
	// newSource starts a row source; estRows is the expected row count.
	newSource func(rng *rand.Rand, estRows int64) rowSource
}

// TableNames lists the tables the generator knows, in the order they are
// written when several are chosen.
func TableNames() []string {
	names := make([]string, len(tableDefs))
	for i, t := range tableDefs {
		names[i] = t.name
	}
	return names
}

var tableDefs = []*tableDef{sbtestDef, orderlineDef, wideDef, textsDef, lineitemDef, ordersDef, partsuppDef}

// tableSets are names that stand for several tables.
var tableSets = map[string][]string{
	// tpch is the TPC-H-shaped dump: DECIMAL, DATE and CHAR-heavy tables
	// without primary keys.
	"tpch": {"lineitem", "orders", "partsupp"},
}

// expandTables replaces each set name in names by its tables.
func expandTables(names []string) []string {
	var out []string
	for _, n := range names {
		if set, ok := tableSets[n]; ok {
			out = append(out, set...)
			continue
		}
		out = append(out, n)
	}
	return out
}

func lookupTable(name string) (*tableDef, error) {
	for _, t := range tableDefs {
		if t.name == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownTable, name, strings.Join(TableNames(), ", "))
}

// tableTail closes a CREATE TABLE the way TiDB prints it with the default
// utf8mb4 charset and collation.
const tableTail = "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\n"
