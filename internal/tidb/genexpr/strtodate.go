package genexpr

import (
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// unixToLocal is the wall time in the session zone of a Unix instant.
func unixToLocal(sec int64, micro int, c *evalCtx) mytime.Time {
	g := time.Unix(sec, int64(micro)*1000).In(c.loc)
	return mytime.Time{Year: g.Year(), Month: int(g.Month()), Day: g.Day(),
		Hour: g.Hour(), Minute: g.Minute(), Second: g.Second(), Microsecond: micro}
}

// fnStrToDate is STR_TO_DATE(str, format) for the common specifiers
// (types.Time.StrToDate): %Y %y %m %c %d %e %H %k %h %I %l %i %s %S %f %p
// %M %b %T %r %j and literal text. The result is a DATE when the format
// has only date parts, a TIME when only time parts, else a DATETIME; a
// mismatch is NULL.
func fnStrToDate(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	s := string(toText(a[0]))
	f := string(toText(a[1]))
	var t mytime.Time
	hasDate, hasTime, pm, hour12, hasFrac := false, false, false, false, false
	yday := -1
	i := 0
	num := func(maxLen int) (int, bool) {
		j := i
		for j < len(s) && j-i < maxLen && isDigit(s[j]) {
			j++
		}
		if j == i {
			return 0, false
		}
		n := 0
		for _, ch := range s[i:j] {
			n = n*10 + int(ch-'0')
		}
		i = j
		return n, true
	}
	matchName := func(names []string, abbrev bool) (int, bool) {
		for k, nm := range names {
			if abbrev {
				nm = nm[:3]
			}
			if len(s)-i >= len(nm) && strings.EqualFold(s[i:i+len(nm)], nm) {
				i += len(nm)
				return k, true
			}
		}
		return 0, false
	}
	for fi := 0; fi < len(f); fi++ {
		ch := f[fi]
		if ch != '%' || fi+1 >= len(f) {
			// Literal text; white space in the input is skipped leniently.
			for i < len(s) && isSpace(s[i]) && !isSpace(ch) {
				i++
			}
			if i >= len(s) || s[i] != ch {
				if isSpace(ch) {
					continue
				}
				return Null, nil
			}
			i++
			continue
		}
		fi++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		var ok bool
		var n int
		switch f[fi] {
		case 'Y':
			n, ok = num(4)
			if ok && n < 100 && i <= 2 {
				n = adjustYear2(n)
			}
			t.Year, hasDate = n, true
		case 'y':
			n, ok = num(2)
			t.Year, hasDate = adjustYear2(n), true
		case 'm', 'c':
			n, ok = num(2)
			t.Month, hasDate = n, true
		case 'd', 'e':
			n, ok = num(2)
			t.Day, hasDate = n, true
		case 'j':
			n, ok = num(3)
			yday, hasDate = n, true
		case 'H', 'k':
			n, ok = num(2)
			t.Hour, hasTime = n, true
		case 'h', 'I', 'l':
			n, ok = num(2)
			t.Hour, hasTime, hour12 = n, true, true
		case 'i':
			n, ok = num(2)
			t.Minute, hasTime = n, true
		case 's', 'S':
			n, ok = num(2)
			t.Second, hasTime = n, true
		case 'f':
			start := i
			n, ok = num(6)
			for k := i - start; k < 6; k++ {
				n *= 10
			}
			t.Microsecond, hasTime, hasFrac = n, true, true
		case 'p':
			switch {
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "PM"):
				pm, ok = true, true
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "AM"):
				ok = true
			}
			i += 2
		case 'M':
			n, ok = matchName(monthNames, false)
			t.Month, hasDate = n+1, true
		case 'b':
			n, ok = matchName(monthNames, true)
			t.Month, hasDate = n+1, true
		case 'W':
			_, ok = matchName(dayNames, false)
		case 'a':
			_, ok = matchName(dayNames, true)
		case 'T', 'r':
			var h, m, sec int
			if h, ok = num(2); ok && i < len(s) && s[i] == ':' {
				i++
				if m, ok = num(2); ok && i < len(s) && s[i] == ':' {
					i++
					sec, ok = num(2)
				} else {
					ok = false
				}
			} else {
				ok = false
			}
			t.Hour, t.Minute, t.Second, hasTime = h, m, sec, true
			if f[fi] == 'r' {
				hour12 = true
				for i < len(s) && isSpace(s[i]) {
					i++
				}
				if len(s)-i >= 2 {
					pm = strings.EqualFold(s[i:i+2], "PM")
					i += 2
				}
			}
		case '%':
			ok = i < len(s) && s[i] == '%'
			i++
		default:
			return Null, nil
		}
		if !ok {
			return Null, nil
		}
	}
	if hour12 {
		if t.Hour < 1 || t.Hour > 12 {
			return Null, nil
		}
		if t.Hour == 12 {
			t.Hour = 0
		}
		if pm {
			t.Hour += 12
		}
	}
	if yday > 0 {
		base := mytime.ToDays(mytime.Time{Year: t.Year, Month: 1, Day: 1})
		d := mytime.FromDays(base + int64(yday) - 1)
		t.Month, t.Day = d.Month, d.Day
	}
	if t.Month > 12 || t.Day > 31 || t.Hour > 23 || t.Minute > 59 || t.Second > 59 {
		return Null, nil
	}
	if t.Month > 0 && t.Day > mytime.LastDay(t.Year, t.Month) {
		return Null, nil
	}
	fsp := 0
	if hasFrac {
		fsp = 6
	}
	switch {
	case hasDate && !hasTime:
		return TimeValue(t, mytime.Date, 0), nil
	case hasTime && !hasDate:
		ns := (int64(t.Hour)*3600+int64(t.Minute)*60+int64(t.Second))*1e9 + int64(t.Microsecond)*1000
		return DurationValue(ns, fsp), nil
	}
	return TimeValue(t, mytime.Datetime, fsp), nil
}

func adjustYear2(y int) int {
	switch {
	case y < 70:
		return y + 2000
	case y < 100:
		return y + 1900
	}
	return y
}
