package valueconv

import (
	"bytes"
	"encoding/hex"
	"math"
	"strconv"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// FormatText appends d in MySQL's text form (what SELECT prints) for column
// col: DECIMAL with its scale, FLOAT/DOUBLE as TiDB's server prints them,
// dates per fsp with TIMESTAMP moved from UTC to loc, ENUM/SET member
// names, BIT as the raw bytes of its width, JSON text, strings raw. NULL
// appends nothing (callers print their own NULL marker).
func FormatText(col *tablemodel.Column, d *datum.Datum, loc *time.Location, dst []byte) []byte {
	switch d.Kind {
	case datum.Null:
		return dst
	case datum.Int64:
		if col.Tp == mysql.TypeYear {
			if d.I == 0 {
				return append(dst, "0000"...)
			}
		}
		return strconv.AppendInt(dst, d.I, 10)
	case datum.Uint64:
		return strconv.AppendUint(dst, d.U, 10)
	case datum.Float32:
		return appendFloat(dst, d.F, col.Decimal, 32)
	case datum.Float64:
		return appendFloat(dst, d.F, col.Decimal, 64)
	case datum.Decimal:
		s, err := mydecimal.BinToString(d.B, int(d.Prec), int(d.Frac))
		if err != nil {
			return append(dst, "<bad decimal>"...)
		}
		return append(dst, s...)
	case datum.Time:
		t := mytime.Unpack(d.U)
		tp := timeType(col.Tp)
		if tp == mytime.Timestamp && loc != nil {
			t = mytime.FromUTC(t, loc)
		}
		return mytime.AppendFormat(dst, t, tp, int(d.Frac))
	case datum.Duration:
		return mytime.AppendDuration(dst, d.I, int(d.Frac))
	case datum.Enum:
		if d.U >= 1 && d.U <= uint64(len(col.Elems)) {
			return append(dst, col.Elems[d.U-1]...)
		}
		return dst
	case datum.Set:
		first := true
		for i, m := range col.Elems {
			if i < 64 && d.U&(1<<uint(i)) != 0 {
				if !first {
					dst = append(dst, ',')
				}
				dst = append(dst, m...)
				first = false
			}
		}
		return dst
	case datum.Bit:
		width := (col.Flen + 7) / 8
		if width < 1 {
			width = 1
		}
		for i := width - 1; i >= 0; i-- {
			if i >= 8 {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, byte(d.U>>(8*uint(i))))
		}
		return dst
	case datum.JSON:
		if out, err := jsonbin.ToText(d.B, dst); err == nil {
			return out
		}
		// A corrupt binary prints as hex rather than half a document.
		return hex.AppendEncode(dst, d.B)
	}
	return append(dst, d.B...)
}

// appendFloat prints a float the way TiDB's server does
// (pkg/server/internal/column appendFormatFloat): the shortest decimal that
// round-trips at the column's width, exponent form with no '+' for
// magnitudes >= 1e15 or < 1e-15, and a fixed scale for FLOAT(M,D)/DOUBLE(M,D).
func appendFloat(dst []byte, f float64, decimal, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, '0')
	}
	prec := -1
	if decimal >= 0 && decimal < 31 {
		prec = decimal
	}
	abs := math.Abs(f)
	if prec < 0 && abs != 0 && (abs >= 1e15 || abs < 1e-15) {
		start := len(dst)
		dst = strconv.AppendFloat(dst, f, 'e', -1, bits)
		if i := bytes.IndexByte(dst[start:], '+'); i >= 0 {
			dst = append(dst[:start+i], dst[start+i+1:]...)
		}
		// Go writes e-05; MySQL writes e-5.
		if i := bytes.Index(dst[start:], []byte("e-0")); i >= 0 {
			dst = append(dst[:start+i+2], dst[start+i+3:]...)
		}
		return dst
	}
	return strconv.AppendFloat(dst, f, 'f', prec, bits)
}
