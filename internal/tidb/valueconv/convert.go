package valueconv

import (
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// Session is what conversion needs from the importing session.
type Session struct {
	// Mode is the SQL mode (strictness, zero dates).
	Mode sqlmode.Mode
	// Loc is the session time zone TIMESTAMP values are read in (UTC if nil).
	Loc *time.Location
	// Now is the statement time DEFAULT CURRENT_TIMESTAMP uses.
	Now time.Time
	// Warn receives, in non-strict mode, each value that was adjusted
	// instead of rejected (a *ValueError naming the column), as TiDB
	// appends a warning to the statement. Nil drops them; in strict mode
	// those values are errors and Warn is never called.
	Warn func(col string, err error)
}

// Converter converts dump fields to the Datums of one table's columns. It
// keeps scratch buffers: use one per goroutine.
type Converter struct {
	t    *tablemodel.Table
	s    Session
	cols []colConv
	// key is scratch for collation keys (ENUM/SET matching).
	key []byte
}

type colConv struct {
	col *tablemodel.Column
	// coll compares ENUM/SET members (the column's collation).
	coll collate.Collator
	// memberKeys are the collation keys of the ENUM/SET members.
	memberKeys [][]byte

	// What plan decides once per column for each value (fastpath.go).
	fast fastKind
	// nullBad: NULL is refused (NOT NULL, neither AUTO_INCREMENT,
	// AUTO_RANDOM nor generated); unsupported: col.Unsupported is set.
	nullBad, unsupported bool
	unsigned             bool
	// trimChar: CHAR drops trailing spaces (no PAD_CHAR_TO_FULL_LENGTH).
	trimChar bool
	timeTp   mytime.Type
	fsp      int
	// lo, hi are an integer column's range.
	lo int64
	hi uint64
	// limit is the most bytes a string can have that the length rules
	// leave alone.
	limit int
}

// NewConverter prepares conversion for the columns of t.
func NewConverter(t *tablemodel.Table, s Session) (*Converter, error) {
	if s.Loc == nil {
		s.Loc = time.UTC
	}
	if s.Now.IsZero() {
		s.Now = time.Now()
	}
	c := &Converter{t: t, s: s, cols: make([]colConv, len(t.Columns))}
	for i, col := range t.Columns {
		if col.Offset != i {
			return nil, fmt.Errorf("table %s: column %s has offset %d at position %d", t.Name, col.Name, col.Offset, i)
		}
		cc := colConv{col: col}
		cc.plan(col, s.Mode)
		if col.Tp == mysql.TypeEnum || col.Tp == mysql.TypeSet {
			// Unknown collations fall back to utf8mb4_bin, as TiDB's
			// collate.GetCollator does.
			cc.coll, _ = collate.Get(col.Collate)
			for _, m := range col.Elems {
				cc.memberKeys = append(cc.memberKeys, cc.coll.Key(nil, []byte(m)))
			}
		}
		c.cols[i] = cc
	}
	return c, nil
}

// Table returns the table the converter was built for.
func (c *Converter) Table() *tablemodel.Table { return c.t }

// Convert casts field f to the type of the column at offset, into dst (whose
// byte buffer is reused). NULL into a NOT NULL column is an error in strict
// mode and the type's zero value with a warning otherwise (TiDB
// table.Column.HandleBadNull), except for AUTO_INCREMENT/AUTO_RANDOM columns
// whose NULL the row builder replaces.
func (c *Converter) Convert(offset int, f literal.Field, dst *datum.Datum) error {
	if offset < 0 || offset >= len(c.cols) {
		return fmt.Errorf("column offset %d out of range (table %s has %d columns)", offset, c.t.Name, len(c.cols))
	}
	return c.convert(&c.cols[offset], &f, dst)
}

func (c *Converter) convert(cc *colConv, f *literal.Field, dst *datum.Datum) error {
	if (f.Kind == literal.FieldString || f.Kind == literal.FieldNumber) && c.convertFast(cc, f.Bytes, f.Kind == literal.FieldString, dst) {
		return nil
	}
	return c.convertSlow(cc, f, dst)
}

// convertSlow is convert past the fast path: NULL, DEFAULT, then the
// general conversion.
func (c *Converter) convertSlow(cc *colConv, f *literal.Field, dst *datum.Datum) error {
	switch f.Kind {
	case literal.FieldDefault:
		return c.Default(cc.col.Offset, dst)
	case literal.FieldNull:
		setNull(dst)
		if cc.nullBad {
			if err := c.bad(valueErr(cc.col.Name, []byte("NULL"), ErrInvalidValue, "column cannot be null")); err != nil {
				return err
			}
			return c.zero(cc, dst)
		}
		return nil
	case literal.FieldBool:
		if c.convertFast(cc, f.Bytes, false, dst) {
			return nil
		}
	}
	return c.convertGeneral(cc, *f, dst)
}

// convertGeneral is Convert for a value other than NULL and DEFAULT that
// the column's fast path declined.
func (c *Converter) convertGeneral(cc *colConv, f literal.Field, dst *datum.Datum) error {
	col := cc.col
	if cc.unsupported {
		setNull(dst)
		return nil
	}
	switch col.Tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		return c.convertInt(col, f, dst)
	case mysql.TypeFloat, mysql.TypeDouble:
		return c.convertFloat(col, f, dst)
	case mysql.TypeNewDecimal:
		return c.convertDecimal(col, f, dst)
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp:
		return c.convertTime(col, f, dst)
	case mysql.TypeDuration:
		return c.convertDuration(col, f, dst)
	case mysql.TypeYear:
		return c.convertYear(col, f, dst)
	case mysql.TypeBit:
		return c.convertBit(col, f, dst)
	case mysql.TypeEnum:
		return c.convertEnum(cc, f, dst)
	case mysql.TypeSet:
		return c.convertSet(cc, f, dst)
	case mysql.TypeJSON:
		return c.convertJSON(col, f, dst)
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		return c.convertString(col, f, dst)
	}
	return valueErr(col.Name, f.Bytes, ErrUnsupported, "column type %d is not supported", col.Tp)
}

