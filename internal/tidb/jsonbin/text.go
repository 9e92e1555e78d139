package jsonbin

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// value is a decoded view of one binary JSON value: type code and body.
type value struct {
	typ  byte
	body []byte
}

func split(bin []byte) (value, error) {
	if len(bin) < 1 {
		return value{}, fmt.Errorf("empty value: %w", ErrCorrupt)
	}
	return value{typ: bin[0], body: bin[1:]}, nil
}

func corrupt(what string) error { return fmt.Errorf("%s: %w", what, ErrCorrupt) }

func (v value) count() (int, error) {
	if len(v.body) < headerSize {
		return 0, corrupt("container header")
	}
	n := int(binary.LittleEndian.Uint32(v.body))
	size := int(binary.LittleEndian.Uint32(v.body[4:]))
	entries := n * valEntrySize
	if v.typ == TypeObject {
		entries += n * keyEntrySize
	}
	if n < 0 || size > len(v.body) || size < headerSize || entries > size-headerSize {
		return 0, corrupt("container size")
	}
	return n, nil
}

func (v value) key(i, n int) ([]byte, error) {
	e := headerSize + i*keyEntrySize
	off := int(binary.LittleEndian.Uint32(v.body[e:]))
	l := int(binary.LittleEndian.Uint16(v.body[e+4:]))
	if off < 0 || off+l > len(v.body) {
		return nil, corrupt("object key")
	}
	return v.body[off : off+l], nil
}

// elem returns the i-th value of an array or object of n elements.
func (v value) elem(i, n int) (value, error) {
	e := headerSize + i*valEntrySize
	if v.typ == TypeObject {
		e += n * keyEntrySize
	}
	t := v.body[e]
	if t == TypeLiteral {
		return value{typ: t, body: v.body[e+1 : e+2]}, nil
	}
	off := int(binary.LittleEndian.Uint32(v.body[e+1:]))
	// Values always follow the entry tables, so a child is strictly smaller
	// than its parent: corrupt offsets cannot make a container contain itself.
	entriesEnd := headerSize + n*valEntrySize
	if v.typ == TypeObject {
		entriesEnd += n * keyEntrySize
	}
	if off < entriesEnd || off > len(v.body) {
		return value{}, corrupt("value offset")
	}
	rest := v.body[off:]
	size, err := bodySize(t, rest)
	if err != nil {
		return value{}, err
	}
	return value{typ: t, body: rest[:size]}, nil
}

// bodySize is the length of a body of type t at the start of b.
func bodySize(t byte, b []byte) (int, error) {
	need := 0
	switch t {
	case TypeLiteral:
		need = 1
	case TypeInt64, TypeUint64, TypeFloat64, TypeDate, TypeDatetime, TypeTimestamp:
		need = 8
	case TypeDuration:
		need = 12
	case TypeString:
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return 0, corrupt("string length")
		}
		need = n + int(l)
	case TypeOpaque:
		if len(b) < 1 {
			return 0, corrupt("opaque")
		}
		l, n := binary.Uvarint(b[1:])
		if n <= 0 || l > uint64(len(b)-1-n) {
			return 0, corrupt("opaque length")
		}
		need = 1 + n + int(l)
	case TypeArray, TypeObject:
		if len(b) < headerSize {
			return 0, corrupt("container header")
		}
		need = int(binary.LittleEndian.Uint32(b[4:]))
	default:
		return 0, corrupt(fmt.Sprintf("type code 0x%02x", t))
	}
	if need > len(b) || need < 0 {
		return 0, corrupt("truncated value")
	}
	return need, nil
}

// Validate checks that bin is a well-formed binary JSON value.
func Validate(bin []byte) error {
	v, err := split(bin)
	if err != nil {
		return err
	}
	size, err := bodySize(v.typ, v.body)
	if err != nil {
		return err
	}
	if size != len(v.body) {
		return corrupt("trailing bytes")
	}
	_, err = v.appendText(nil, 0)
	return err
}

// ToText appends MySQL's text form of bin to dst, exactly what TiDB's SELECT
// prints: ", " and ": " separators, keys in stored order, strings escaped
// as Go's encoder without HTML escaping (TiDB jsonMarshalStringTo), doubles
// per TiDB's marshalFloat64To.
func ToText(bin []byte, dst []byte) ([]byte, error) {
	v, err := split(bin)
	if err != nil {
		return dst, err
	}
	if _, err := bodySize(v.typ, v.body); err != nil {
		return dst, err
	}
	return v.appendText(dst, 0)
}

// String returns the text form of bin, or a placeholder for corrupt input.
func String(bin []byte) string {
	b, err := ToText(bin, nil)
	if err != nil {
		return "<corrupt JSON: " + err.Error() + ">"
	}
	return string(b)
}

