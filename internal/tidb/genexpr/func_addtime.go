package genexpr

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// SEC_TO_TIME and ADDTIME (pkg/expression/builtin_time.go).
func init() {
	register(map[string]funcDef{
		"sec_to_time": {1, 1, fnSecToTime},
		"addtime":     {2, 2, fnAddTime},
	})
}

// fnSecToTime is SEC_TO_TIME(seconds) (builtinSecToTimeSig): a TIME whose
// fsp is the argument's decimals (0 for integers, 6 for strings and
// doubles), clamped to ±838:59:59: the truncation is a warning, an error in
// a strict SQL mode (TiDB's HandleTruncate in an INSERT).
func fnSecToTime(c *evalCtx, a []Value) (Value, error) {
	v := a[0]
	if v.IsNull() {
		return Null, nil
	}
	fsp := 6
	switch v.Kind {
	case KindInt, KindUint:
		fsp = 0
	case KindDecimal:
		fsp = min(v.D.Frac(), 6)
	case KindTime, KindDuration:
		fsp = v.Fsp
	}
	secs := toFloat(v)
	neg := ""
	if secs < 0 {
		neg = "-"
		secs = math.Abs(secs)
	}
	whole := uint64(secs)
	frac := secs - float64(whole)
	h, m, s := whole/3600, whole%3600/60, whole%60
	if secs >= 1<<64 || h > 838 {
		if c.strict {
			return Null, fmt.Errorf("%w: truncated incorrect time value: '%s'", ErrEval, strconv.FormatFloat(secs, 'f', -1, 64))
		}
		h, m, s, frac = 838, 59, 59, 0
	}
	text := neg + pad2(h) + ":" + pad2(m) + ":" + strconv.FormatFloat(float64(s)+frac, 'f', -1, 64)
	ns, err := mytime.ParseDuration([]byte(text), fsp)
	if err != nil {
		return Null, nil
	}
	return DurationValue(ns, fsp), nil
}

func pad2(n uint64) string {
	if n < 10 {
		return "0" + strconv.FormatUint(n, 10)
	}
	return strconv.FormatUint(n, 10)
}

// durationText matches what TiDB accepts as a TIME string in ADDTIME
// (builtin_time.go isDuration).
var durationText = regexp.MustCompile(`^\s*[-]?(((\d{1,2}\s+)?0*\d{0,3}(:0*\d{1,2}){0,2})|(\d{1,7}))?(\.\d*)?\s*$`)

// addend is ADDTIME's second argument as a TIME: ok false means the
// result is NULL (a DATETIME addend, or text that is not a time).
func addend(v Value) (ns int64, fsp int, ok bool) {
	switch v.Kind {
	case KindDuration:
		return v.I, v.Fsp, true
	case KindTime:
		if v.TimeType != mytime.Date {
			return 0, 0, false
		}
	}
	s := toText(v)
	if !durationText.Match(s) {
		return 0, 0, false
	}
	fsp = min(fracDigits(s), 6)
	d, err := mytime.ParseDuration(s, fsp)
	if err != nil {
		return 0, 0, false
	}
	return d, fsp, true
}

// fnAddTime is ADDTIME(expr1, expr2) (addTimeFunctionClass): the result's
// type follows expr1's: a DATETIME/TIMESTAMP gives a DATETIME, a TIME a
// TIME, a DATE (read as TIME 00:00:00) or anything else a binary string
// holding a time if expr1 looks like one, else a datetime. Adding a
// DATETIME, or text that is not a time, gives NULL.
func fnAddTime(c *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	d, dfsp, ok := addend(a[1])
	if !ok {
		return Null, nil
	}
	x := a[0]
	switch {
	case x.Kind == KindTime && x.TimeType != mytime.Date:
		r, err := mytime.AddInterval(x.T, d/1000, "MICROSECOND")
		if err != nil {
			return Null, nil
		}
		return TimeValue(r, mytime.Datetime, max(x.Fsp, dfsp)), nil
	case x.Kind == KindDuration:
		return DurationValue(x.I+d, max(x.Fsp, dfsp)), nil
	case x.Kind == KindTime:
		// A DATE is evaluated as a TIME: its time of day, 00:00:00.
		return BytesValue([]byte(mytime.FormatDuration(d, dfsp))), nil
	}
	s := toText(x)
	if durationText.Match(s) {
		base, err := mytime.ParseDuration(s, 6)
		if err != nil {
			return Null, nil
		}
		sum := base + d
		return BytesValue([]byte(mytime.FormatDuration(sum, durFsp(sum)))), nil
	}
	t, err := mytime.ParseTimeIn(s, mytime.Datetime, 6, exprMode, c.loc)
	if err != nil {
		return Null, nil
	}
	r, err := mytime.AddInterval(t, d/1000, "MICROSECOND")
	if err != nil {
		return Null, nil
	}
	fsp := 6
	if r.Microsecond == 0 {
		fsp = 0
	}
	return BytesValue(mytime.AppendFormat(nil, r, mytime.Datetime, fsp)), nil
}

// durFsp is 6 when a string result has microseconds, else 0
// (strDurationAddDuration).
func durFsp(ns int64) int {
	if ns%1e9 != 0 {
		return 6
	}
	return 0
}
