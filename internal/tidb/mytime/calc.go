package mytime

import (
	"fmt"
	"strings"
)

// ToDays is MySQL's TO_DAYS: days since year 0 (types.calcDaynr, the
// proleptic Gregorian day number MySQL uses; 0000-00-00 gives 0).
func ToDays(t Time) int64 {
	return int64(dayNumber(t.Year, t.Month, t.Day))
}

func dayNumber(year, month, day int) int {
	if year == 0 && month == 0 {
		return 0
	}
	n := 365*year + 31*(month-1) + day
	if month <= 2 {
		year--
	} else {
		n -= (month*4 + 23) / 10
	}
	return n + year/4 - ((year/100+1)*3)/4
}

func daysInYear(year int) int {
	if year&3 == 0 && (year%100 != 0 || (year%400 == 0 && year != 0)) {
		return 366
	}
	return 365
}

// FromDays is MySQL's FROM_DAYS: the date of a day number (types.
// getDateFromDaynr). Day numbers up to 365 and from 3652500 give the zero
// date.
func FromDays(n int64) Time {
	if n <= 365 || n >= 3652500 {
		return Time{}
	}
	daynr := int(n)
	year := daynr * 100 / 36525
	dayOfYear := daynr - year*365 - (year-1)/4 + (((year-1)/100+1)*3)/4
	for diy := daysInYear(year); dayOfYear > diy; diy = daysInYear(year) {
		dayOfYear -= diy
		year++
	}
	leapDay := 0
	if daysInYear(year) == 366 && dayOfYear > 31+28 {
		dayOfYear--
		if dayOfYear == 31+28 {
			leapDay = 1
		}
	}
	month := 1
	for _, d := range daysByMonth {
		if dayOfYear <= d {
			break
		}
		dayOfYear -= d
		month++
	}
	return Time{Year: year, Month: month, Day: dayOfYear + leapDay}
}

// WeekDay is MySQL's WEEKDAY: 0 = Monday .. 6 = Sunday.
func WeekDay(t Time) int {
	return (dayNumber(t.Year, t.Month, t.Day) + 5) % 7
}

// DayOfWeek is MySQL's DAYOFWEEK: 1 = Sunday .. 7 = Saturday.
func DayOfWeek(t Time) int {
	return (dayNumber(t.Year, t.Month, t.Day)+6)%7 + 1
}

// DayOfYear is MySQL's DAYOFYEAR (0 when the month or day is zero).
func DayOfYear(t Time) int {
	if t.HasZeroInDate() {
		return 0
	}
	return dayNumber(t.Year, t.Month, t.Day) - dayNumber(t.Year, 1, 1) + 1
}

// DateDiff is MySQL's DATEDIFF(a, b): days from b to a, time ignored.
func DateDiff(a, b Time) int64 {
	return ToDays(a) - ToDays(b)
}

// Week is MySQL's WEEK(t, mode) (types.CoreTime.Week).
func Week(t Time, mode int) int {
	if t.HasZeroInDate() {
		return 0
	}
	_, w := calcWeek(t, weekMode(mode))
	return w
}

// YearWeek returns the year and week of YEARWEEK(t, mode).
func YearWeek(t Time, mode int) (year, week int) {
	return calcWeek(t, weekMode(mode)|weekYear)
}

const (
	weekMondayFirst  = 1 << iota // Monday starts the week, else Sunday
	weekYear                     // weeks 1..53 (week 0 belongs to the previous year)
	weekFirstWeekday             // week 1 holds the first first-day-of-week, else ISO 8601 rule
)

func weekMode(mode int) int {
	m := mode & 7
	if m&weekMondayFirst == 0 {
		m ^= weekFirstWeekday
	}
	return m
}

// calcWeek is MySQL's calc_week (sql/time.cc, types.calcWeek).
func calcWeek(t Time, wb int) (year, week int) {
	daynr := dayNumber(t.Year, t.Month, t.Day)
	firstDaynr := dayNumber(t.Year, 1, 1)
	mondayFirst := wb&weekMondayFirst != 0
	inYear := wb&weekYear != 0
	firstWeekday := wb&weekFirstWeekday != 0
	weekday := (firstDaynr + 5) % 7
	if !mondayFirst {
		weekday = (firstDaynr + 6) % 7
	}
	year = t.Year
	if t.Month == 1 && t.Day <= 7-weekday {
		if !inYear && ((firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4)) {
			return year, 0
		}
		inYear = true
		year--
		days := daysInYear(year)
		firstDaynr -= days
		weekday = (weekday + 53*7 - days) % 7
	}
	var days int
	if (firstWeekday && weekday != 0) || (!firstWeekday && weekday >= 4) {
		days = daynr - (firstDaynr + 7 - weekday)
	} else {
		days = daynr - (firstDaynr - weekday)
	}
	if inYear && days >= 52*7 {
		weekday = (weekday + daysInYear(year)) % 7
		if (!firstWeekday && weekday < 4) || (firstWeekday && weekday == 0) {
			return year + 1, 1
		}
	}
	return year, days/7 + 1
}

