package dumpgen

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
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
	// tpch-sf1 is the same tables in the proportions of a TPC-H dump at
	// any scale factor (the SQL bytes of SF1's lineitem, orders and
	// partsupp: about 760, 172 and 119 MB), where one table is most of
	// the data, as in the dumps users import.
	"tpch-sf1": {"lineitem:760", "orders:172", "partsupp:119"},
}

// splitWeight splits a --tables entry "name" or "name:weight" (a number
// from 0.001 to 1e9: the table's share of the size is its weight over all
// weights, 1 when not given).
func splitWeight(entry string) (string, float64, error) {
	name, w, ok := strings.Cut(entry, ":")
	if !ok {
		return entry, 1, nil
	}
	name, w = strings.TrimSpace(name), strings.TrimSpace(w)
	if _, set := tableSets[name]; set {
		return "", 0, fmt.Errorf("table set %q takes no weight (weigh its tables: %s)", name, strings.Join(tableSets[name], ","))
	}
	f, err := strconv.ParseFloat(w, 64)
	if err != nil || !(f >= 1e-3) || f > 1e9 {
		return "", 0, fmt.Errorf("table %q: weight %q is not a number from 0.001 to 1e9", name, w)
	}
	return name, f, nil
}

// shares splits size between tables in proportion to weights (each
// counted in millionths, so equal weights split exactly as size/n, and a
// weight of 0.001 or more keeps three digits); the rounding remainder goes
// to the first tables, a byte each.
func shares(size int64, weights []float64) []int64 {
	units := make([]uint64, len(weights))
	var total uint64
	for i, w := range weights {
		units[i] = uint64(math.Round(w * 1e6))
		total += units[i]
	}
	out := make([]int64, len(weights))
	left := size
	for i, u := range units {
		hi, lo := bits.Mul64(uint64(size), u)
		q, _ := bits.Div64(hi, lo, total)
		out[i] = int64(q)
		left -= out[i]
	}
	for i := 0; left > 0; i = (i + 1) % len(out) {
		out[i]++
		left--
	}
	return out
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
