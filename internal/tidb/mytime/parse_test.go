package mytime

import (
	"errors"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// Cases from TiDB pkg/types/time_test.go TestDateTime (ParseDatetime uses
// the string's own fraction length as fsp), run with StrictFlags plus
// IgnoreZeroInDate, which is what sqlmode.StrictAll gives.
func TestParseDatetimeTiDBCases(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2012-12-31 11:30:45", "2012-12-31 11:30:45"},
		{"0000-00-00 00:00:00", "0000-00-00 00:00:00"},
		{"0001-01-01 00:00:00", "0001-01-01 00:00:00"},
		{"00-12-31 11:30:45", "2000-12-31 11:30:45"},
		{"12-12-31 11:30:45", "2012-12-31 11:30:45"},
		{"2012-12-31", "2012-12-31 00:00:00"},
		{"20121231", "2012-12-31 00:00:00"},
		{"121231", "2012-12-31 00:00:00"},
		{"2012^12^31 11+30+45", "2012-12-31 11:30:45"},
		{"2012^12^31T11+30+45", "2012-12-31 11:30:45"},
		{"2012-2-1 11:30:45", "2012-02-01 11:30:45"},
		{"12-2-1 11:30:45", "2012-02-01 11:30:45"},
		{"20121231113045", "2012-12-31 11:30:45"},
		{"121231113045", "2012-12-31 11:30:45"},
		{"2012-02-29", "2012-02-29 00:00:00"},
		{"00-00-00", "0000-00-00 00:00:00"},
		{"00-00-00 00:00:00.123", "2000-00-00 00:00:00.123"},
		{"11111111111", "2011-11-11 11:11:01"},
		{"1701020301.", "2017-01-02 03:01:00"},
		{"1701020304.1", "2017-01-02 03:04:01.0"},
		{"1701020302.11", "2017-01-02 03:02:11.00"},
		{"170102036", "2017-01-02 03:06:00"},
		{"170102039.", "2017-01-02 03:09:00"},
		{"170102037.11", "2017-01-02 03:07:11.00"},
		{"2018-01-01 18", "2018-01-01 18:00:00"},
		{"18-01-01 18", "2018-01-01 18:00:00"},
		{"2018.01.01", "2018-01-01 00:00:00.00"},
		{"2020.10.10 10.10.10", "2020-10-10 10:10:10.00"},
		{"2020-10-10 10-10.10", "2020-10-10 10:10:10.00"},
		{"2020-10-10 10.10", "2020-10-10 10:10:00.00"},
		{"2018.01.01 00:00:00", "2018-01-01 00:00:00"},
		{"2018/01/01-00:00:00", "2018-01-01 00:00:00"},
		{"4710072", "2047-10-07 02:00:00"},
		{"2016-06-01 00:00:00 00:00:00", "2016-06-01 00:00:00"},
		{"2020-06-01 00:00:00ads!,?*da;dsx", "2020-06-01 00:00:00"},
		{"2020-05-28 23:59:59 00:00:00", "2020-05-28 23:59:59"},
		{"2020-05-28 23:59:59-00:00:00", "2020-05-28 23:59:59"},
		{"2020-05-28 23:59:59T T00:00:00", "2020-05-28 23:59:59"},
		{"2020-10-22 10:31-10:12", "2020-10-22 10:31:10"},
		{"2018.01.01 01:00:00", "2018-01-01 01:00:00"},
		{"2020-01-01 12:00:00.123456+05:00", "2020-01-01 07:00:00.123456"},
		{"2020-01-01 12:00:00.123456-05:00", "2020-01-01 17:00:00.123456"},
	}
	for _, c := range cases {
		fsp := stringFsp(c.in)
		got, err := ParseTime([]byte(c.in), Datetime, fsp, sqlmode.StrictAll)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", c.in, err)
			continue
		}
		if s := Format(got, Datetime, fsp); s != c.want {
			t.Errorf("ParseTime(%q) = %s, want %s", c.in, s, c.want)
		}
	}
}

