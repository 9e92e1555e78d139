// Package datum holds Datum, the typed value every stage passes between the
// row readers, value conversion and the TiDB codec.
//
// A Datum is already in the form TiDB stores: a DECIMAL carries its
// MySQL binary form for the column's (precision, scale), a DATE/DATETIME/
// TIMESTAMP its packed uint64 (TIMESTAMP in UTC), a TIME its nanoseconds,
// an ENUM its 1-based index, a SET its bitmask, a BIT its unsigned value, a
// JSON value its TiDB binary form. The codec therefore never has to parse or
// round anything: it only lays bytes out.
package datum

// Kind says which field of a Datum holds the value.
type Kind uint8

// The kinds of value a column can hold.
const (
	Null     Kind = iota // SQL NULL
	Int64                // I: signed integers, YEAR
	Uint64               // U: unsigned integers
	Float32              // F: FLOAT, already rounded to float32 precision
	Float64              // F: DOUBLE
	String               // B: a non-binary string in the column's charset (utf8 bytes for utf8/utf8mb4)
	Bytes                // B: a binary string (BINARY/VARBINARY/BLOB)
	Decimal              // B: MySQL decimal binary for (Prec, Frac)
	Time                 // U: packed time (see SPEC §3.3), Frac = fsp; Tp says DATE/DATETIME/TIMESTAMP
	Duration             // I: nanoseconds, Frac = fsp
	Enum                 // U: 1-based member index (0 = the invalid empty value)
	Set                  // U: member bitmask
	Bit                  // U: the bits as an unsigned integer
	JSON                 // B: TiDB binary JSON: type code byte followed by the body
)

var kindNames = [...]string{"null", "int64", "uint64", "float32", "float64", "string", "bytes", "decimal", "time", "duration", "enum", "set", "bit", "json"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Datum is one typed value. The zero Datum is NULL.
type Datum struct {
	Kind Kind
	// Prec is the decimal precision (Decimal only).
	Prec uint8
	// Frac is the decimal scale (Decimal) or the fractional-second
	// precision (Time, Duration).
	Frac int8
	I    int64
	U    uint64
	F    float64
	B    []byte
}

// IsNull reports whether d is SQL NULL.
func (d *Datum) IsNull() bool { return d.Kind == Null }

// NewInt returns a signed integer datum.
func NewInt(v int64) Datum { return Datum{Kind: Int64, I: v} }

// NewUint returns an unsigned integer datum.
func NewUint(v uint64) Datum { return Datum{Kind: Uint64, U: v} }

// NewString returns a non-binary string datum.
func NewString(b []byte) Datum { return Datum{Kind: String, B: b} }

// NewBytes returns a binary string datum.
func NewBytes(b []byte) Datum { return Datum{Kind: Bytes, B: b} }
