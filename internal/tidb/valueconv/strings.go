package valueconv

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lightstream-io/lightstream/internal/tidb/charset"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
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

// convertString casts to CHAR/VARCHAR/TEXT/BINARY/VARBINARY/BLOB. A value
// the column charset cannot hold is "Incorrect string value" (strict) or
// has each such character replaced by '?' (non-strict; see below);
// a value longer than the column is "Data too long" or truncated
// (types.ProduceStrWithSpecifiedTp); CHAR drops trailing spaces first.
func (c *Converter) convertString(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	s := f.Bytes
	if col.Charset == charset.Binary {
		return c.convertBinary(col, f, dst)
	}
	if bad, err := charset.Validate(col.Charset, s); err != nil {
		if errors.Is(err, charset.ErrUnsupportedCharset) {
			return wrapErr(col.Name, s, ErrUnsupported, err)
		}
		if err := c.bad(wrapErr(col.Name, s, ErrInvalidValue, err)); err != nil {
			return err
		}
		// Datum.GetStringWithCheck: each character the charset cannot
		// hold becomes '?' (Encoding.Transform with OpReplace), and the
		// length rules are skipped: convertToString only runs
		// ProduceStrWithSpecifiedTp when the check passed, so TiDB
		// stores the whole replaced value. CHAR still loses its
		// trailing spaces (castColumnValue truncateTrailingSpaces).
		reset(dst, datum.String)
		dst.B = replaceInvalid(col.Charset, s, bad, dst.B)
		if col.Tp == mysql.TypeString && !c.s.Mode.Has(sqlmode.PadCharToFullLength) {
			dst.B = bytes.TrimRight(dst.B, " ")
		}
		return nil
	}
	if limit := byteLimit(col.Tp); limit >= 0 {
		if len(s) > limit {
			if err := c.bad(valueErr(col.Name, s, ErrTruncated, "data too long: %d bytes, column holds %d", len(s), limit)); err != nil {
				return err
			}
			// TEXT limits are bytes, cut back to a whole character
			// (ProduceStrWithSpecifiedTp: DecodeLastRuneInString).
			s = s[:limit]
			for len(s) > 0 {
				if r, n := utf8.DecodeLastRune(s); r != utf8.RuneError || n > 1 {
					break
				}
				s = s[:len(s)-1]
			}
		}
	} else {
		if col.Tp == mysql.TypeString && !c.s.Mode.Has(sqlmode.PadCharToFullLength) {
			// CHAR drops trailing spaces (pkg/table/column.go
			// castColumnValue, SPEC §3.1); doing it before the length
			// check gives the same value, as spaces cut off by the
			// length are no error.
			s = bytes.TrimRight(s, " ")
		}
		if col.Flen >= 0 && len(s) > col.Flen {
			// Only then can it be too long: a character is at least a byte.
			if n := charset.CharLen(col.Charset, s); n > col.Flen {
				cut := charset.TruncateChars(col.Charset, s, col.Flen)
				// What the length cuts off may be white space only: CHAR
				// and VARCHAR then keep the cut value without an error
				// (ProduceStrWithSpecifiedTp: TrimRight " \t\n\r"; VARCHAR
				// gets a note, in every mode).
				if len(bytes.TrimRight(s[charsPrefix(s, col.Flen):], " \t\n\r")) != 0 {
					if err := c.bad(valueErr(col.Name, s, ErrTruncated, "data too long: %d characters, column holds %d", n, col.Flen)); err != nil {
						return err
					}
				}
				s = cut
			}
		}
	}
	reset(dst, datum.String)
	dst.B = append(dst.B, s...)
	return nil
}