func TestParseTimeFsp(t *testing.T) {
	cases := []struct {
		in   string
		fsp  int
		want string
	}{
		{"20170118.123", 6, "2017-01-18 12:03:00.000000"},
		{"121231113045.123345", 6, "2012-12-31 11:30:45.123345"},
		{"20121231113045.123345", 6, "2012-12-31 11:30:45.123345"},
		{"121231113045.9999999", 6, "2012-12-31 11:30:46.000000"},
		{"170105084059.575601", 0, "2017-01-05 08:41:00"},
		{"2017-01-05 23:59:59.575601", 0, "2017-01-06 00:00:00"},
		{"2017-01-31 23:59:59.575601", 0, "2017-02-01 00:00:00"},
		{"2017-00-05 23:59:58.575601", 3, "2017-00-05 23:59:58.576"},
		{"2017.00.05 23:59:58.575601", 3, "2017-00-05 23:59:58.576"},
		{"2017/00/05 23:59:58.575601", 3, "2017-00-05 23:59:58.576"},
		{"2017/00/05-23:59:58.575601", 3, "2017-00-05 23:59:58.576"},
		{"1710-10:00", 0, "1710-10-00 00:00:00"},
		{"1710.10+00", 0, "1710-10-00 00:00:00"},
		{"2020-10:15", 0, "2020-10-15 00:00:00"},
		{"2020.09-10:15", 0, "2020-09-10 15:00:00"},
		{"2.0.8 hotfix", 6, "2002-00-08 00:00:00.000000"},
		// Rounding carries through every field (brief's example).
		{"2020-12-31 23:59:59.9999995", 6, "2021-01-01 00:00:00.000000"},
		{"2020-02-28 23:59:59.5", 0, "2020-02-29 00:00:00"},
		{"2019-02-28 23:59:59.5", 0, "2019-03-01 00:00:00"},
		// Half up on the digit after fsp only (types.ParseFrac).
		{"2020-01-01 00:00:00.1234549", 5, "2020-01-01 00:00:00.12345"},
		{"2020-01-01 00:00:00.1234550", 5, "2020-01-01 00:00:00.12346"},
		// TIMESTAMP(3) from six-digit fractions (lightning_various_types).
		{"1970-11-09 19:25:45.842815", 3, "1970-11-09 19:25:45.843"},
		{"2036-10-14 10:48:28.620306", 3, "2036-10-14 10:48:28.620"},
		{"2020-01-01T10:20:30Z", 0, "2020-01-01 10:20:30"},
		{"2020-01-01 10:20:30+0800", 0, "2020-01-01 02:20:30"},
		{"2020-01-01 10:20:30+08", 0, "2020-01-01 02:20:30"},
	}
	for _, c := range cases {
		got, err := ParseTime([]byte(c.in), Datetime, c.fsp, sqlmode.StrictAll)
		if err != nil {
			t.Errorf("ParseTime(%q, %d): %v", c.in, c.fsp, err)
			continue
		}
		if s := Format(got, Datetime, c.fsp); s != c.want {
			t.Errorf("ParseTime(%q, %d) = %s, want %s", c.in, c.fsp, s, c.want)
		}
	}
}

func TestParseDatetimeErrors(t *testing.T) {
	for _, in := range []string{
		"1000-01-01 00:00:70", "1000-13-00 00:00:00", "1201012736.0000", "1201012736",
		"10000-01-01 00:00:00", "1000-09-31 00:00:00", "1001-02-29 00:00:00", "20170118.999",
		"2018-01", "2018.01", "20170118-12:34", "20170118-1234", "170118-1234", "170118-12",
		"1710-10", "1710-1000", "", "abc", "2021-02-30", "2020-01-01 24:00:00",
		"2020-01-01 00:00:00+15:00", "2020-01-01 00:00:00-00:00",
	} {
		got, err := ParseTime([]byte(in), Datetime, 0, sqlmode.StrictAll)
		if err == nil {
			t.Errorf("ParseTime(%q) = %+v, want an error", in, got)
			continue
		}
		if !errors.Is(err, ErrInvalidTime) {
			t.Errorf("ParseTime(%q) error %v does not wrap ErrInvalidTime", in, err)
		}
		if !got.IsZero() {
			t.Errorf("ParseTime(%q) returned %+v with the error, want zero", in, got)
		}
	}
}

