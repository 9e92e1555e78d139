// Package literal holds a value as a source wrote it (NULL, DEFAULT, a number,
// a string, hex or bit bytes), before TiDB's rules convert it to a column's
// type: the meeting point of the readers (internal/source) and the conversions
// (internal/tidb/valueconv).
package literal

// FieldKind says how a value was written in the dump. Value conversion needs
// it: 0x41 and '0x41' are different values, and a CSV field never has a kind
// other than FieldString or FieldNull.
type FieldKind uint8

// The ways a value can be written.
const (
	FieldNull    FieldKind = iota // NULL (SQL) or the null marker (CSV)
	FieldString                   // a quoted string (escapes already resolved) or a CSV field
	FieldNumber                   // an unquoted number as written: -12, 3.5, 1e-3, .5
	FieldHex                      // 0x.. or X'..': Bytes holds the decoded bytes
	FieldBit                      // 0b.. or b'..': Bytes holds the decoded bytes, big-endian
	FieldBool                     // TRUE / FALSE: Bytes holds "1" or "0"
	FieldDefault                  // the DEFAULT keyword: the column default is used
)

// Field is one value of a row as the dump wrote it.
type Field struct {
	Kind FieldKind
	// Bytes is the value: the unescaped string, the number text, the decoded
	// hex/bit bytes. It may alias the reader's buffer: copy it to keep it
	// beyond the next read.
	Bytes []byte
	// Charset is a charset introducer in front of a string literal
	// (_binary, _utf8mb4, ...) or CONVERT(.. USING cs), lower case and
	// without the underscore ("binary", "utf8mb4"); empty when there is none.
	Charset string
}
