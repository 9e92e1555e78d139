// Package mytime holds MySQL/TiDB temporal values: DATE, DATETIME and
// TIMESTAMP (Time), TIME (nanosecond durations) and YEAR, with the parsing,
// rounding, validation and formatting rules TiDB applies when a dump value is
// cast to a column (pkg/types/time*.go, core_time.go, fsp.go,
// pkg/table/column.go handleZeroDatetime).
//
// Errors follow one convention: a non-nil error means strict SQL mode rejects
// the value, and the value returned alongside it is what non-strict mode
// stores (usually the zero value, a clamped value for out-of-range TIME and
// YEAR). Callers in non-strict mode may keep the value and record a warning.
package mytime

import (
	"errors"
	"fmt"
)

// Type is the MySQL column type a Time is cast to.
type Type uint8

// The temporal column types held by Time.
const (
	Datetime Type = iota
	Date
	Timestamp
)

func (tp Type) String() string {
	switch tp {
	case Date:
		return "date"
	case Timestamp:
		return "timestamp"
	default:
		return "datetime"
	}
}

// MaxFsp is the largest fractional-second precision MySQL supports.
const MaxFsp = 6

// Errors callers branch on. Every error returned by this package wraps one
// of them and names the offending value.
var (
	// ErrInvalidTime: the text is not a date/time, or the date is not valid
	// under the SQL mode, or a TIMESTAMP is out of its range.
	ErrInvalidTime = errors.New("incorrect time value")
	// ErrInvalidDuration: the text is not a TIME value, or it is outside
	// -838:59:59..838:59:59 (the returned value is then clamped).
	ErrInvalidDuration = errors.New("incorrect TIME value")
	// ErrInvalidYear: the value is not a YEAR or is outside 1901..2155.
	ErrInvalidYear = errors.New("incorrect YEAR value")
	// ErrInvalidFsp: a fractional-second precision outside 0..6.
	ErrInvalidFsp = errors.New("invalid fractional seconds precision")
)

func invalidTime(tp Type, s []byte, why string) error {
	return fmt.Errorf("%w for %s: %q: %s", ErrInvalidTime, tp, s, why)
}

// Time is a DATE, DATETIME or TIMESTAMP value as its fields. It carries
// neither type nor fsp (the column has them); TIMESTAMP values are in
// whatever zone the caller says (session zone after parsing, UTC after
// ToUTC). The zero Time is MySQL's zero date '0000-00-00 00:00:00'.
type Time struct {
	Year, Month, Day     int
	Hour, Minute, Second int
	Microsecond          int
}

// IsZero reports whether t is the zero date '0000-00-00 00:00:00'.
func (t Time) IsZero() bool { return t == Time{} }

// HasZeroInDate reports whether the month or the day is zero (MySQL's
// "zero in date"), which includes the zero date itself.
func (t Time) HasZeroInDate() bool { return t.Month == 0 || t.Day == 0 }

// Pack returns TiDB's packed uint64 form (types.Time.ToPackedUint, SPEC
// §3.3), the form stored in rows and index keys. The zero date packs to 0;
// fsp is not stored. The packed order is the chronological order.
func (t Time) Pack() uint64 {
	if t.IsZero() {
		return 0
	}
	ymd := uint64(((t.Year*13 + t.Month) << 5) | t.Day)
	hms := uint64(t.Hour<<12 | t.Minute<<6 | t.Second)
	return ((ymd<<17 | hms) << 24) | uint64(t.Microsecond)
}

// Unpack is the inverse of Pack (types.Time.FromPackedUint).
func Unpack(packed uint64) Time {
	if packed == 0 {
		return Time{}
	}
	ymdhms := packed >> 24
	ymd := ymdhms >> 17
	ym := ymd >> 5
	hms := ymdhms & (1<<17 - 1)
	return Time{
		Year:        int(ym / 13),
		Month:       int(ym % 13),
		Day:         int(ymd & (1<<5 - 1)),
		Hour:        int(hms >> 12),
		Minute:      int((hms >> 6) & (1<<6 - 1)),
		Second:      int(hms & (1<<6 - 1)),
		Microsecond: int(packed & (1<<24 - 1)),
	}
}

