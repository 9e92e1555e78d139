package genexpr

import (
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// evalCtx is the state of one evaluation: the row, the session zone and
// an argument stack reused between rows.
type evalCtx struct {
	loc *time.Location
	// strict: truncations inside functions are errors (a strict SQL mode).
	strict bool
	row    []datum.Datum
	stack  []Value
}

type constNode struct{ v Value }

func (n *constNode) eval(*evalCtx) (Value, error) { return n.v, nil }

type colNode struct {
	off int
	col *tablemodel.Column
}

func (n *colNode) eval(c *evalCtx) (Value, error) {
	if n.off >= len(c.row) {
		return Null, nil
	}
	return columnValue(n.col, &c.row[n.off], c.loc), nil
}

// columnValue is a stored column value as an expression operand, typed as
// TiDB types a column reference: ENUM/SET are strings that are numbers in a
// numeric context, BIT a binary string with a numeric value, TIMESTAMP the
// wall time in the session zone.
func columnValue(col *tablemodel.Column, d *datum.Datum, loc *time.Location) Value {
	switch d.Kind {
	case datum.Null:
		return Null
	case datum.Int64:
		return IntValue(d.I)
	case datum.Uint64:
		return UintValue(d.U)
	case datum.Float32:
		return Value{Kind: KindFloat, F: d.F, Float32: true}
	case datum.Float64:
		return FloatValue(d.F)
	case datum.String:
		return Value{Kind: KindString, S: d.B, Coll: col.Collate}
	case datum.Bytes:
		return Value{Kind: KindString, S: d.B, Binary: true, Coll: "binary"}
	case datum.Decimal:
		dec, _, err := mydecimal.FromBin(d.B, int(d.Prec), int(d.Frac))
		if err != nil {
			return Null
		}
		return DecimalValue(dec)
	case datum.Time:
		t := mytime.Unpack(d.U)
		tp := mytime.Datetime
		switch col.Tp {
		case mysql.TypeDate:
			tp = mytime.Date
		case mysql.TypeTimestamp:
			tp = mytime.Timestamp
			t = mytime.FromUTC(t, loc)
		}
		return TimeValue(t, tp, int(d.Frac))
	case datum.Duration:
		return DurationValue(d.I, int(d.Frac))
	case datum.Enum:
		v := Value{Kind: KindString, Coll: col.Collate, HasNum: true, U: d.U}
		if d.U >= 1 && int(d.U) <= len(col.Elems) {
			v.S = []byte(col.Elems[d.U-1])
		}
		return v
	case datum.Set:
		var names []string
		for i, e := range col.Elems {
			if i < 64 && d.U&(1<<uint(i)) != 0 {
				names = append(names, e)
			}
		}
		return Value{Kind: KindString, S: []byte(strings.Join(names, ",")), Coll: col.Collate, HasNum: true, U: d.U}
	case datum.Bit:
		n := (col.Flen + 7) / 8
		if n <= 0 || n > 8 {
			n = 8
		}
		b := make([]byte, n)
		for i := n - 1; i >= 0; i-- {
			b[i] = byte(d.U >> (8 * uint(n-1-i)))
		}
		return Value{Kind: KindString, S: b, Binary: true, Coll: "binary", HasNum: true, U: d.U}
	case datum.JSON:
		return JSONValue(d.B)
	}
	return Null
}

// callNode evaluates its arguments, then its function.
type callNode struct {
	name string
	fn   evalFn
	args []node
}

func (n *callNode) eval(c *evalCtx) (Value, error) {
	base := len(c.stack)
	for range n.args {
		c.stack = append(c.stack, Null)
	}
	// args keeps pointing at this call's slots even if a nested call
	// grows the stack into a new array.
	args := c.stack[base : base+len(n.args)]
	for i, a := range n.args {
		v, err := a.eval(c)
		if err != nil {
			c.stack = c.stack[:base]
			return Null, err
		}
		args[i] = v
	}
	v, err := n.fn(c, args)
	c.stack = c.stack[:base]
	return v, err
}

// ifNode is IF(cond, then, else): only the chosen branch is evaluated.
type ifNode struct{ cond, then, els node }

func (n *ifNode) eval(c *evalCtx) (Value, error) {
	v, err := n.cond.eval(c)
	if err != nil {
		return Null, err
	}
	if t, null := truth(c, v); t && !null {
		return n.then.eval(c)
	}
	return n.els.eval(c)
}

// coalesceNode is COALESCE/IFNULL: the first non-NULL argument.
type coalesceNode struct{ args []node }

func (n *coalesceNode) eval(c *evalCtx) (Value, error) {
	for _, a := range n.args {
		v, err := a.eval(c)
		if err != nil || !v.IsNull() {
			return v, err
		}
	}
	return Null, nil
}

// caseNode is CASE [value] WHEN ... THEN ... [ELSE ...] END.
type caseNode struct {
	value    node
	whens    []node
	thens    []node
	elseNode node
}

func (n *caseNode) eval(c *evalCtx) (Value, error) {
	var subject Value
	if n.value != nil {
		v, err := n.value.eval(c)
		if err != nil {
			return Null, err
		}
		subject = v
	}
	for i, w := range n.whens {
		v, err := w.eval(c)
		if err != nil {
			return Null, err
		}
		var hit bool
		if n.value != nil {
			r, null := compareValues(subject, v)
			hit = !null && r == 0
		} else {
			t, null := truth(c, v)
			hit = t && !null
		}
		if hit {
			return n.thens[i].eval(c)
		}
	}
	if n.elseNode != nil {
		return n.elseNode.eval(c)
	}
	return Null, nil
}

// andNode is AND with MySQL's three-valued logic and short circuit.
type andNode struct{ l, r node }

func (n *andNode) eval(c *evalCtx) (Value, error) {
	a, err := n.l.eval(c)
	if err != nil {
		return Null, err
	}
	at, anull := truth(c, a)
	if !anull && !at {
		return boolValue(false), nil
	}
	b, err := n.r.eval(c)
	if err != nil {
		return Null, err
	}
	bt, bnull := truth(c, b)
	if !bnull && !bt {
		return boolValue(false), nil
	}
	if anull || bnull {
		return Null, nil
	}
	return boolValue(true), nil
}

// orNode is OR with MySQL's three-valued logic and short circuit.
type orNode struct{ l, r node }

func (n *orNode) eval(c *evalCtx) (Value, error) {
	a, err := n.l.eval(c)
	if err != nil {
		return Null, err
	}
	at, anull := truth(c, a)
	if !anull && at {
		return boolValue(true), nil
	}
	b, err := n.r.eval(c)
	if err != nil {
		return Null, err
	}
	bt, bnull := truth(c, b)
	if !bnull && bt {
		return boolValue(true), nil
	}
	if anull || bnull {
		return Null, nil
	}
	return boolValue(false), nil
}
