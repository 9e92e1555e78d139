package mytime

import (
	"bytes"
	"strconv"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// ParseTimeFromNumber casts an unquoted integer from a dump (20230102,
// 20230102123456, 230102, 0) to a DATE/DATETIME/TIMESTAMP column the way
// TiDB does (types.ParseTimeFromNum, MySQL's number_to_datetime), with the
// session zone UTC. 0 is the zero date.
func ParseTimeFromNumber(n int64, tp Type, fsp int, mode sqlmode.Mode) (Time, error) {
	return ParseTimeFromNumberIn(n, tp, fsp, mode, time.UTC)
}

// ParseTimeFromNumberIn is ParseTimeFromNumber in session zone loc.
func ParseTimeFromNumberIn(n int64, tp Type, fsp int, mode sqlmode.Mode, loc *time.Location) (Time, error) {
	loc = orUTC(loc)
	if _, err := checkFsp(fsp); err != nil {
		return Time{}, err
	}
	text := strconv.AppendInt(nil, n, 10)
	if n == 0 {
		return finishCast(Time{}, tp, mode, loc, text, "")
	}
	t, why := timeFromNumber(n)
	return finishCast(t, tp, mode, loc, text, why)
}

// ParseTimeFromNumeric casts unquoted numeric text: an integer goes through
// ParseTimeFromNumber, a decimal such as 20230102123456.5 through TiDB's
// float-string path (types.ParseTimeFromFloatString: the integer part as a
// number, the fraction as microseconds only for datetime-length numbers).
func ParseTimeFromNumeric(s []byte, tp Type, fsp int, mode sqlmode.Mode, loc *time.Location) (Time, error) {
	loc = orUTC(loc)
	s = bytes.TrimSpace(s)
	if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		return ParseTimeFromNumberIn(n, tp, fsp, mode, loc)
	}
	fsp, err := checkFsp(fsp)
	if err != nil {
		return Time{}, err
	}
	if tp == Date {
		fsp = 0
	}
	if bytes.HasPrefix(s, []byte("0.0")) {
		return finishCast(Time{}, tp, mode, loc, s, "")
	}
	t, why := parseDatetime(string(s), fsp, true, loc)
	return finishCast(t, tp, mode, loc, s, why)
}

// timeFromNumber is types.parseDateTimeFromNum: it picks YYMMDD, YYYYMMDD,
// YYMMDDHHMMSS or YYYYMMDDHHMMSS by magnitude.
func timeFromNumber(num int64) (Time, string) {
	if num == 0 {
		return Time{}, ""
	}
	const bad = "number is not a date"
	switch {
	case num >= 10000101000000:
	case num < 101:
		return Time{}, bad
	case num <= 69*10000+1231:
		num = (num + 20000000) * 1000000
	case num < 70*10000+101:
		return Time{}, bad
	case num <= 991231:
		num = (num + 19000000) * 1000000
	case num <= 99991231:
		num *= 1000000
	case num < 101000000:
		return Time{}, bad
	case num <= 69*10000000000+1231235959:
		num += 20000000000000
	case num < 70*10000000000+101000000:
		return Time{}, bad
	case num <= 991231235959:
		num += 19000000000000
	}
	if num < 0 {
		return Time{}, bad
	}
	ymd, hms := num/1000000, num%1000000
	t := Time{
		Year: int(ymd / 10000), Month: int(ymd / 100 % 100), Day: int(ymd % 100),
		Hour: int(hms / 10000), Minute: int(hms / 100 % 100), Second: int(hms % 100),
	}
	if !t.fitsCoreTime() {
		return Time{}, "field out of range"
	}
	return t, ""
}
