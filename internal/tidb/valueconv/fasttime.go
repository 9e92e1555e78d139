package valueconv

import (
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// digits2 reads two ASCII digits.
func digits2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// fastTime reads the forms dumps write, 'YYYY-MM-DD' and
// 'YYYY-MM-DD HH:MM:SS[.ffffff]', without allocating, when they name a
// valid non-zero date and need no rounding (at most fsp fraction digits);
// the result is then exactly what mytime.ParseTimeIn (+ ToUTC for
// TIMESTAMP) gives. ok is false for everything else, which takes the
// general path: zero dates, rounding, zones, other layouts, errors.
func fastTime(s []byte, tp mytime.Type, fsp int, loc *time.Location) (t mytime.Time, ok bool) {
	n := len(s)
	if n != 10 && (n < 19 || n > 26 || n == 20) {
		return t, false
	}
	if s[4] != '-' || s[7] != '-' {
		return t, false
	}
	hi, ok1 := digits2(s[0:2])
	lo, ok2 := digits2(s[2:4])
	mo, ok3 := digits2(s[5:7])
	d, ok4 := digits2(s[8:10])
	if !(ok1 && ok2 && ok3 && ok4) {
		return t, false
	}
	t.Year, t.Month, t.Day = hi*100+lo, mo, d
	if t.Year == 0 || mo < 1 || mo > 12 || d < 1 || d > mytime.LastDay(t.Year, mo) {
		return mytime.Time{}, false
	}
	if n > 10 {
		if s[10] != ' ' || s[13] != ':' || s[16] != ':' {
			return mytime.Time{}, false
		}
		h, ok1 := digits2(s[11:13])
		mi, ok2 := digits2(s[14:16])
		sec, ok3 := digits2(s[17:19])
		if !(ok1 && ok2 && ok3) || h > 23 || mi > 59 || sec > 59 {
			return mytime.Time{}, false
		}
		if n > 19 {
			// A fraction longer than fsp rounds (and may carry): general path.
			if s[19] != '.' || n-20 > fsp || tp == mytime.Date {
				return mytime.Time{}, false
			}
			us := 0
			for i := 20; i < 26; i++ {
				us *= 10
				if i < n {
					if s[i] < '0' || s[i] > '9' {
						return mytime.Time{}, false
					}
					us += int(s[i] - '0')
				}
			}
			t.Microsecond = us
		}
		if tp == mytime.Date {
			t = t.Date()
		} else {
			t.Hour, t.Minute, t.Second = h, mi, sec
		}
	}
	if tp != mytime.Timestamp {
		return t, true
	}
	if loc == time.UTC {
		if t.Compare(mytime.MinTimestamp) < 0 || t.Compare(mytime.MaxTimestamp) > 0 {
			return mytime.Time{}, false
		}
		return t, true
	}
	u, err := mytime.ToUTC(t, loc)
	if err != nil {
		return mytime.Time{}, false
	}
	return u, true
}
