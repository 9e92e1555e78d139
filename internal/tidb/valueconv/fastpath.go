package valueconv

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/lightstream-io/lightstream/internal/tidb/charset"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// fastKind selects the fast path of a column: the values dumps hold almost
// always (plain digits, a plain decimal within the scale, 'YYYY-MM-DD',
// valid UTF-8 that fits) converted with what NewConverter decided once for
// the column, instead of looking the column's type, charset and limits up
// per value. A fast path either stores exactly what the general path
// (convertGeneral) stores, with no warning, or declines and the general
// path runs (TestFastPathMatches, FuzzFastPath).
type fastKind uint8

const (
	fastNone fastKind = iota
	fastInt
	fastDecimal
	fastTemporal
	fastUTF8
)

// plan fills the fast-path fields of cc for col under mode.
func (cc *colConv) plan(col *tablemodel.Column, mode sqlmode.Mode) {
	cc.nullBad = col.NotNull && !col.AutoIncrement && !col.AutoRandom && !col.IsGenerated()
	cc.unsupported = col.Unsupported != ""
	if cc.unsupported {
		return
	}
	cc.unsigned = col.Unsigned
	switch col.Tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		cc.fast = fastInt
		cc.lo, cc.hi = intRange(col.Tp, col.Unsigned)
	case mysql.TypeNewDecimal:
		cc.fast = fastDecimal
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp:
		cc.fast = fastTemporal
		cc.timeTp, cc.fsp = timeType(col.Tp), fspOf(col)
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		if col.Charset != charset.UTF8MB4 {
			return // binary, other charsets: the general path
		}
		cc.fast = fastUTF8
		switch limit := byteLimit(col.Tp); {
		case limit >= 0:
			cc.limit = limit
		case col.Flen >= 0:
			// A character is at least a byte: a value of at most Flen
			// bytes is never too long.
			cc.limit = col.Flen
			cc.trimChar = col.Tp == mysql.TypeString && !mode.Has(sqlmode.PadCharToFullLength)
		default:
			cc.limit = math.MaxInt
		}
	}
}

// convertFast runs the column's fast path on the bytes of a string,
// number or boolean field; false leaves dst untouched for the general path.
func (c *Converter) convertFast(cc *colConv, s []byte, isString bool, dst *datum.Datum) bool {
	switch cc.fast {
	case fastInt:
		return fastIntValue(cc, s, dst)
	case fastDecimal:
		// A text the fast conversion takes has no white space, so it is
		// what convertDecimal hands ConvertToColumn after trimSpace.
		col := cc.col
		b, ok := mydecimal.AppendBinFast(s, col.Flen, col.Decimal, col.Unsigned, dst.B[:0])
		if !ok {
			return false
		}
		reset(dst, datum.Decimal)
		dst.Prec, dst.Frac, dst.B = uint8(col.Flen), int8(col.Decimal), b
		return true
	case fastTemporal:
		if !isString {
			return false
		}
		if cc.timeTp == mytime.Date && len(s) == 10 {
			packed, ok := fastDate(s)
			if !ok {
				return false
			}
			reset(dst, datum.Time)
			dst.U = packed
			return true
		}
		t, ok := fastTime(s, cc.timeTp, cc.fsp, c.s.Loc)
		if !ok {
			return false
		}
		reset(dst, datum.Time)
		dst.U, dst.Frac = t.Pack(), int8(cc.fsp)
		return true
	case fastUTF8:
		v := s
		if cc.trimChar {
			for len(v) > 0 && v[len(v)-1] == ' ' {
				v = v[:len(v)-1]
			}
		}
		if len(v) > cc.limit || !isASCII(s) && !utf8.Valid(s) {
			return false
		}
		reset(dst, datum.String)
		dst.B = append(dst.B, v...)
		return true
	}
	return false
}

// fastIntValue is convertInt for [sign]digits that fit 64 bits and the
// column: no white space to trim (parseDigits takes none), no truncation,
// no range error.
func fastIntValue(cc *colConv, s []byte, dst *datum.Datum) bool {
	neg, mag, ok := plainDigits(s)
	if !ok {
		return false
	}
	if cc.unsigned {
		if neg || mag > cc.hi {
			return false
		}
		reset(dst, datum.Uint64)
		dst.U = mag
		return true
	}
	var i int64
	switch {
	case neg && mag > 1<<63:
		return false
	case neg:
		i = -int64(mag-1) - 1
	case mag > math.MaxInt64:
		return false
	default:
		i = int64(mag)
	}
	if i < cc.lo || i > int64(cc.hi) {
		return false
	}
	reset(dst, datum.Int64)
	dst.I = i
	return true
}

// plainDigits is parseDigits for at most 19 digits, which cannot pass 64
// bits: the per-digit overflow test is not needed. ok is false for
// anything else (parseDigits then decides).
func plainDigits(s []byte) (neg bool, mag uint64, ok bool) {
	t := s
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 || len(t) > 19 {
		return false, 0, false
	}
	for _, ch := range t {
		d := ch - '0'
		if d > 9 {
			return false, 0, false
		}
		mag = mag*10 + uint64(d)
	}
	return neg && mag != 0, mag, true
}

// fastDate is fastTime for 'YYYY-MM-DD' into a DATE, packed (mytime.Time
// Pack of the date alone): a valid non-zero date, else ok is false.
func fastDate(s []byte) (packed uint64, ok bool) {
	if s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	hi, ok1 := digits2(s[0:2])
	lo, ok2 := digits2(s[2:4])
	mo, ok3 := digits2(s[5:7])
	d, ok4 := digits2(s[8:10])
	y := hi*100 + lo
	if !(ok1 && ok2 && ok3 && ok4) || y == 0 || mo < 1 || mo > 12 || d < 1 || d > mytime.LastDay(y, mo) {
		return 0, false
	}
	return uint64((y*13+mo)<<5|d) << 41, true
}

// isASCII reports whether s has no byte past 0x7f (and so is valid UTF-8),
// 8 bytes at a time, the tail as the last 8 bytes.
func isASCII(s []byte) bool {
	const high = 0x8080808080808080
	n := len(s)
	if n < 8 {
		var acc byte
		for _, b := range s {
			acc |= b
		}
		return acc < 0x80
	}
	var acc uint64
	for i := 0; i+8 <= n; i += 8 {
		acc |= binary.LittleEndian.Uint64(s[i:])
	}
	acc |= binary.LittleEndian.Uint64(s[n-8:])
	return acc&high == 0
}