// TiDB TestDate: every ASCII punctuation delimits, DATE drops the time.
func TestParseDate(t *testing.T) {
	cases := []struct{ in, want string }{
		{"0001-12-13", "0001-12-13"}, {"2011-12-13", "2011-12-13"},
		{"2011-12-13 10:10:10", "2011-12-13"}, {"2015-06-01 12:12:12", "2015-06-01"},
		{"0001-01-01 00:00:00", "0001-01-01"}, {"00-12-31", "2000-12-31"},
		{"2011\"12\"13", "2011-12-13"}, {"2011#12#13", "2011-12-13"}, {"2011$12$13", "2011-12-13"},
		{"2011%12%13", "2011-12-13"}, {"2011&12&13", "2011-12-13"}, {"2011'12'13", "2011-12-13"},
		{"2011(12(13", "2011-12-13"}, {"2011)12)13", "2011-12-13"}, {"2011*12*13", "2011-12-13"},
		{"2011+12+13", "2011-12-13"}, {"2011,12,13", "2011-12-13"}, {"2011.12.13", "2011-12-13"},
		{"2011/12/13", "2011-12-13"}, {"2011:12:13", "2011-12-13"}, {"2011;12;13", "2011-12-13"},
		{"2011<12<13", "2011-12-13"}, {"2011=12=13", "2011-12-13"}, {"2011>12>13", "2011-12-13"},
		{"2011?12?13", "2011-12-13"}, {"2011@12@13", "2011-12-13"}, {"2011[12[13", "2011-12-13"},
		{"2011\\12\\13", "2011-12-13"}, {"2011]12]13", "2011-12-13"}, {"2011^12^13", "2011-12-13"},
		{"2011_12_13", "2011-12-13"}, {"2011`12`13", "2011-12-13"}, {"2011{12{13", "2011-12-13"},
		{"2011|12|13", "2011-12-13"}, {"2011}12}13", "2011-12-13"}, {"2011~12~13", "2011-12-13"},
		{"2011~12~13 12~12~12", "2011-12-13"}, {"2011~12~13T12~12~12", "2011-12-13"},
		{"2011~12~13~12~12~12", "2011-12-13"}, {"20111213", "2011-12-13"}, {"111213", "2011-12-13"},
		{" 2011-12-13", "2011-12-13"}, {"2011-12-13 ", "2011-12-13"}, {"   2011-12-13    ", "2011-12-13"},
		{"2011-12--13", "2011-12-13"}, {"2011--12-13", "2011-12-13"}, {"2011-12..13", "2011-12-13"},
		{"2011----12----13", "2011-12-13"}, {"2011~/.12)_#13T T.12~)12[~12", "2011-12-13"},
		{"   2011----12----13    ", "2011-12-13"},
		// The fraction is rounded at fsp 0 before the time is dropped.
		{"2020-01-01 23:59:59.5", "2020-01-02"},
	}
	for _, c := range cases {
		got, err := ParseTime([]byte(c.in), Date, 0, sqlmode.StrictAll)
		if err != nil {
			t.Errorf("ParseTime(%q, Date): %v", c.in, err)
			continue
		}
		if s := Format(got, Date, 0); s != c.want {
			t.Errorf("ParseTime(%q, Date) = %s, want %s", c.in, s, c.want)
		}
		if got.Hour != 0 || got.Minute != 0 || got.Second != 0 || got.Microsecond != 0 {
			t.Errorf("ParseTime(%q, Date) kept a time of day: %+v", c.in, got)
		}
	}
	for _, in := range []string{"0121231", "1201012736.0000", "1201012736", "2019.01", "2019 01 02",
		"2019A01A02", "2019-01T02", "2011-12-13 10:10T10", "2019–01–02", "2019—01—02"} {
		if got, err := ParseTime([]byte(in), Date, 0, sqlmode.StrictAll); err == nil {
			t.Errorf("ParseTime(%q, Date) = %+v, want an error", in, got)
		}
	}
}

