// Package partition finds the partition of a row of a partitioned table,
// as TiDB does before writing it (pkg/table/tables/partition.go
// locatePartition): TiDB stores each partition as a physical table, so a
// row's record and index keys carry the ID of its partition.
//
// RANGE, RANGE COLUMNS, LIST, LIST COLUMNS, HASH and KEY are supported; the
// partitioning expressions and bounds are evaluated by genexpr, so an
// expression it cannot evaluate is an error when the table is compiled,
// before any row.
package partition

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/genexpr"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// ErrNoPartition is TiDB's "Table has no partition for value ..." (MySQL
// error 1526): the row fits no partition, and TiDB would refuse it.
var ErrNoPartition = errors.New("table has no partition for value")

// Locator finds the partition of a row. It is immutable and may be shared.
type Locator struct {
	p   *tablemodel.Partitioning
	loc *time.Location
	// expr is the RANGE, LIST or HASH expression; cols the RANGE COLUMNS
	// or LIST COLUMNS columns, as expressions.
	expr *genexpr.Expr
	cols []*genexpr.Expr
	// exprCol is the column offset when the expression is a bare integer
	// column (HASH(id), RANGE(id)): its datum is read directly. -1 if not.
	exprCol int
	// less[i] are partition i's LESS THAN bounds, one per column (nil
	// entry: MAXVALUE).
	less [][]*genexpr.Value
	// in[i] are partition i's VALUES IN tuples; deflt is the DEFAULT
	// partition's index, -1 if there is none.
	in    [][][]genexpr.Value
	deflt int
	// keyCols are the KEY partitioning columns.
	keyCols []keyColumn
	// conv converts COLUMNS bounds to their column's type (Compile only).
	conv *valueconv.Converter
}

// keyColumn is one column of KEY partitioning and the collation its
// values are hashed under.
type keyColumn struct {
	col  *tablemodel.Column
	coll collate.Collator
}

