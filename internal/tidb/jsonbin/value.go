package jsonbin

import (
	"bytes"
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

// Contains reports JSON_CONTAINS(obj, target) as TiDB computes it
// (types.ContainsBinaryJSON): an object contains an object whose every
// key it has with a value containing that key's value; an array contains
// an array whose every element it contains, and any value one of its
// elements contains; a scalar contains only an equal scalar (numbers
// compare by value, 1 equals 1.0).
func Contains(obj, target []byte) (bool, error) {
	o, err := split(obj)
	if err != nil {
		return false, err
	}
	t, err := split(target)
	if err != nil {
		return false, err
	}
	return contains(o, t)
}

func contains(o, t value) (bool, error) {
	switch o.typ {
	case TypeObject:
		if t.typ != TypeObject {
			return false, nil
		}
		tn, err := t.count()
		if err != nil {
			return false, err
		}
		on, err := o.count()
		if err != nil {
			return false, err
		}
		for i := range tn {
			k, err := t.key(i, tn)
			if err != nil {
				return false, err
			}
			j, err := o.search(k, on)
			if err != nil || j < 0 {
				return false, err
			}
			ov, err := o.elem(j, on)
			if err != nil {
				return false, err
			}
			tv, err := t.elem(i, tn)
			if err != nil {
				return false, err
			}
			if ok, err := contains(ov, tv); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case TypeArray:
		if t.typ == TypeArray {
			tn, err := t.count()
			if err != nil {
				return false, err
			}
			for i := range tn {
				tv, err := t.elem(i, tn)
				if err != nil {
					return false, err
				}
				if ok, err := contains(o, tv); err != nil || !ok {
					return false, err
				}
			}
			return true, nil
		}
		on, err := o.count()
		if err != nil {
			return false, err
		}
		for i := range on {
			ov, err := o.elem(i, on)
			if err != nil {
				return false, err
			}
			if ok, err := contains(ov, t); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return scalarEqual(o, t), nil
}

// search finds key k in an object of n keys; -1 if absent. (A linear
// scan: it does not rely on the stored order of keys.)
func (v value) search(k []byte, n int) (int, error) {
	for i := range n {
		mk, err := v.key(i, n)
		if err != nil {
			return -1, err
		}
		if bytes.Equal(mk, k) {
			return i, nil
		}
	}
	return -1, nil
}

func scalarEqual(a, b value) bool {
	af, aNum := number(a)
	bf, bNum := number(b)
	switch {
	case !aNum && !bNum:
		return a.typ == b.typ && bytes.Equal(a.body, b.body)
	case !aNum || !bNum:
		return false
	case a.typ != TypeFloat64 && b.typ != TypeFloat64:
		// Integers compare exactly (float64 loses precision past 2^53).
		ai, au := integer(a)
		bi, bu := integer(b)
		if au != bu && (ai < 0 || bi < 0) {
			return false
		}
		return ai == bi
	}
	return af == bf
}

// integer is an int64 or uint64 value's bits and whether it is unsigned.
func integer(v value) (int64, bool) {
	return int64(binary.LittleEndian.Uint64(v.body)), v.typ == TypeUint64
}

// number is a numeric value as a float64 (exact for the integers JSON
// documents hold in practice).
func number(v value) (float64, bool) {
	switch {
	case v.typ == TypeInt64 && len(v.body) >= 8:
		return float64(int64(binary.LittleEndian.Uint64(v.body))), true
	case v.typ == TypeUint64 && len(v.body) >= 8:
		return float64(binary.LittleEndian.Uint64(v.body)), true
	case v.typ == TypeFloat64 && len(v.body) >= 8:
		return math.Float64frombits(binary.LittleEndian.Uint64(v.body)), true
	}
	return 0, false
}
