package jsonbin

import (
	"encoding/binary"
	"math"
)

// FromString returns the binary JSON string s.
func FromString(s string) []byte { return appendString([]byte{TypeString}, s) }

// FromInt64 returns the binary JSON integer v.
func FromInt64(v int64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{TypeInt64}, uint64(v))
}

// FromUint64 returns the binary JSON unsigned integer v.
func FromUint64(v uint64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{TypeUint64}, v)
}

// FromFloat64 returns the binary JSON double v.
func FromFloat64(v float64) []byte {
	return binary.LittleEndian.AppendUint64([]byte{TypeFloat64}, math.Float64bits(v))
}

// FromBool returns JSON true or false.
func FromBool(b bool) []byte {
	if b {
		return []byte{TypeLiteral, LiteralTrue}
	}
	return []byte{TypeLiteral, LiteralFalse}
}

// Null returns JSON null.
func Null() []byte { return []byte{TypeLiteral, LiteralNull} }

// Type returns JSON_TYPE(bin) as TiDB names it (pkg/types/json_binary.go
// Type): OBJECT, ARRAY, NULL, BOOLEAN, INTEGER, UNSIGNED INTEGER, DOUBLE,
// STRING, BLOB/BIT/... for opaque values, DATE, DATETIME, TIME.
func Type(bin []byte) string {
	if len(bin) < 2 && (len(bin) == 0 || bin[0] != TypeLiteral) {
		return ""
	}
	switch bin[0] {
	case TypeObject:
		return "OBJECT"
	case TypeArray:
		return "ARRAY"
	case TypeLiteral:
		if len(bin) < 2 {
			return ""
		}
		switch bin[1] {
		case LiteralNull:
			return "NULL"
		default:
			return "BOOLEAN"
		}
	case TypeInt64:
		return "INTEGER"
	case TypeUint64:
		return "UNSIGNED INTEGER"
	case TypeFloat64:
		return "DOUBLE"
	case TypeString:
		return "STRING"
	case TypeOpaque:
		// MySQL type codes of the opaque payload (mysql.TypeXxx).
		switch bin[1] {
		case 0xf9, 0xfa, 0xfb, 0xfc: // tiny/medium/long blob, blob
			return "BLOB"
		case 0x10: // bit
			return "BIT"
		case 0xfd, 0xfe, 0x0f: // var_string, string, varchar
			return "BLOB"
		default:
			return "OPAQUE"
		}
	case TypeDate:
		return "DATE"
	case TypeDatetime, TypeTimestamp:
		return "DATETIME"
	case TypeDuration:
		return "TIME"
	}
	return ""
}

// Length returns JSON_LENGTH(bin): element count of arrays and objects, 1
// for scalars.
func Length(bin []byte) (int, error) {
	v, err := split(bin)
	if err != nil {
		return 0, err
	}
	if v.typ != TypeArray && v.typ != TypeObject {
		return 1, nil
	}
	return v.count()
}

// Keys returns the keys of an object in stored (sorted) order; nil for
// other values.
func Keys(bin []byte) ([]string, error) {
	v, err := split(bin)
	if err != nil || v.typ != TypeObject {
		return nil, err
	}
	n, err := v.count()
	if err != nil {
		return nil, err
	}
	keys := make([]string, n)
	for i := range keys {
		k, err := v.key(i, n)
		if err != nil {
			return nil, err
		}
		keys[i] = string(k)
	}
	return keys, nil
}

// Unquote returns JSON_UNQUOTE of a JSON value: a string's contents, any
// other value's text form.
func Unquote(bin []byte) (string, error) {
	v, err := split(bin)
	if err != nil {
		return "", err
	}
	if v.typ == TypeString {
		l, n := binary.Uvarint(v.body)
		if n <= 0 || l > uint64(len(v.body)-n) {
			return "", corrupt("string length")
		}
		return string(v.body[n : n+int(l)]), nil
	}
	b, err := ToText(bin, nil)
	return string(b), err
}

// encode turns a decoded value back into a node for building arrays.
func (v value) toNode() node {
	n := node{typ: v.typ, depth: 1, body: v.body, raw: true}
	return n
}

// buildArray returns a binary JSON array of the given values.
func buildArray(vals []value) []byte {
	n := node{typ: TypeArray}
	for _, v := range vals {
		n.children = append(n.children, v.toNode())
	}
	return n.appendBody([]byte{TypeArray})
}