// Compare returns -1, 0 or +1 as t is before, equal to or after u.
func (t Time) Compare(u Time) int {
	a, b := t.Pack(), u.Pack()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Date returns t with the time of day cleared, as a DATE column stores it
// (types.Datum.convertToMysqlTime truncates, it does not round).
func (t Time) Date() Time {
	return Time{Year: t.Year, Month: t.Month, Day: t.Day}
}

// fitsCoreTime reports whether every field fits TiDB's CoreTime bit widths
// (types.FromDateChecked): a value that does not is rejected before any
// calendar check.
func (t Time) fitsCoreTime() bool {
	return uint(t.Year) < 1<<14 && uint(t.Month) < 1<<4 && uint(t.Day) < 1<<5 &&
		uint(t.Hour) < 1<<5 && uint(t.Minute) < 1<<6 && uint(t.Second) < 1<<6 &&
		uint(t.Microsecond) < 1<<20
}

// IsLeapYear reports whether year is a Gregorian leap year.
func IsLeapYear(year int) bool {
	return (year%4 == 0 && year%100 != 0) || year%400 == 0
}

var daysByMonth = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// LastDay returns the number of days in month of year (0 for a month
// outside 1..12).
func LastDay(year, month int) int {
	if month < 1 || month > 12 {
		return 0
	}
	if month == 2 && IsLeapYear(year) {
		return 29
	}
	return daysByMonth[month-1]
}

// checkDatetime applies types.checkDatetimeType: the date range up to
// 9999-12-31 23:59:59.999999, zero month/day only when allowZeroInDate, the
// day within the month unless allowInvalid (then only day <= 31), and the
// clock fields in range. The all-zero date always passes.
func checkDatetime(t Time, allowZeroInDate, allowInvalid bool) string {
	if !(t.Year == 0 && t.Month == 0 && t.Day == 0) {
		if !allowZeroInDate && (t.Month == 0 || t.Day == 0) {
			return "zero month or day"
		}
		if t.Year < 0 || t.Month < 0 || t.Day < 0 || t.Year > 9999 {
			return "date out of range"
		}
		if t.Month > 12 {
			return "month out of range"
		}
		maxDay := 31
		if !allowInvalid && t.Month > 0 {
			maxDay = LastDay(t.Year, t.Month)
		}
		if t.Day > maxDay {
			return "day out of range for the month"
		}
	}
	switch {
	case t.Hour < 0 || t.Hour >= 24:
		return "hour out of range"
	case t.Minute < 0 || t.Minute >= 60:
		return "minute out of range"
	case t.Second < 0 || t.Second >= 60:
		return "second out of range"
	case t.Microsecond < 0 || t.Microsecond > 999999:
		return "microsecond out of range"
	}
	return ""
}

// validCalendarDate reports whether t's date exists in the calendar (what a
// round trip through Go's time.Date checks in TiDB's CoreTime.GoTime).
func validCalendarDate(t Time) bool {
	return t.Month >= 1 && t.Month <= 12 && t.Day >= 1 && t.Day <= LastDay(t.Year, t.Month) &&
		t.Hour < 24 && t.Minute < 60 && t.Second < 60
}

// checkFsp applies types.CheckFsp: -1 means the default 0, values above 6
// are capped at 6, other negatives are errors.
func checkFsp(fsp int) (int, error) {
	switch {
	case fsp == -1:
		return 0, nil
	case fsp < -1:
		return 0, fmt.Errorf("%w: %d", ErrInvalidFsp, fsp)
	case fsp > MaxFsp:
		return MaxFsp, nil
	}
	return fsp, nil
}