// Compile prepares the locator of t, nil for a table that is not
// partitioned. loc is the session time zone TIMESTAMP values are seen in.
func Compile(t *tablemodel.Table, loc *time.Location) (*Locator, error) {
	p := t.Partition
	if p == nil {
		return nil, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if len(p.Defs) == 0 {
		return nil, fmt.Errorf("table %s: partitioned table without partitions", t.Name)
	}
	l := &Locator{p: p, loc: loc, deflt: -1, exprCol: -1}
	var err error
	if p.Expr != "" {
		if l.expr, err = genexpr.CompileExpr(t, "partition expression", p.Expr); err != nil {
			return nil, err
		}
		for _, c := range t.Columns {
			if p.Expr == "`"+strings.ReplaceAll(c.Name, "`", "``")+"`" && tablemodel.IsIntegerType(c.Tp) {
				l.exprCol = c.Offset
			}
		}
	}
	for _, c := range p.Columns {
		x, err := genexpr.CompileExpr(t, "partitioning column", "`"+strings.ReplaceAll(c, "`", "``")+"`")
		if err != nil {
			return nil, err
		}
		l.cols = append(l.cols, x)
	}
	arity := max(len(l.cols), 1)
	switch p.Type {
	case tablemodel.PartitionRange:
		for _, d := range p.Defs {
			if len(d.LessThan) != arity {
				return nil, fmt.Errorf("table %s partition %s: %d LESS THAN values for %d columns", t.Name, d.Name, len(d.LessThan), arity)
			}
			bounds := make([]*genexpr.Value, arity)
			for j, s := range d.LessThan {
				if strings.EqualFold(s, "MAXVALUE") {
					continue
				}
				v, err := constant(t, d.Name, s, loc)
				if err == nil {
					v, err = l.asColumn(t, j, v)
				}
				if err != nil {
					return nil, fmt.Errorf("table %s partition %s: bound %s: %w", t.Name, d.Name, s, err)
				}
				bounds[j] = &v
			}
			l.less = append(l.less, bounds)
		}
	case tablemodel.PartitionList:
		for i, d := range p.Defs {
			if d.IsDefault() {
				l.deflt = i
				l.in = append(l.in, nil)
				continue
			}
			var tuples [][]genexpr.Value
			for _, tuple := range d.InValues {
				if len(tuple) != arity {
					return nil, fmt.Errorf("table %s partition %s: a VALUES IN tuple of %d values for %d columns", t.Name, d.Name, len(tuple), arity)
				}
				vals := make([]genexpr.Value, arity)
				for j, s := range tuple {
					v, err := constant(t, d.Name, s, loc)
					if err == nil {
						v, err = l.asColumn(t, j, v)
					}
					if err != nil {
						return nil, fmt.Errorf("table %s partition %s: value %s: %w", t.Name, d.Name, s, err)
					}
					vals[j] = v
				}
				tuples = append(tuples, vals)
			}
			l.in = append(l.in, tuples)
		}
	case tablemodel.PartitionHash:
		if l.expr == nil {
			return nil, fmt.Errorf("table %s: PARTITION BY HASH without an expression", t.Name)
		}
	case tablemodel.PartitionKey:
		l.cols = nil // hashed from the row's datums, not evaluated
		seen := map[int]bool{}
		for _, name := range p.Columns {
			c := t.Column(name)
			if c == nil {
				return nil, fmt.Errorf("table %s: KEY partitioning column %s: no such column", t.Name, name)
			}
			if seen[c.Offset] {
				continue // TiDB hashes a column listed twice once
			}
			seen[c.Offset] = true
			switch c.Tp {
			case mysql.TypeBit, mysql.TypeJSON:
				return nil, fmt.Errorf("table %s: KEY partitioning on %s column %s: %w", t.Name, types.TypeToStr(c.Tp, ""), c.Name, tablemodel.ErrUnsupported)
			}
			kc := keyColumn{col: c}
			// A string hashes as its collation key (Datum.ToHashKey); every
			// other value as its text under utf8mb4_bin, which only trims
			// trailing spaces (the text of a number or a date has none). A
			// TIMESTAMP's text is in the session time zone: TiDB locates
			// the partition before it converts the row to UTC.
			kc.coll, _ = collate.Get(c.Collate)
			l.keyCols = append(l.keyCols, kc)
		}
	default:
		return nil, fmt.Errorf("table %s: PARTITION BY %s: %w", t.Name, p.Type, tablemodel.ErrUnsupported)
	}
	l.conv = nil
	return l, nil
}

// asColumn converts a bound of RANGE COLUMNS or LIST COLUMNS to the type
// of partitioning column j, as TiDB does at DDL time (a BINARY(4) bound
// 'ab' is ab\0\0, a DATE bound '2020-1-1' the date), by the conversion
// dump values go through; then it compares with the rows' values. A
// bound of RANGE or LIST over an expression is left as it is.
func (l *Locator) asColumn(t *tablemodel.Table, j int, v genexpr.Value) (genexpr.Value, error) {
	if len(l.p.Columns) == 0 || v.IsNull() {
		return v, nil
	}
	col := t.Column(l.p.Columns[j])
	if l.conv == nil {
		var err error
		if l.conv, err = valueconv.NewConverter(t, valueconv.Session{Mode: sqlmode.StrictAll, Loc: l.loc}); err != nil {
			return v, err
		}
	}
	var f literal.Field
	switch {
	case v.Kind == genexpr.KindString && v.Binary:
		f = literal.Field{Kind: literal.FieldHex, Bytes: v.S}
	case v.Kind == genexpr.KindString || v.Kind == genexpr.KindTime || v.Kind == genexpr.KindDuration:
		f = literal.Field{Kind: literal.FieldString, Bytes: v.AppendText(nil)}
	default:
		f = literal.Field{Kind: literal.FieldNumber, Bytes: v.AppendText(nil)}
	}
	row := make([]datum.Datum, len(t.Columns))
	if err := l.conv.Convert(col.Offset, f, &row[col.Offset]); err != nil {
		return v, err
	}
	return l.cols[j].Eval(row, l.loc)
}

// constant evaluates a partition bound.
func constant(t *tablemodel.Table, part, text string, loc *time.Location) (genexpr.Value, error) {
	x, err := genexpr.CompileExpr(t, "partition "+part, text)
	if err != nil {
		return genexpr.Null, err
	}
	if len(x.Refs) > 0 {
		return genexpr.Null, fmt.Errorf("table %s partition %s: bound %s is not a constant", t.Name, part, text)
	}
	v, err := x.Eval(nil, loc)
	if err != nil {
		return genexpr.Null, fmt.Errorf("table %s partition %s: bound %s: %w", t.Name, part, text, err)
	}
	return v, nil
}

// Locate returns the index in Partitioning.Defs of the partition row
// (indexed by column offset, generated columns computed) belongs to.
func (l *Locator) Locate(row []datum.Datum) (int, error) {
	if l.p.Type == tablemodel.PartitionKey {
		return l.key(row), nil
	}
	var buf [4]genexpr.Value
	vals, err := l.values(row, buf[:0])
	if err != nil {
		return 0, err
	}
	switch l.p.Type {
	case tablemodel.PartitionRange:
		// The first partition whose bound is above the value; NULL is below
		// every value (MySQL: NULL goes to the lowest partition).
		for i, bounds := range l.less {
			if tupleLess(vals, bounds) {
				return i, nil
			}
		}
	case tablemodel.PartitionList:
		for i, tuples := range l.in {
			for _, tuple := range tuples {
				if tupleEqual(vals, tuple) {
					return i, nil
				}
			}
		}
		if l.deflt >= 0 {
			return l.deflt, nil
		}
	case tablemodel.PartitionHash:
		return l.hash(vals[0])
	}
	return 0, fmt.Errorf("%w %s", ErrNoPartition, describe(vals))
}

// values appends the partitioning values of row to dst.
func (l *Locator) values(row []datum.Datum, dst []genexpr.Value) ([]genexpr.Value, error) {
	if l.exprCol >= 0 {
		switch d := &row[l.exprCol]; d.Kind {
		case datum.Null:
			return append(dst, genexpr.Null), nil
		case datum.Int64:
			return append(dst, genexpr.IntValue(d.I)), nil
		case datum.Uint64:
			return append(dst, genexpr.UintValue(d.U)), nil
		}
	}
	if l.expr != nil {
		v, err := l.expr.Eval(row, l.loc)
		if err != nil {
			return nil, fmt.Errorf("partition expression %s: %w", l.p.Expr, err)
		}
		v, err = asInteger(v)
		if err != nil {
			return nil, fmt.Errorf("partition expression %s: %w", l.p.Expr, err)
		}
		return append(dst, v), nil
	}
	for i, x := range l.cols {
		v, err := x.Eval(row, l.loc)
		if err != nil {
			return nil, fmt.Errorf("partitioning column %s: %w", l.p.Columns[i], err)
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// key is KEY partitioning as TiDB does it (pkg/table/tables/partition.go
// ForKeyPruning.LocateKeyPartition), which is not MySQL's hash: the CRC-32
// (IEEE) of the columns' hash keys one after the other, a 0 byte for NULL,
// modulo the number of partitions.
func (l *Locator) key(row []datum.Datum) int {
	h := crc32.NewIEEE()
	var buf []byte
	for _, kc := range l.keyCols {
		d := &row[kc.col.Offset]
		buf = buf[:0]
		switch d.Kind {
		case datum.Null:
			buf = append(buf, 0)
		case datum.String, datum.Bytes:
			buf = kc.coll.Key(buf, d.B)
		case datum.Enum, datum.Set:
			// The member names, under the column's collation.
			buf = kc.coll.Key(buf, valueconv.FormatText(kc.col, d, l.loc, nil))
		default:
			buf = hashText(kc.col, d, l.loc, buf)
		}
		h.Write(buf)
	}
	return int(h.Sum32() % uint32(len(l.p.Defs)))
}

// asInteger is a partitioning expression's value as the integer TiDB
// evaluates it to (EvalInt): an integral DECIMAL or DOUBLE, such as
// FLOOR of a decimal (an integer expression in TiDB), is that integer.
// Anything else cannot be a partitioning value: TiDB's DDL refuses such
// expressions, and a row that yields one is an error.
func asInteger(v genexpr.Value) (genexpr.Value, error) {
	switch v.Kind {
	case genexpr.KindNull, genexpr.KindInt, genexpr.KindUint:
		return v, nil
	case genexpr.KindDecimal:
		if i, err := v.D.ToInt64(); err == nil && mydecimal.Compare(mydecimal.FromInt(i), v.D) == 0 {
			return genexpr.IntValue(i), nil
		}
	case genexpr.KindFloat:
		if v.F == math.Trunc(v.F) && v.F >= math.MinInt64 && v.F < math.MaxInt64 {
			return genexpr.IntValue(int64(v.F)), nil
		}
	}
	return v, fmt.Errorf("gave %s, not an integer", v)
}

// hashText is the text TiDB's Datum.ToString gives a number or a
// temporal: integers (YEAR too) in decimal, floats in the shortest form
// without an exponent (strconv 'f', -1), decimals, dates and times in
// their SQL text.
func hashText(col *tablemodel.Column, d *datum.Datum, loc *time.Location, dst []byte) []byte {
	switch d.Kind {
	case datum.Int64:
		return strconv.AppendInt(dst, d.I, 10)
	case datum.Uint64:
		return strconv.AppendUint(dst, d.U, 10)
	case datum.Float32:
		return strconv.AppendFloat(dst, d.F, 'f', -1, 32)
	case datum.Float64:
		return strconv.AppendFloat(dst, d.F, 'f', -1, 64)
	}
	return valueconv.FormatText(col, d, loc, dst)
}

// hash is HASH partitioning: the value modulo the number of partitions,
// its absolute value for a negative one; NULL goes to the first partition
// (pkg/table/tables/partition.go locateHashPartition). LINEAR HASH is
// the same: TiDB has no linear algorithm.
func (l *Locator) hash(v genexpr.Value) (int, error) {
	n := int64(len(l.p.Defs))
	switch v.Kind {
	case genexpr.KindNull:
		return 0, nil
	}
	i := v.I
	if v.Kind == genexpr.KindUint {
		i = int64(v.U) // TiDB takes the value as int64: above 2^63 it is negative
	}
	r := i % n
	if r < 0 {
		r = -r
	}
	return int(r), nil
}

// tupleLess reports vals < bounds, column by column as RANGE COLUMNS
// compares (nil bound: MAXVALUE, above everything; NULL below everything).
func tupleLess(vals []genexpr.Value, bounds []*genexpr.Value) bool {
	for i, v := range vals {
		b := bounds[i]
		if b == nil {
			return true
		}
		if v.IsNull() {
			return !b.IsNull()
		}
		c, null := genexpr.Compare(v, *b)
		if null {
			return false
		}
		if c != 0 {
			return c < 0
		}
	}
	return false
}

// tupleEqual reports whether vals equals a VALUES IN tuple; NULL equals
// NULL there (a partition listing NULL takes NULL values).
func tupleEqual(vals, tuple []genexpr.Value) bool {
	for i, v := range vals {
		w := tuple[i]
		if v.IsNull() || w.IsNull() {
			if v.IsNull() != w.IsNull() {
				return false
			}
			continue
		}
		if c, _ := genexpr.Compare(v, w); c != 0 {
			return false
		}
	}
	return true
}

func describe(vals []genexpr.Value) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		if v.IsNull() {
			s[i] = "NULL"
		} else {
			s[i] = v.String()
		}
	}
	return strings.Join(s, ", ")
}
