package mytime

import (
	"fmt"
	"strconv"
)

// Format returns MySQL's text for t in a column of type tp with fsp
// fractional digits: '2006-01-02' for DATE, '2006-01-02 15:04:05[.ffffff]'
// otherwise, the fraction with exactly fsp digits (types.Time.String).
func Format(t Time, tp Type, fsp int) string {
	var buf [32]byte
	return string(AppendFormat(buf[:0], t, tp, fsp))
}

// AppendFormat appends Format(t, tp, fsp) to dst.
func AppendFormat(dst []byte, t Time, tp Type, fsp int) []byte {
	dst = appendInt(dst, t.Year, 4)
	dst = append(dst, '-')
	dst = appendInt(dst, t.Month, 2)
	dst = append(dst, '-')
	dst = appendInt(dst, t.Day, 2)
	if tp == Date {
		return dst
	}
	dst = append(dst, ' ')
	dst = appendInt(dst, t.Hour, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, t.Minute, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, t.Second, 2)
	return appendFrac(dst, t.Microsecond, fsp)
}

// appendFrac appends '.' and the first fsp digits of the six-digit
// microsecond field (truncating: the value is already rounded to fsp).
func appendFrac(dst []byte, micro, fsp int) []byte {
	if fsp <= 0 {
		return dst
	}
	if fsp > MaxFsp {
		fsp = MaxFsp
	}
	var six [6]byte
	for i := 5; i >= 0; i-- {
		six[i] = byte('0' + micro%10)
		micro /= 10
	}
	dst = append(dst, '.')
	return append(dst, six[:fsp]...)
}

// appendInt appends v zero-padded to width digits (wider values are
// written in full; negatives get a sign).
func appendInt(dst []byte, v, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(tmp) - i; n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, tmp[i:]...)
}

var monthNames = [12]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var weekdayNames = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// DateFormat is MySQL's DATE_FORMAT(t, format) (types.Time.DateFormat).
// Unknown specifiers print the letter itself; %b/%M on a zero month are an
// error (SQL NULL).
func DateFormat(t Time, format string) (string, error) {
	var buf []byte
	pct := false
	for _, r := range format {
		if !pct {
			if r == '%' {
				pct = true
			} else {
				buf = append(buf, string(r)...)
			}
			continue
		}
		pct = false
		switch r {
		case 'b', 'M':
			if t.Month < 1 || t.Month > 12 {
				return "", fmt.Errorf("%w: DATE_FORMAT %%%c of month %d", ErrInvalidTime, r, t.Month)
			}
			name := monthNames[t.Month-1]
			if r == 'b' {
				name = name[:3]
			}
			buf = append(buf, name...)
		case 'm':
			buf = appendInt(buf, t.Month, 2)
		case 'c':
			buf = strconv.AppendInt(buf, int64(t.Month), 10)
		case 'D':
			buf = strconv.AppendInt(buf, int64(t.Day), 10)
			buf = append(buf, ordinalSuffix(t.Day)...)
		case 'd':
			buf = appendInt(buf, t.Day, 2)
		case 'e':
			buf = strconv.AppendInt(buf, int64(t.Day), 10)
		case 'j':
			buf = appendInt(buf, DayOfYear(t), 3)
		case 'H':
			buf = appendInt(buf, t.Hour, 2)
		case 'k':
			buf = strconv.AppendInt(buf, int64(t.Hour), 10)
		case 'h', 'I':
			buf = appendInt(buf, hour12(t.Hour), 2)
		case 'l':
			buf = strconv.AppendInt(buf, int64(hour12(t.Hour)), 10)
		case 'i':
			buf = appendInt(buf, t.Minute, 2)
		case 'p':
			buf = append(buf, ampm(t.Hour)...)
		case 'r':
			buf = appendInt(buf, hour12(t.Hour%24), 2)
			buf = append(buf, ':')
			buf = appendInt(buf, t.Minute, 2)
			buf = append(buf, ':')
			buf = appendInt(buf, t.Second, 2)
			buf = append(buf, ' ')
			buf = append(buf, ampm(t.Hour%24)...)
		case 'T':
			buf = appendInt(buf, t.Hour, 2)
			buf = append(buf, ':')
			buf = appendInt(buf, t.Minute, 2)
			buf = append(buf, ':')
			buf = appendInt(buf, t.Second, 2)
		case 'S', 's':
			buf = appendInt(buf, t.Second, 2)
		case 'f':
			buf = appendInt(buf, t.Microsecond, 6)
		case 'U':
			buf = appendInt(buf, Week(t, 0), 2)
		case 'u':
			buf = appendInt(buf, Week(t, 1), 2)
		case 'V':
			buf = appendInt(buf, Week(t, 2), 2)
		case 'v':
			_, w := YearWeek(t, 3)
			buf = appendInt(buf, w, 2)
		case 'a':
			buf = append(buf, weekdayNames[WeekDay(t)][:3]...)
		case 'W':
			buf = append(buf, weekdayNames[WeekDay(t)]...)
		case 'w':
			buf = strconv.AppendInt(buf, int64(DayOfWeek(t)-1), 10)
		case 'X':
			y, _ := YearWeek(t, 2)
			buf = appendInt(buf, y, 4)
		case 'x':
			y, _ := YearWeek(t, 3)
			buf = appendInt(buf, y, 4)
		case 'Y':
			buf = appendInt(buf, t.Year, 4)
		case 'y':
			y := appendInt(nil, t.Year, 4)
			buf = append(buf, y[2:]...)
		default:
			buf = append(buf, string(r)...)
		}
	}
	return string(buf), nil
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

func ampm(h int) string {
	if h/12%2 == 0 {
		return "AM"
	}
	return "PM"
}

func ordinalSuffix(day int) string {
	switch day {
	case 1, 21, 31:
		return "st"
	case 2, 22:
		return "nd"
	case 3, 23:
		return "rd"
	}
	return "th"
}
