package mytime

import (
	"fmt"
	"math"
	"strings"
	"time"
)

var (
	// MinTimestamp is the smallest non-zero TIMESTAMP, in UTC.
	MinTimestamp = Time{Year: 1970, Month: 1, Day: 1, Second: 1}
	// MaxTimestamp is the largest TIMESTAMP, in UTC.
	MaxTimestamp = Time{Year: 2038, Month: 1, Day: 19, Hour: 3, Minute: 14, Second: 7, Microsecond: 999999}
)

// ToUTC converts a TIMESTAMP value read in zone loc to UTC, the form TiDB
// stores. The zero date stays zero. A wall time that occurs twice (clocks
// going back) is read as its first occurrence, as TiDB's
// CoreTime.goTimeDSTBeforeTransition does; a wall time in a gap (clocks
// going forward) is moved to the transition instant and reported as an
// error, like TiDB's ErrTimestampInDSTTransition. Values outside
// MinTimestamp..MaxTimestamp after conversion are errors; the returned
// Time is then zero.
func ToUTC(t Time, loc *time.Location) (Time, error) {
	if t.IsZero() {
		return t, nil
	}
	if !validCalendarDate(t) || t.Microsecond < 0 || t.Microsecond > 999999 {
		return Time{}, fmt.Errorf("%w for timestamp: %s: not a valid date", ErrInvalidTime, Format(t, Datetime, MaxFsp))
	}
	if loc == nil {
		loc = time.UTC
	}
	g := toGo(t, loc)
	var gapErr error
	if fromGo(g) != t {
		// The wall time does not exist in loc: TiDB moves it to the
		// nearest zone transition (CoreTime.AdjustedGoTime).
		start, end := g.ZoneBounds()
		if start.Sub(g).Abs() <= end.Sub(g).Abs() {
			g = start
		} else {
			g = end
		}
		gapErr = fmt.Errorf("%w for timestamp: %s does not exist in %s (daylight saving gap)", ErrInvalidTime, Format(t, Datetime, MaxFsp), loc)
	} else {
		g = beforeTransition(g)
	}
	u := fromGo(g.UTC())
	if u.Compare(MinTimestamp) < 0 || u.Compare(MaxTimestamp) > 0 {
		return Time{}, fmt.Errorf("%w for timestamp: %s in %s is outside 1970-01-01 00:00:01..2038-01-19 03:14:07.999999 UTC", ErrInvalidTime, Format(t, Datetime, MaxFsp), loc)
	}
	return u, gapErr
}

// beforeTransition reads an ambiguous wall time as the earlier instant
// (types.CoreTime.goTimeDSTBeforeTransition).
func beforeTransition(g time.Time) time.Time {
	if g.IsDST() {
		return g
	}
	start, _ := g.ZoneBounds()
	if start.IsZero() || start.Add(4*time.Hour).Before(g) {
		return g
	}
	prev := start.Add(-time.Second)
	if !prev.IsDST() {
		return g
	}
	_, offDST := prev.Zone()
	_, offNormal := start.Zone()
	adj := g.Add(-time.Duration(offDST-offNormal) * time.Second)
	if adj.Before(start) {
		return adj
	}
	return g
}

// FromUTC converts a stored TIMESTAMP (UTC) to the wall time in loc. The
// zero date stays zero.
func FromUTC(t Time, loc *time.Location) Time {
	if t.IsZero() {
		return t
	}
	if loc == nil {
		loc = time.UTC
	}
	return fromGo(toGo(t, time.UTC).In(loc))
}

// FromGoTime returns the wall-clock fields of g (in g's own location)
// rounded half up to fsp fractional digits, as DEFAULT CURRENT_TIMESTAMP(fsp)
// evaluates (types.FromGoTime after RoundFrac).
func FromGoTime(g time.Time, fsp int) Time {
	fsp, err := checkFsp(fsp)
	if err != nil {
		fsp = 0
	}
	g = g.Round(time.Duration(math.Pow10(9 - fsp)))
	return fromGo(g.Add(500 * time.Nanosecond))
}

// ParseLocation reads a time_zone setting: 'SYSTEM' (the local zone),
// 'UTC', an offset '[+-]HH:MM' within -13:59..+14:00, or an IANA name.
func ParseLocation(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "SYSTEM"):
		return time.Local, nil
	case strings.EqualFold(s, "UTC"):
		return time.UTC, nil
	case s != "" && (s[0] == '+' || s[0] == '-'):
		return parseOffset(s)
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", s, err)
	}
	return loc, nil
}

func parseOffset(s string) (*time.Location, error) {
	bad := fmt.Errorf("time zone %q: want [+-]HH:MM between -13:59 and +14:00", s)
	hh, mm, ok := strings.Cut(s[1:], ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
		return nil, bad
	}
	h, m := 0, 0
	for _, c := range []byte(hh) {
		if !isDigit(c) {
			return nil, bad
		}
		h = h*10 + int(c-'0')
	}
	for _, c := range []byte(mm) {
		if !isDigit(c) {
			return nil, bad
		}
		m = m*10 + int(c-'0')
	}
	off := h*3600 + m*60
	if m > 59 || off > 14*3600 || (s[0] == '-' && off > 13*3600+59*60) {
		return nil, bad
	}
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone(s, off), nil
}

// UnixTimestamp returns UNIX_TIMESTAMP(t) for t read in loc: seconds since
// the epoch and the microseconds. Values outside the TIMESTAMP range give 0,
// as MySQL does.
func UnixTimestamp(t Time, loc *time.Location) (sec int64, micro int) {
	u, err := ToUTC(t, loc)
	if err != nil || u.IsZero() {
		return 0, 0
	}
	g := toGo(u, time.UTC)
	return g.Unix(), u.Microsecond
}