// AddInterval is MySQL's DATE_ADD(t, INTERVAL n unit) for the single-field
// units MICROSECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER and
// YEAR. Month arithmetic keeps the day but clamps it to the month's last
// day ('2018-01-31' + 1 MONTH = '2018-02-28'). Results outside years
// 0..9999 and dates with a zero month or day are errors (SQL NULL).
func AddInterval(t Time, n int64, unit string) (Time, error) {
	if t.HasZeroInDate() {
		return Time{}, fmt.Errorf("%w: DATE_ADD on %s", ErrInvalidTime, Format(t, Datetime, MaxFsp))
	}
	overflow := fmt.Errorf("%w: DATE_ADD(%s, INTERVAL %d %s) overflows", ErrInvalidTime, Format(t, Datetime, MaxFsp), n, unit)
	u := strings.ToUpper(unit)
	switch u {
	case "MONTH", "QUARTER", "YEAR":
		months := n
		if n > 12*10000 || n < -12*10000 {
			return Time{}, overflow
		}
		switch u {
		case "QUARTER":
			months *= 3
		case "YEAR":
			months *= 12
		}
		total := int64(t.Year)*12 + int64(t.Month-1) + months
		if total < 0 || total >= 10000*12 {
			return Time{}, overflow
		}
		r := t
		r.Year, r.Month = int(total/12), int(total%12)+1
		if last := LastDay(r.Year, r.Month); r.Day > last {
			r.Day = last
		}
		return r, nil
	}
	var factor int64
	switch u {
	case "MICROSECOND":
		factor = 1
	case "SECOND":
		factor = 1e6
	case "MINUTE":
		factor = 60e6
	case "HOUR":
		factor = 3600e6
	case "DAY":
		factor = 86400e6
	case "WEEK":
		factor = 7 * 86400e6
	default:
		return Time{}, fmt.Errorf("%w: unknown interval unit %q", ErrInvalidTime, unit)
	}
	// Anything beyond 10000 years of microseconds overflows the result.
	const span = 10000 * 366 * 86400e6
	if n > span/factor || n < -span/factor {
		return Time{}, overflow
	}
	micros := n * factor
	day := int64(dayNumber(t.Year, t.Month, t.Day))
	clock := int64(t.Hour)*3600e6 + int64(t.Minute)*60e6 + int64(t.Second)*1e6 + int64(t.Microsecond)
	total := day*86400e6 + clock + micros
	if total < 0 {
		return Time{}, overflow
	}
	days := total / 86400e6
	rest := total % 86400e6
	if days <= 365 || days >= 3652500 {
		// FromDays cannot represent it: outside 0001-01-01..9999-12-31.
		return Time{}, overflow
	}
	r := FromDays(days)
	if r.Year > 9999 {
		return Time{}, overflow
	}
	r.Hour = int(rest / 3600e6)
	r.Minute = int(rest / 60e6 % 60)
	r.Second = int(rest / 1e6 % 60)
	r.Microsecond = int(rest % 1e6)
	return r, nil
}

// TimestampDiff is MySQL's TIMESTAMPDIFF(unit, a, b): b - a in whole units
// (types.timestampDiff). Unknown units give 0.
func TimestampDiff(unit string, a, b Time) int64 {
	unit = strings.ToUpper(unit)
	da := int64(dayNumber(a.Year, a.Month, a.Day))
	db := int64(dayNumber(b.Year, b.Month, b.Day))
	clock := func(t Time) int64 { return int64(t.Hour)*3600 + int64(t.Minute)*60 + int64(t.Second) }
	diff := ((db-da)*86400+clock(b)-clock(a))*1e6 + int64(b.Microsecond) - int64(a.Microsecond)
	neg := diff < 0
	if neg {
		diff = -diff
	}
	seconds, micros := diff/1e6, diff%1e6
	sign := int64(1)
	if neg {
		sign = -1
	}
	var months int64
	if unit == "YEAR" || unit == "QUARTER" || unit == "MONTH" {
		beg, end := a, b
		if neg {
			beg, end = b, a
		}
		years := int64(end.Year - beg.Year)
		if end.Month < beg.Month || (end.Month == beg.Month && end.Day < beg.Day) {
			years--
		}
		months = 12 * years
		if end.Month < beg.Month || (end.Month == beg.Month && end.Day < beg.Day) {
			months += int64(12 - (beg.Month - end.Month))
		} else {
			months += int64(end.Month - beg.Month)
		}
		if end.Day < beg.Day {
			months--
		} else if end.Day == beg.Day && (clock(end) < clock(beg) || (clock(end) == clock(beg) && end.Microsecond < beg.Microsecond)) {
			months--
		}
	}
	switch unit {
	case "YEAR":
		return months / 12 * sign
	case "QUARTER":
		return months / 3 * sign
	case "MONTH":
		return months * sign
	case "WEEK":
		return seconds / 86400 / 7 * sign
	case "DAY":
		return seconds / 86400 * sign
	case "HOUR":
		return seconds / 3600 * sign
	case "MINUTE":
		return seconds / 60 * sign
	case "SECOND":
		return seconds * sign
	case "MICROSECOND":
		return (seconds*1e6 + micros) * sign
	}
	return 0
}