// bad handles a value TiDB's CastValue reports: in strict mode it is the
// error; otherwise it is handed to Session.Warn and the caller stores the
// adjusted value (types.Context.HandleTruncate).
func (c *Converter) bad(err error) error {
	if c.s.Mode.Strict() {
		return err
	}
	if c.s.Warn != nil {
		var ve *ValueError
		col := ""
		if errors.As(err, &ve) {
			col = ve.Column
		}
		c.s.Warn(col, err)
	}
	return nil
}

func setNull(dst *datum.Datum) { reset(dst, datum.Null) }

// reset prepares dst for a new value of kind k, keeping its buffer. Field
// by field: a composite literal is built on the stack a byte at a time
// and copied 16 bytes at a time, which stalls the store forwarding.
func reset(dst *datum.Datum, k datum.Kind) {
	dst.Kind, dst.Prec, dst.Frac = k, 0, 0
	dst.I, dst.U, dst.F = 0, 0, 0
	dst.B = dst.B[:0]
}

// convertJSON parses JSON text into TiDB binary JSON (types.Datum
// convertToMysqlJSON -> ParseBinaryJSONFromString). Lightning hands
// integers over as int64/uint64 datums and other numbers as strings, which
// give the same binary values as parsing their text.
func (c *Converter) convertJSON(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	reset(dst, datum.JSON)
	b, err := jsonbin.Parse(f.Bytes, dst.B[:0])
	if err != nil {
		// A bad JSON document is an error even in non-strict mode (TiDB
		// returns ErrInvalidJSONText, not a truncation).
		return wrapErr(col.Name, f.Bytes, ErrInvalidValue, err)
	}
	dst.B = b
	return nil
}
