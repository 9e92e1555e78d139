package mytime

import (
	"encoding/json"
	"math/rand"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

func TestPackSpec(t *testing.T) {
	cases := []struct {
		t    Time
		want uint64
	}{
		// SPEC §3.3 and vectors.json time-packed-timestamp-fsp6.
		{Time{2011, 11, 10, 11, 11, 11, 999999}, 1840446893366133311},
		{Time{2018, 1, 19, 3, 14, 7, 0}, 0x199ee63387000000},
		{Time{}, 0},
	}
	for _, c := range cases {
		if got := c.t.Pack(); got != c.want {
			t.Errorf("%+v.Pack() = %#x, want %#x", c.t, got, c.want)
		}
		if got := Unpack(c.want); got != c.t {
			t.Errorf("Unpack(%#x) = %+v, want %+v", c.want, got, c.t)
		}
	}
}

// TestGoldenVectors checks the shared vectors (SPEC "the law") when they
// are present on this machine.
func TestGoldenVectors(t *testing.T) {
	raw := golden.Vectors()
	var file struct {
		Vectors []struct {
			ID       string         `json:"id"`
			Category string         `json:"category"`
			What     map[string]any `json:"what"`
			Bytes    string         `json:"bytes_hex"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, v := range file.Vectors {
		switch v.Category {
		case "time_packed":
			seen++
			want, err := strconv.ParseUint(v.What["packed_uint64_decimal"].(string), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			// The value text is "TIMESTAMP(6) '2011-11-10 11:11:11.999999' ...".
			s := v.What["value"].(string)
			i := indexByte(s, '\'')
			j := i + 1 + indexByte(s[i+1:], '\'')
			tm, err := ParseTime([]byte(s[i+1:j]), Timestamp, 6, sqlmode.StrictAll)
			if err != nil {
				t.Fatalf("%s: %v", v.ID, err)
			}
			u, err := ToUTC(tm, time.UTC)
			if err != nil {
				t.Fatalf("%s: %v", v.ID, err)
			}
			if got := u.Pack(); got != want {
				t.Errorf("%s: packed %d, want %d", v.ID, got, want)
			}
			if got := strconv.FormatUint(want, 16); "0"+got != v.Bytes && got != v.Bytes {
				t.Errorf("%s: bytes_hex %s does not match %s", v.ID, v.Bytes, got)
			}
		case "duration":
			seen++
			s := v.What["value"].(string)
			i := indexByte(s, '\'')
			j := i + 1 + indexByte(s[i+1:], '\'')
			ns, err := ParseDuration([]byte(s[i+1:j]), 0)
			if err != nil {
				t.Fatalf("%s: %v", v.ID, err)
			}
			if want := int64(v.What["nanoseconds"].(float64)); ns != want {
				t.Errorf("%s: %d ns, want %d", v.ID, ns, want)
			}
		}
	}
	if seen == 0 {
		t.Error("no time_packed or duration vectors found")
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Packed order must be chronological order (index keys sort by it).
func TestPackOrderIsChronological(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	times := make([]Time, 2000)
	for i := range times {
		g := time.Date(1+r.Intn(9999), time.Month(1+r.Intn(12)), 1+r.Intn(31),
			r.Intn(24), r.Intn(60), r.Intn(60), r.Intn(1000000)*1000, time.UTC)
		times[i] = fromGo(g)
	}
	sort.Slice(times, func(i, j int) bool { return toGo(times[i], time.UTC).Before(toGo(times[j], time.UTC)) })
	for i := 1; i < len(times); i++ {
		if times[i-1].Pack() > times[i].Pack() {
			t.Fatalf("%+v packs after %+v", times[i-1], times[i])
		}
	}
	if (Time{}).Pack() >= (Time{Year: 1, Month: 1, Day: 1}).Pack() {
		t.Error("zero date must pack before 0001-01-01")
	}
}

func TestFormat(t *testing.T) {
	tm := Time{2006, 1, 2, 15, 4, 5, 123456}
	cases := []struct {
		tp   Type
		fsp  int
		want string
	}{
		{Date, 6, "2006-01-02"},
		{Datetime, 0, "2006-01-02 15:04:05"},
		{Datetime, 3, "2006-01-02 15:04:05.123"},
		{Timestamp, 6, "2006-01-02 15:04:05.123456"},
	}
	for _, c := range cases {
		if got := Format(tm, c.tp, c.fsp); got != c.want {
			t.Errorf("Format(%s, %d) = %s, want %s", c.tp, c.fsp, got, c.want)
		}
	}
	if got := Format(Time{}, Datetime, 0); got != "0000-00-00 00:00:00" {
		t.Errorf("zero = %s", got)
	}
	if got := Format(Time{Year: 1}, Date, 0); got != "0001-00-00" {
		t.Errorf("year 1 = %s", got)
	}
}

func TestZones(t *testing.T) {
	sh, err := ParseLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := ParseLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	plus8, err := ParseLocation("+08:00")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in      string
		loc     *time.Location
		want    string
		wantErr bool
	}{
		{"2020-01-01 08:00:00", sh, "2020-01-01 00:00:00", false},
		{"2020-01-01 08:00:00", plus8, "2020-01-01 00:00:00", false},
		{"1970-01-01 08:00:01", sh, "1970-01-01 00:00:01", false},
		{"1970-01-01 08:00:00", sh, "0000-00-00 00:00:00", true},
		{"0000-00-00 00:00:00", sh, "0000-00-00 00:00:00", false},
		// Clocks go back at 02:00 EDT on 2021-11-07: 01:30 happens twice,
		// TiDB reads the first (EDT, -4).
		{"2021-11-07 01:30:00", ny, "2021-11-07 05:30:00", false},
		// Clocks go forward at 02:00 EST on 2021-03-14: 02:30 does not
		// exist; moved to the transition, with an error.
		{"2021-03-14 02:30:00", ny, "2021-03-14 07:00:00", true},
		{"2038-01-19 11:14:07", sh, "2038-01-19 03:14:07", false},
		{"2038-01-19 11:14:08", sh, "0000-00-00 00:00:00", true},
	}
	for _, c := range cases {
		tm, err := ParseTime([]byte(c.in), Datetime, 0, sqlmode.StrictAll)
		if err != nil {
			t.Fatal(err)
		}
		u, err := ToUTC(tm, c.loc)
		if (err != nil) != c.wantErr {
			t.Errorf("ToUTC(%s, %s) error = %v, want error %v", c.in, c.loc, err, c.wantErr)
		}
		if got := Format(u, Datetime, 0); got != c.want {
			t.Errorf("ToUTC(%s, %s) = %s, want %s", c.in, c.loc, got, c.want)
		}
		if err == nil && !tm.IsZero() && c.in != "2021-11-07 01:30:00" {
			if back := FromUTC(u, c.loc); back != tm {
				t.Errorf("FromUTC(ToUTC(%s)) = %+v", c.in, back)
			}
		}
	}
	// A zone suffix converts into the session zone.
	tm, err := ParseTimeIn([]byte("2020-01-01 00:00:00+00:00"), Timestamp, 0, sqlmode.StrictAll, sh)
	if err != nil || Format(tm, Datetime, 0) != "2020-01-01 08:00:00" {
		t.Errorf("ParseTimeIn with +00:00 in Shanghai = %+v, %v", tm, err)
	}
	for _, s := range []string{"SYSTEM", "system", "UTC", "-05:30", "+14:00", "-13:59", "+8:00", "Europe/Berlin"} {
		if _, err := ParseLocation(s); err != nil {
			t.Errorf("ParseLocation(%q): %v", s, err)
		}
	}
	for _, s := range []string{"+14:01", "-14:00", "+08", "+08:60", "Nowhere/City", "+ab:cd"} {
		if _, err := ParseLocation(s); err == nil {
			t.Errorf("ParseLocation(%q) accepted", s)
		}
	}
}

func TestFromGoTime(t *testing.T) {
	g := time.Date(2020, 12, 31, 23, 59, 59, 999999600, time.UTC)
	cases := []struct {
		fsp  int
		want string
	}{
		{6, "2021-01-01 00:00:00.000000"},
		{0, "2021-01-01 00:00:00"},
	}
	for _, c := range cases {
		if got := Format(FromGoTime(g, c.fsp), Datetime, c.fsp); got != c.want {
			t.Errorf("FromGoTime(fsp %d) = %s, want %s", c.fsp, got, c.want)
		}
	}
	g = time.Date(2020, 6, 1, 10, 0, 0, 123456400, time.UTC)
	if got := Format(FromGoTime(g, 3), Datetime, 3); got != "2020-06-01 10:00:00.123" {
		t.Errorf("FromGoTime(fsp 3) = %s", got)
	}
}