func (c *Converter) convertBinary(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	s := f.Bytes
	limit := col.Flen
	if l := byteLimit(col.Tp); l >= 0 {
		limit = l
	}
	if limit >= 0 && len(s) > limit {
		if err := c.bad(valueErr(col.Name, s, ErrTruncated, "data too long: %d bytes, column holds %d", len(s), limit)); err != nil {
			return err
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

// integerField reports the value Lightning's SQL parser hands over as an
// integer datum (an unquoted integer that fits 64 bits, TRUE/FALSE); other
// numbers reach TiDB as strings (lightning mydump parser.go ReadRow).
func integerField(f literal.Field) (neg bool, mag uint64, ok bool) {
	if f.Kind != literal.FieldNumber && f.Kind != literal.FieldBool {
		return false, 0, false
	}
	neg, mag, overflow, ok := parseDigits(f.Bytes)
	if !ok || overflow || (neg && mag > 1<<63) {
		return false, 0, false
	}
	return neg, mag, true
}

// memberIndex finds v among the members under the column collation
// (types.ParseEnumName: collator.Compare); -1 when absent.
func (c *Converter) memberIndex(cc *colConv, v []byte) int {
	c.key = cc.coll.Key(c.key[:0], v)
	for i, k := range cc.memberKeys {
		if bytes.Equal(k, c.key) {
			return i
		}
	}
	return -1
}

// convertEnum stores the 1-based member index (types.Datum
// convertToMysqlEnum): strings, hex and bit literals name a member under
// the column collation, else are read as a number (strconv.ParseUint base
// 0, as types.ParseEnum); integers are the index. Non-strict mode stores
// the invalid index 0 with a warning.
func (c *Converter) convertEnum(cc *colConv, f literal.Field, dst *datum.Datum) error {
	col := cc.col
	reset(dst, datum.Enum)
	n := uint64(len(col.Elems))
	if neg, idx, ok := integerField(f); ok {
		if neg || idx < 1 || idx > n {
			return c.bad(valueErr(col.Name, f.Bytes, ErrInvalidValue, "no ENUM member number %s", f.Bytes))
		}
		dst.U = idx
		return nil
	}
	if i := c.memberIndex(cc, f.Bytes); i >= 0 {
		dst.U = uint64(i + 1)
		return nil
	}
	if idx, err := strconv.ParseUint(string(f.Bytes), 0, 64); err == nil && idx >= 1 && idx <= n {
		dst.U = idx
		return nil
	}
	return c.bad(valueErr(col.Name, f.Bytes, ErrInvalidValue, "not a member of ENUM"))
}

// setNumber checks a SET bitmask against the member count
// (types.ParseSetValue).
func setNumber(v uint64, members int) bool {
	return members >= 64 || v < 1<<uint(members)
}

// convertSet stores the member bitmask (types.Datum convertToMysqlSet):
// strings, hex and bit literals are comma-separated member names under the
// column collation (every name must exist), else a number
// (strconv.ParseUint base 0, types.ParseSet); integers are the bitmask.
// Non-strict mode stores the empty set with a warning.
func (c *Converter) convertSet(cc *colConv, f literal.Field, dst *datum.Datum) error {
	col := cc.col
	reset(dst, datum.Set)
	n := len(col.Elems)
	if neg, v, ok := integerField(f); ok {
		if neg || !setNumber(v, n) {
			return c.bad(valueErr(col.Name, f.Bytes, ErrInvalidValue, "no SET value number %s", f.Bytes))
		}
		dst.U = v
		return nil
	}
	if len(f.Bytes) == 0 {
		return nil
	}
	var mask uint64
	rest := f.Bytes
	for {
		item := rest
		i := bytes.IndexByte(rest, ',')
		if i >= 0 {
			item, rest = rest[:i], rest[i+1:]
		}
		k := c.memberIndex(cc, item)
		if k < 0 {
			if v, err := strconv.ParseUint(string(f.Bytes), 0, 64); err == nil && setNumber(v, n) {
				dst.U = v
				return nil
			}
			return c.bad(valueErr(col.Name, f.Bytes, ErrInvalidValue, "%q is not a member of SET", item))
		}
		if k < 64 {
			mask |= 1 << uint(k)
		}
		if i < 0 {
			break
		}
	}
	dst.U = mask
	return nil
}

// convertBit: hex/bit literals and strings are the bits themselves (a
// string is a binary string: types.Datum.convertToMysqlBit reads its
// bytes); integers are their value. A value wider than BIT(n) is an error,
// or n one-bits in non-strict mode.
func (c *Converter) convertBit(col *tablemodel.Column, f literal.Field, dst *datum.Datum) error {
	var u uint64
	reset(dst, datum.Bit)
	if neg, mag, ok := integerField(f); ok {
		// A negative integer is taken as its 64-bit unsigned value
		// (convertToMysqlBit: KindInt64 becomes KindUint64), then held to
		// the width below.
		u = mag
		if neg {
			u = -mag
		}
	} else {
		var ok bool
		if u, ok = bytesToUint(f.Bytes); !ok {
			if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "wider than BIT(%d)", col.Flen)); err != nil {
				return err
			}
			u = math.MaxUint64
		}
	}
	if col.Flen < 64 && u >= 1<<uint(col.Flen) {
		if err := c.bad(valueErr(col.Name, f.Bytes, ErrOutOfRange, "wider than BIT(%d)", col.Flen)); err != nil {
			return err
		}
		u = 1<<uint(col.Flen) - 1
	}
	dst.U = u
	return nil
}

// replaceInvalid appends s to dst with every character the charset cannot
// hold replaced by one '?', as TiDB's Encoding.Transform(OpReplace) does;
// bad is the offset of the first one. A character is what TiDB's
// Foreach for the charset steps over: for utf8mb4 and utf8 an invalid
// byte alone (utf8.DecodeRune) or a whole 4-byte character (utf8mb3);
// for ascii, gbk and gb18030 the bytes its lead byte announces
// (encodingUTF8.Peek).
func replaceInvalid(cs string, s []byte, bad int, dst []byte) []byte {
	for bad >= 0 {
		dst = append(dst, s[:bad]...)
		dst = append(dst, '?')
		s = s[bad+invalidWidth(cs, s[bad:]):]
		next, err := charset.Validate(cs, s)
		if err == nil {
			break
		}
		bad = next
	}
	return append(dst, s...)
}

// invalidWidth is the byte length of the rejected character at the start
// of s (see replaceInvalid).
func invalidWidth(cs string, s []byte) int {
	switch strings.ToLower(cs) {
	case charset.UTF8, charset.UTF8MB4, "utf8mb3":
		if _, n := utf8.DecodeRune(s); n > 1 {
			return n
		}
		return 1
	}
	n := 4
	switch {
	case s[0] < 0x80:
		n = 1
	case s[0] < 0xe0:
		n = 2
	case s[0] < 0xf0:
		n = 3
	}
	return min(n, len(s))
}

// charsPrefix is the byte length of the first n characters of s (an
// invalid byte counts as one, as utf8.RuneCount does).
func charsPrefix(s []byte, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	return i
}