// The zero-date rules of table.handleZeroDatetime under the SQL modes.
func TestParseTimeSQLMode(t *testing.T) {
	strict := sqlmode.StrictAll
	nonStrict := sqlmode.Mode(0)
	cases := []struct {
		in      string
		tp      Type
		mode    sqlmode.Mode
		wantErr bool
		want    string
	}{
		{"0000-00-00 00:00:00", Datetime, strict, false, "0000-00-00 00:00:00"},
		{"0000-00-00", Date, strict, false, "0000-00-00"},
		{"0000-00-00 00:00:00", Timestamp, strict, false, "0000-00-00 00:00:00"},
		{"0000-00-00 00:00:00", Datetime, strict | sqlmode.NoZeroDate, true, "0000-00-00 00:00:00"},
		{"0000-00-00 00:00:00", Timestamp, strict | sqlmode.NoZeroDate, true, "0000-00-00 00:00:00"},
		{"0000-00-00 00:00:00", Datetime, nonStrict | sqlmode.NoZeroDate, true, "0000-00-00 00:00:00"},
		{"2020-00-10", Date, strict, false, "2020-00-10"},
		{"2020-05-00", Datetime, strict, false, "2020-05-00 00:00:00"},
		{"2020-00-10", Date, strict | sqlmode.NoZeroInDate, true, "0000-00-00"},
		{"2020-00-10", Date, nonStrict | sqlmode.NoZeroInDate, true, "0000-00-00"},
		{"2020-00-10", Date, strict | sqlmode.NoZeroInDate | sqlmode.NoZeroDate, true, "0000-00-00"},
		{"2020-00-10 00:00:00", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"2021-02-30", Date, strict, true, "0000-00-00"},
		{"2021-02-30", Date, nonStrict, true, "0000-00-00"},
		{"2021-02-30", Date, strict | sqlmode.AllowInvalidDates, false, "2021-02-30"},
		{"2021-02-32", Date, strict | sqlmode.AllowInvalidDates, true, "0000-00-00"},
		{"2021-04-31 10:00:00", Datetime, strict | sqlmode.AllowInvalidDates, false, "2021-04-31 10:00:00"},
		{"2021-02-30 10:00:00", Timestamp, strict | sqlmode.AllowInvalidDates, true, "0000-00-00 00:00:00"},
		{"1969-12-31 23:59:59", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"1970-01-01 00:00:00", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"1970-01-01 00:00:01", Timestamp, strict, false, "1970-01-01 00:00:01"},
		{"2038-01-19 03:14:07", Timestamp, strict, false, "2038-01-19 03:14:07"},
		{"2038-01-19 03:14:08", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"2048-12-31 11:30:45", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"2016-12-00 00:00:00", Timestamp, strict, true, "0000-00-00 00:00:00"},
		{"9999-12-31 23:59:59", Datetime, strict, false, "9999-12-31 23:59:59"},
	}
	for _, c := range cases {
		got, err := ParseTime([]byte(c.in), c.tp, 0, c.mode)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseTime(%q, %s, mode %b) error = %v, want error %v", c.in, c.tp, c.mode, err, c.wantErr)
		}
		if s := Format(got, c.tp, 0); s != c.want {
			t.Errorf("ParseTime(%q, %s, mode %b) = %s, want %s", c.in, c.tp, c.mode, s, c.want)
		}
	}
}

