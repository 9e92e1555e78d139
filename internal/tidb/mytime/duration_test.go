package mytime

import (
	"errors"
	"testing"
)

// TiDB pkg/types/time_test.go TestTime and TestTimeFsp.
func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		fsp  int
		want string
	}{
		{"10:11:12", 0, "10:11:12"},
		{"101112", 0, "10:11:12"},
		{"020005", 0, "02:00:05"},
		{"112", 0, "00:01:12"},
		{"10:11", 0, "10:11:00"},
		{"101112.123456", 0, "10:11:12"},
		{"1112", 0, "00:11:12"},
		{"1", 0, "00:00:01"},
		{"12", 0, "00:00:12"},
		{"1 12", 0, "36:00:00"},
		{"1 10:11:12", 0, "34:11:12"},
		{"1 10:11:12.123456", 0, "34:11:12"},
		{"10:11:12.123456", 0, "10:11:12"},
		{"1 10:11", 0, "34:11:00"},
		{"1 10", 0, "34:00:00"},
		{"24 10", 0, "586:00:00"},
		{"-24 10", 0, "-586:00:00"},
		{"0 10", 0, "10:00:00"},
		{"-10:10:10", 0, "-10:10:10"},
		{"-838:59:59", 0, "-838:59:59"},
		{"838:59:59", 0, "838:59:59"},
		{"2011-11-11 00:00:01", 0, "00:00:01"},
		{"20111111121212.123", 0, "12:12:12"},
		{"2011-11-11T12:12:12", 0, "12:12:12"},
		{"101112.123456", 6, "10:11:12.123456"},
		{"1 10:11:12.123456", 6, "34:11:12.123456"},
		{"10:11:12.123456", 6, "10:11:12.123456"},
		{"00:00:00.1", 0, "00:00:00"},
		{"00:00:00.1", 1, "00:00:00.1"},
		{"00:00:00.777777", 2, "00:00:00.78"},
		{"00:00:00.777777", 6, "00:00:00.777777"},
		{"00:00:00.777777", -1, "00:00:01"},
		{"00:00:00.001", 3, "00:00:00.001"},
		{"08:29:59.537368", 0, "08:30:00"},
		{"08:59:59.537368", 0, "09:00:00"},
		{"-11:30:45.9233456", 0, "-11:30:46"},
		{"11:30:45.1233456", 6, "11:30:45.123346"},
		{"  4:00:00  ", 0, "04:00:00"},
	}
	for _, c := range cases {
		ns, err := ParseDuration([]byte(c.in), c.fsp)
		if err != nil {
			t.Errorf("ParseDuration(%q, %d): %v", c.in, c.fsp, err)
			continue
		}
		fsp := max(c.fsp, 0)
		if s := FormatDuration(ns, fsp); s != c.want {
			t.Errorf("ParseDuration(%q, %d) = %s, want %s", c.in, c.fsp, s, c.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	cases := []struct {
		in   string
		want string // the value kept for non-strict mode
	}{
		{"0x", "00:00:00"},
		{"1x", "00:00:01"},
		{"0000-00-00", "00:00:00"},
		{"2011-11-11", "00:20:11"},
		{"232 10", "838:59:59"},
		{"-232 10", "-838:59:59"},
		{"4294967295 0:59:59", "838:59:59"},
		{"838:59:59.5", "838:59:59"},
		{"10:60:00", "00:00:00"},
		{"", "00:00:00"},
		{"abc", "00:00:00"},
	}
	for _, c := range cases {
		ns, err := ParseDuration([]byte(c.in), 0)
		if !errors.Is(err, ErrInvalidDuration) {
			t.Errorf("ParseDuration(%q) error = %v, want ErrInvalidDuration", c.in, err)
		}
		if s := FormatDuration(ns, 0); s != c.want {
			t.Errorf("ParseDuration(%q) kept %s, want %s", c.in, s, c.want)
		}
	}
	if _, err := ParseDuration([]byte("00:00:00.1"), -2); !errors.Is(err, ErrInvalidFsp) {
		t.Errorf("fsp -2: error = %v, want ErrInvalidFsp", err)
	}
}

func TestParseDurationFromNumber(t *testing.T) {
	cases := []struct {
		in      string
		wantErr bool
		want    string
	}{
		{"101112", false, "10:11:12"},
		{"-5", false, "-00:00:05"},
		{"8385959", false, "838:59:59"},
		{"8385960", true, "838:59:59"},
		{"-8385960", true, "00:00:00"},
		{"20111111121212", false, "12:12:12"},
	}
	for _, c := range cases {
		ns, err := ParseDurationFromNumber([]byte(c.in), 0)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseDurationFromNumber(%q) error = %v, want error %v", c.in, err, c.wantErr)
		}
		if s := FormatDuration(ns, 0); s != c.want {
			t.Errorf("ParseDurationFromNumber(%q) = %s, want %s", c.in, s, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		ns   int64
		fsp  int
		want string
	}{
		{0, 0, "00:00:00"},
		{14400000000000, 0, "04:00:00"},
		{MinDuration, 6, "-838:59:59.000000"},
		{MaxDuration, 0, "838:59:59"},
		{-1000, 6, "-00:00:00.000001"},
		{123456789000, 3, "00:02:03.456"},
	}
	for _, c := range cases {
		if s := FormatDuration(c.ns, c.fsp); s != c.want {
			t.Errorf("FormatDuration(%d, %d) = %s, want %s", c.ns, c.fsp, s, c.want)
		}
	}
}

// TiDB TestYear plus the string/number zero rules of ConvertToMysqlYear.
func TestParseYear(t *testing.T) {
	cases := []struct {
		in      string
		num     bool
		want    int64
		wantErr bool
	}{
		{"1990", false, 1990, false},
		{"10", false, 2010, false},
		{"0", false, 2000, false},
		{"00", false, 2000, false},
		{"000", false, 2000, false},
		{"0000", false, 0, false},
		{"99", false, 1999, false},
		{"69", false, 2069, false},
		{"70", false, 1970, false},
		{"2155", false, 2155, false},
		{"1901", false, 1901, false},
		{" 2006 ", false, 2006, false},
		{"0", true, 0, false},
		{"5", true, 2005, false},
		{"75", true, 1975, false},
		{"2023", true, 2023, false},
		{"2023.4", true, 2023, false},
		{"2156", false, 2155, true},
		{"1900", false, 1901, true},
		{"100", false, 1901, true},
		{"20000", true, 2155, true},
		{"-1", true, 0, true},
		{"abc", false, 0, true},
		{"", false, 0, true},
		{"2023abc", false, 2023, true},
	}
	for _, c := range cases {
		got, err := ParseYear([]byte(c.in), c.num)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseYear(%q, %v) error = %v, want error %v", c.in, c.num, err, c.wantErr)
		}
		if err != nil && !errors.Is(err, ErrInvalidYear) {
			t.Errorf("ParseYear(%q) error %v does not wrap ErrInvalidYear", c.in, err)
		}
		if got != c.want {
			t.Errorf("ParseYear(%q, %v) = %d, want %d", c.in, c.num, got, c.want)
		}
	}
}
