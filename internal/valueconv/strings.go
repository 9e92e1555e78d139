package valueconv

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lightstream-io/lightstream/internal/datum"
	"github.com/lightstream-io/lightstream/internal/rowparse"
	"github.com/lightstream-io/lightstream/internal/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// byteLimit is the byte capacity of the BLOB/TEXT types: their limits are
// bytes, not characters (MySQL storage requirements).
func byteLimit(tp byte) int {
	switch tp {
	case mysql.TypeTinyBlob:
		return 255
	case mysql.TypeBlob:
		return 65535
	case mysql.TypeMediumBlob:
		return 16777215
	case mysql.TypeLongBlob:
		return 4294967295 & (1<<62 - 1)
	}
	return -1
}

// validCharset checks that s is valid in charset cs and returns its length
// in characters (pkg/table/column.go handleWrongCharsetValue: an invalid
// sequence is "Incorrect string value"). Charsets without a check here
// (gbk, gb18030) count bytes.
func validCharset(cs string, s []byte) (int, bool) {
	switch cs {
	case "utf8mb4":
		if !utf8.Valid(s) {
			return 0, false
		}
		return utf8.RuneCount(s), true
	case "utf8", "utf8mb3":
		n := 0
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size <= 1 || size > 3 {
				return 0, false
			}
			i += size
			n++
		}
		return n, true
	case "ascii":
		for _, b := range s {
			if b >= 0x80 {
				return 0, false
			}
		}
		return len(s), true
	}
	return len(s), true
}

// truncateChars keeps the first n characters of s (UTF-8 for utf8 charsets,
// bytes otherwise).
func truncateChars(cs string, s []byte, n int) []byte {
	if cs != "utf8mb4" && cs != "utf8" && cs != "utf8mb3" {
		return s[:n]
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	return s[:i]
}

func (c *Converter) convertString(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	s := f.Bytes
	binary := col.Charset == "binary"
	strict := c.s.Mode.Strict()
	if !binary {
		n, ok := validCharset(col.Charset, s)
		if !ok {
			if strict {
				return valueErr(col.Name, s, ErrInvalidValue, "incorrect string value for charset %s", col.Charset)
			}
		}
		if limit := byteLimit(col.Tp); limit >= 0 {
			if len(s) > limit {
				if strict {
					return valueErr(col.Name, s, ErrTruncated, "data too long: %d bytes, column holds %d", len(s), limit)
				}
				s = s[:limit]
			}
		} else if col.Tp == mysql.TypeString && !c.s.Mode.Has(sqlmode.PadCharToFullLength) {
			// CHAR drops trailing spaces before the length check
			// (pkg/table/column.go CastValue, SPEC §3.1).
			trimmed := bytes.TrimRight(s, " ")
			n -= len(s) - len(trimmed)
			s = trimmed
		}
		if byteLimit(col.Tp) < 0 && col.Flen >= 0 && n > col.Flen {
			if strict {
				return valueErr(col.Name, s, ErrTruncated, "data too long: %d characters, column holds %d", n, col.Flen)
			}
			s = truncateChars(col.Charset, s, col.Flen)
		}
		reset(dst, datum.String)
		dst.B = append(dst.B, s...)
		return nil
	}
	limit := col.Flen
	if l := byteLimit(col.Tp); l >= 0 {
		limit = l
	}
	if limit >= 0 && len(s) > limit {
		if strict {
			return valueErr(col.Name, s, ErrTruncated, "data too long: %d bytes, column holds %d", len(s), limit)
		}
		s = s[:limit]
	}
	reset(dst, datum.Bytes)
	dst.B = append(dst.B, s...)
	if col.Tp == mysql.TypeString {
		// BINARY(n) is right-padded with 0x00 (SPEC §3.1).
		for len(dst.B) < col.Flen {
			dst.B = append(dst.B, 0)
		}
	}
	return nil
}

// memberEqual compares a value with an ENUM/SET member under the column
// collation: PAD SPACE (trailing spaces ignored), case-insensitive for _ci.
func memberEqual(ci bool, member string, v []byte) bool {
	v = bytes.TrimRight(v, " ")
	member = strings.TrimRight(member, " ")
	if ci {
		return strings.EqualFold(member, string(v))
	}
	return member == string(v)
}

func (c *Converter) convertEnum(cc *colConv, f rowparse.Field, dst *datum.Datum) error {
	col := cc.col
	reset(dst, datum.Enum)
	if f.Kind == rowparse.FieldNumber || f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
		idx, ok := enumNumber(f)
		if !ok || idx < 1 || idx > uint64(len(col.Elems)) {
			return valueErr(col.Name, f.Bytes, ErrInvalidValue, "no ENUM member number %s", f.Bytes)
		}
		dst.U = idx
		return nil
	}
	for i, m := range col.Elems {
		if memberEqual(cc.ci, m, f.Bytes) {
			dst.U = uint64(i + 1)
			return nil
		}
	}
	// A quoted number names a member by index (types.ParseEnum).
	if n, err := strconv.ParseUint(string(trimSpace(f.Bytes)), 10, 64); err == nil && n >= 1 && n <= uint64(len(col.Elems)) {
		dst.U = n
		return nil
	}
	if !c.s.Mode.Strict() {
		dst.U = 0
		return nil
	}
	return valueErr(col.Name, f.Bytes, ErrInvalidValue, "not a member of ENUM")
}