// TiDB TestParseTimeFromNum: {number, datetime error, datetime, timestamp
// error, timestamp, date}.
func TestParseTimeFromNumber(t *testing.T) {
	const zdt, zd = "0000-00-00 00:00:00", "0000-00-00"
	cases := []struct {
		in    int64
		dtErr bool
		dt    string
		tsErr bool
		ts    string
		dateV string
	}{
		{20101010111111, false, "2010-10-10 11:11:11", false, "2010-10-10 11:11:11", "2010-10-10"},
		{2010101011111, false, "0201-01-01 01:11:11", true, zdt, "0201-01-01"},
		{201010101111, false, "2020-10-10 10:11:11", false, "2020-10-10 10:11:11", "2020-10-10"},
		{20101010111, false, "2002-01-01 01:01:11", false, "2002-01-01 01:01:11", "2002-01-01"},
		{2010101011, true, zdt, true, zdt, zd},
		{201010101, false, "2000-02-01 01:01:01", false, "2000-02-01 01:01:01", "2000-02-01"},
		{20101010, false, "2010-10-10 00:00:00", false, "2010-10-10 00:00:00", "2010-10-10"},
		{2010101, false, "0201-01-01 00:00:00", true, zdt, "0201-01-01"},
		{201010, false, "2020-10-10 00:00:00", false, "2020-10-10 00:00:00", "2020-10-10"},
		{20101, false, "2002-01-01 00:00:00", false, "2002-01-01 00:00:00", "2002-01-01"},
		{2010, true, zdt, true, zdt, zd},
		{201, false, "2000-02-01 00:00:00", false, "2000-02-01 00:00:00", "2000-02-01"},
		{20, true, zdt, true, zdt, zd},
		{2, true, zdt, true, zdt, zd},
		{0, false, zdt, false, zdt, zd},
		{-1, true, zdt, true, zdt, zd},
		{99999999999999, true, zdt, true, zdt, zd},
		{100000000000000, true, zdt, true, zdt, zd},
		{10000102000000, false, "1000-01-02 00:00:00", true, zdt, "1000-01-02"},
		{19690101000000, false, "1969-01-01 00:00:00", true, zdt, "1969-01-01"},
		{991231235959, false, "1999-12-31 23:59:59", false, "1999-12-31 23:59:59", "1999-12-31"},
		{691231235959, false, "2069-12-31 23:59:59", true, zdt, "2069-12-31"},
		{370119031407, false, "2037-01-19 03:14:07", false, "2037-01-19 03:14:07", "2037-01-19"},
		{380120031407, false, "2038-01-20 03:14:07", true, zdt, "2038-01-20"},
		{11111111111, false, "2001-11-11 11:11:11", false, "2001-11-11 11:11:11", "2001-11-11"},
	}
	for _, c := range cases {
		check := func(tp Type, wantErr bool, want string) {
			t.Helper()
			got, err := ParseTimeFromNumber(c.in, tp, 0, sqlmode.StrictAll)
			if (err != nil) != wantErr {
				t.Errorf("ParseTimeFromNumber(%d, %s) error = %v, want error %v", c.in, tp, err, wantErr)
			}
			if s := Format(got, tp, 0); s != want {
				t.Errorf("ParseTimeFromNumber(%d, %s) = %s, want %s", c.in, tp, s, want)
			}
		}
		check(Datetime, c.dtErr, c.dt)
		check(Timestamp, c.tsErr, c.ts)
		check(Date, c.dtErr, c.dateV)
	}
}

// TiDB TestParseTimeFromFloatString.
func TestParseTimeFromNumeric(t *testing.T) {
	cases := []struct {
		in      string
		fsp     int
		wantErr bool
		want    string
	}{
		{"20170118.123", 3, false, "2017-01-18 00:00:00.000"},
		{"121231113045.123345", 6, false, "2012-12-31 11:30:45.123345"},
		{"20121231113045.123345", 6, false, "2012-12-31 11:30:45.123345"},
		{"121231113045.9999999", 6, false, "2012-12-31 11:30:46.000000"},
		{"170105084059.575601", 6, false, "2017-01-05 08:40:59.575601"},
		{"201705051315111.22", 2, true, ""},
		{"2011110859.1111", 4, true, ""},
		{"191203081.1111", 4, true, ""},
		{"43128.121105", 6, true, ""},
		{"20230102", 0, false, "2023-01-02 00:00:00"},
		{"0.000", 0, false, "0000-00-00 00:00:00"},
	}
	for _, c := range cases {
		got, err := ParseTimeFromNumeric([]byte(c.in), Datetime, c.fsp, sqlmode.StrictAll, nil)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseTimeFromNumeric(%q) error = %v, want error %v", c.in, err, c.wantErr)
			continue
		}
		if !c.wantErr {
			if s := Format(got, Datetime, c.fsp); s != c.want {
				t.Errorf("ParseTimeFromNumeric(%q) = %s, want %s", c.in, s, c.want)
			}
		}
	}
}

// TiDB TestParseFrac.
func TestParseFrac(t *testing.T) {
	cases := []struct {
		s        string
		fsp, ret int
		overflow bool
	}{
		{"1234567", 0, 0, false}, {"1234567", 1, 100000, false}, {"0000567", 5, 60, false},
		{"1234567", 5, 123460, false}, {"1234567", 6, 123457, false}, {"123", 4, 123000, false},
		{"123", 5, 123000, false}, {"123", 6, 123000, false}, {"11", 6, 110000, false},
		{"01", 3, 10000, false}, {"012", 4, 12000, false}, {"0123", 5, 12300, false},
		{"9999999", 6, 0, true}, {"999999", 5, 0, true}, {"999", 2, 0, true}, {"999", 3, 999000, false},
	}
	for _, c := range cases {
		v, o := parseFrac(c.s, c.fsp)
		if v != c.ret || o != c.overflow {
			t.Errorf("parseFrac(%q, %d) = %d, %v; want %d, %v", c.s, c.fsp, v, o, c.ret, c.overflow)
		}
	}
}
