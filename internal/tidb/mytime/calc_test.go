package mytime

import (
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

func mustTime(t *testing.T, s string) Time {
	t.Helper()
	tm, err := ParseTime([]byte(s), Datetime, 6, sqlmode.StrictAll)
	if err != nil {
		t.Fatalf("ParseTime(%q): %v", s, err)
	}
	return tm
}

// Expected values are the examples of the MySQL 8.0 reference manual,
// "Date and Time Functions".
func TestDateFormat(t *testing.T) {
	cases := []struct{ in, format, want string }{
		{"2009-10-04 22:23:00", "%W %M %Y", "Sunday October 2009"},
		{"2007-10-04 22:23:00", "%H:%i:%s", "22:23:00"},
		{"1900-10-04 22:23:00", "%D %y %a %d %m %b %j", "4th 00 Thu 04 10 Oct 277"},
		{"1997-10-04 22:23:00", "%H %k %I %r %T %S %w", "22 22 10 10:23:00 PM 22:23:00 00 6"},
		{"1999-01-01", "%X %V", "1998 52"},
		{"2006-06-00", "%d", "00"},
		{"2020-01-02 03:04:05.678", "%f %p %l %h %c %e %U %u %v %x", "678000 AM 3 03 1 2 00 01 01 2020"},
		{"2020-01-02", "100%% %q", "100% q"},
	}
	for _, c := range cases {
		got, err := DateFormat(mustTime(t, c.in), c.format)
		if err != nil || got != c.want {
			t.Errorf("DateFormat(%s, %q) = %q, %v; want %q", c.in, c.format, got, err, c.want)
		}
	}
	if _, err := DateFormat(Time{}, "%M"); err == nil {
		t.Error("%M of month 0 must fail")
	}
}

func TestDayFunctions(t *testing.T) {
	if got := ToDays(mustTime(t, "1995-05-01")); got != 728779 {
		t.Errorf("TO_DAYS(950501) = %d", got)
	}
	if got := ToDays(mustTime(t, "2007-10-07")); got != 733321 {
		t.Errorf("TO_DAYS('2007-10-07') = %d", got)
	}
	if got := Format(FromDays(730669), Date, 0); got != "2000-07-03" {
		t.Errorf("FROM_DAYS(730669) = %s", got)
	}
	if got := Format(FromDays(365), Date, 0); got != "0000-00-00" {
		t.Errorf("FROM_DAYS(365) = %s", got)
	}
	for d := int64(366); d < 3652500; d += 97 {
		if back := ToDays(FromDays(d)); back != d {
			t.Fatalf("ToDays(FromDays(%d)) = %d", d, back)
		}
	}
	if got := DayOfWeek(mustTime(t, "2007-02-03")); got != 7 {
		t.Errorf("DAYOFWEEK('2007-02-03') = %d", got)
	}
	if got := WeekDay(mustTime(t, "2008-02-03 22:23:00")); got != 6 {
		t.Errorf("WEEKDAY('2008-02-03 22:23:00') = %d", got)
	}
	if got := WeekDay(mustTime(t, "2007-11-06")); got != 1 {
		t.Errorf("WEEKDAY('2007-11-06') = %d", got)
	}
	if got := DayOfYear(mustTime(t, "2007-02-03")); got != 34 {
		t.Errorf("DAYOFYEAR('2007-02-03') = %d", got)
	}
	if got := DateDiff(mustTime(t, "2007-12-31 23:59:59"), mustTime(t, "2007-12-30")); got != 1 {
		t.Errorf("DATEDIFF = %d", got)
	}
	if got := DateDiff(mustTime(t, "2010-11-30 23:59:59"), mustTime(t, "2010-12-31")); got != -31 {
		t.Errorf("DATEDIFF = %d", got)
	}
	weeks := []struct {
		in         string
		mode, want int
	}{
		{"2008-02-20", 0, 7}, {"2008-02-20", 1, 8}, {"2008-12-31", 1, 53}, {"2000-01-01", 0, 0},
		{"2000-01-01", 2, 52},
	}
	for _, w := range weeks {
		if got := Week(mustTime(t, w.in), w.mode); got != w.want {
			t.Errorf("WEEK(%s, %d) = %d, want %d", w.in, w.mode, got, w.want)
		}
	}
	if y, w := YearWeek(mustTime(t, "1987-01-01"), 0); y*100+w != 198652 {
		t.Errorf("YEARWEEK('1987-01-01') = %d%d", y, w)
	}
}

func TestTimestampDiff(t *testing.T) {
	cases := []struct {
		unit, a, b string
		want       int64
	}{
		{"MONTH", "2003-02-01", "2003-05-01", 3},
		{"YEAR", "2002-05-01", "2001-01-01", -1},
		{"MINUTE", "2003-02-01", "2003-05-01 12:05:55", 128885},
		{"month", "2020-01-31", "2020-02-29", 0},
		{"DAY", "2020-01-01 12:00:00", "2020-01-03 11:59:59", 1},
		{"MICROSECOND", "2020-01-01 00:00:00", "2020-01-01 00:00:01.5", 1500000},
		{"QUARTER", "2020-01-01", "2021-01-01", 4},
		{"WEEK", "2020-01-01", "2020-01-15", 2},
	}
	for _, c := range cases {
		if got := TimestampDiff(c.unit, mustTime(t, c.a), mustTime(t, c.b)); got != c.want {
			t.Errorf("TIMESTAMPDIFF(%s, %s, %s) = %d, want %d", c.unit, c.a, c.b, got, c.want)
		}
	}
}

func TestAddInterval(t *testing.T) {
	cases := []struct {
		in   string
		n    int64
		unit string
		want string
	}{
		{"2018-05-01", 1, "DAY", "2018-05-02 00:00:00"},
		{"2020-12-31 23:59:59", 1, "SECOND", "2021-01-01 00:00:00"},
		{"2018-12-31 23:59:59", 1, "DAY", "2019-01-01 23:59:59"},
		{"1998-01-02", -31, "DAY", "1997-12-02 00:00:00"},
		{"1900-01-01 00:00:00", -1, "SECOND", "1899-12-31 23:59:59"},
		{"2018-01-31", 1, "MONTH", "2018-02-28 00:00:00"},
		{"2020-02-29", 1, "YEAR", "2021-02-28 00:00:00"},
		{"2020-11-30", 1, "QUARTER", "2021-02-28 00:00:00"},
		{"0001-01-01", -1, "YEAR", "0000-01-01 00:00:00"},
		{"2020-01-01 00:00:00", 1500000, "MICROSECOND", "2020-01-01 00:00:01"},
		{"2020-01-01", 2, "WEEK", "2020-01-15 00:00:00"},
		{"2020-01-01", -25, "HOUR", "2019-12-30 23:00:00"},
	}
	for _, c := range cases {
		got, err := AddInterval(mustTime(t, c.in), c.n, c.unit)
		if err != nil || Format(got, Datetime, 0) != c.want {
			t.Errorf("DATE_ADD(%s, %d %s) = %s, %v; want %s", c.in, c.n, c.unit, Format(got, Datetime, 0), err, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		n    int64
		unit string
	}{
		{"9999-12-31 23:59:59", 1, "SECOND"}, {"0001-01-01", -2, "YEAR"}, {"2020-01-01", 1, "FORTNIGHT"},
		{"2020-00-01", 1, "DAY"}, {"2020-01-01", 1 << 62, "WEEK"},
	} {
		if got, err := AddInterval(mustTime(t, c.in), c.n, c.unit); err == nil {
			t.Errorf("DATE_ADD(%s, %d %s) = %+v, want an error", c.in, c.n, c.unit, got)
		}
	}
}

func TestUnixTimestamp(t *testing.T) {
	sec, micro := UnixTimestamp(mustTime(t, "2015-11-13 10:20:19.012"), time.UTC)
	if sec != 1447410019 || micro != 12000 {
		t.Errorf("UNIX_TIMESTAMP = %d.%06d", sec, micro)
	}
	if sec, _ := UnixTimestamp(mustTime(t, "1960-01-01"), time.UTC); sec != 0 {
		t.Errorf("out of range UNIX_TIMESTAMP = %d, want 0", sec)
	}
}