func enumNumber(f rowparse.Field) (uint64, bool) {
	if f.Kind == rowparse.FieldNumber {
		neg, mag, overflow, err := parseIntText(f.Bytes)
		return mag, err == nil && !overflow && !neg
	}
	return bytesToUint(f.Bytes)
}

func (c *Converter) convertSet(cc *colConv, f rowparse.Field, dst *datum.Datum) error {
	col := cc.col
	reset(dst, datum.Set)
	n := len(col.Elems)
	if f.Kind == rowparse.FieldNumber || f.Kind == rowparse.FieldHex || f.Kind == rowparse.FieldBit {
		v, ok := enumNumber(f)
		if !ok || n < 64 && v >= 1<<uint(n) {
			return valueErr(col.Name, f.Bytes, ErrInvalidValue, "no SET value number %s", f.Bytes)
		}
		dst.U = v
		return nil
	}
	if len(f.Bytes) == 0 {
		return nil
	}
	var mask uint64
	for _, item := range bytes.Split(f.Bytes, []byte{','}) {
		found := false
		for i, m := range col.Elems {
			if memberEqual(cc.ci, m, item) {
				mask |= 1 << uint(i)
				found = true
				break
			}
		}
		if !found {
			// A SET given as its number in quotes (types.ParseSet).
			if v, err := strconv.ParseUint(string(trimSpace(f.Bytes)), 10, 64); err == nil && (n >= 64 || v < 1<<uint(n)) {
				dst.U = v
				return nil
			}
			if c.s.Mode.Strict() {
				return valueErr(col.Name, f.Bytes, ErrInvalidValue, "%q is not a member of SET", item)
			}
		}
	}
	dst.U = mask
	return nil
}

// convertBit: hex/bit literals and quoted strings are the bits themselves
// (a string is a binary string: types.Datum.convertToMysqlBit reads its
// bytes); numbers are their integer value. The value must fit BIT(n).
func (c *Converter) convertBit(col *tablemodel.Column, f rowparse.Field, dst *datum.Datum) error {
	var u uint64
	switch f.Kind {
	case rowparse.FieldNumber, rowparse.FieldBool:
		neg, mag, overflow, err := parseIntText(f.Bytes)
		if err != nil || overflow || neg {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "not a BIT(%d) value", col.Flen)
		}
		u = mag
	default:
		var ok bool
		u, ok = bytesToUint(f.Bytes)
		if !ok {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "wider than BIT(%d)", col.Flen)
		}
	}
	if col.Flen < 64 && u >= 1<<uint(col.Flen) {
		if c.s.Mode.Strict() {
			return valueErr(col.Name, f.Bytes, ErrOutOfRange, "wider than BIT(%d)", col.Flen)
		}
		u = 1<<uint(col.Flen) - 1
	}
	reset(dst, datum.Bit)
	dst.U = u
	return nil
}