func (v value) appendText(dst []byte, level int) ([]byte, error) {
	if level > MaxDepth+2 {
		return dst, corrupt("nesting")
	}
	switch v.typ {
	case TypeLiteral:
		switch v.body[0] {
		case LiteralNull:
			return append(dst, "null"...), nil
		case LiteralTrue:
			return append(dst, "true"...), nil
		case LiteralFalse:
			return append(dst, "false"...), nil
		}
		return dst, corrupt("literal")
	case TypeInt64:
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(v.body)), 10), nil
	case TypeUint64:
		return strconv.AppendUint(dst, binary.LittleEndian.Uint64(v.body), 10), nil
	case TypeFloat64:
		return appendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(v.body)))
	case TypeString:
		l, n := binary.Uvarint(v.body)
		return appendQuoted(dst, v.body[n:n+int(l)]), nil
	case TypeOpaque:
		l, n := binary.Uvarint(v.body[1:])
		buf := v.body[1+n : 1+n+int(l)]
		dst = fmt.Appendf(dst, `"base64:type%d:`, v.body[0])
		dst = base64.StdEncoding.AppendEncode(dst, buf)
		return append(dst, '"'), nil
	case TypeDate, TypeDatetime, TypeTimestamp:
		dst = append(dst, '"')
		dst = appendCoreTime(dst, binary.LittleEndian.Uint64(v.body), v.typ == TypeDate)
		return append(dst, '"'), nil
	case TypeDuration:
		dst = append(dst, '"')
		dst = appendDuration(dst, int64(binary.LittleEndian.Uint64(v.body)))
		return append(dst, '"'), nil
	case TypeArray, TypeObject:
		n, err := v.count()
		if err != nil {
			return dst, err
		}
		open, close := byte('['), byte(']')
		if v.typ == TypeObject {
			open, close = '{', '}'
		}
		dst = append(dst, open)
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if v.typ == TypeObject {
				k, err := v.key(i, n)
				if err != nil {
					return dst, err
				}
				dst = appendQuoted(dst, k)
				dst = append(dst, ": "...)
			}
			e, err := v.elem(i, n)
			if err != nil {
				return dst, err
			}
			if dst, err = e.appendText(dst, level+1); err != nil {
				return dst, err
			}
		}
		return append(dst, close), nil
	}
	return dst, corrupt(fmt.Sprintf("type code 0x%02x", v.typ))
}

// appendFloat follows TiDB's marshalFloat64To: 'e' notation when |f| < 1e-15
// or >= 1e15 (exponent without '+' or a leading zero), otherwise 'f' with
// ".0" added to integral values.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, corrupt("non-finite double")
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-15 || abs >= 1e15) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		n := len(dst)
		if n-start >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
		if p := bytes.IndexByte(dst[start:], '+'); p > 0 {
			dst = append(dst[:start+p], dst[start+p+1:]...)
		}
		return dst, nil
	}
	if bytes.IndexByte(dst[start:], '.') < 0 {
		dst = append(dst, '.', '0')
	}
	return dst, nil
}

const hexChars = "0123456789abcdef"

// appendQuoted writes s as a JSON string the way TiDB's jsonMarshalStringTo
// does: \" \\ \n \r \t \b \f, other control bytes as \u00XX, invalid UTF-8
// as \ufffd, U+2028/U+2029 escaped, everything else raw.
func appendQuoted(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexChars[b>>4], hexChars[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexChars[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendCoreTime prints TiDB's in-memory CoreTime (SPEC §3.3: year@50/14,
// month@46/4, day@41/5, hour@36/5, minute@30/6, second@24/6,
// microsecond@4/20) with 6 fractional digits, as JSON time values print.
func appendCoreTime(dst []byte, t uint64, dateOnly bool) []byte {
	year := int(t >> 50 & 0x3fff)
	month := int(t >> 46 & 0xf)
	day := int(t >> 41 & 0x1f)
	dst = fmt.Appendf(dst, "%04d-%02d-%02d", year, month, day)
	if dateOnly {
		return dst
	}
	hour := int(t >> 36 & 0x1f)
	minute := int(t >> 30 & 0x3f)
	second := int(t >> 24 & 0x3f)
	micro := int(t >> 4 & 0xfffff)
	return fmt.Appendf(dst, " %02d:%02d:%02d.%06d", hour, minute, second, micro)
}

// appendDuration prints nanoseconds as [-]HH:MM:SS.ffffff (fsp 6).
func appendDuration(dst []byte, ns int64) []byte {
	if ns < 0 {
		dst = append(dst, '-')
		ns = -ns
	}
	micros := (ns + 500) / 1000
	sec := micros / 1e6
	return fmt.Appendf(dst, "%02d:%02d:%02d.%06d", sec/3600, sec/60%60, sec%60, micros%1e6)
}
