package valueconv

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// slowTime is the general path fastTime must agree with.
func slowTime(s []byte, tp mytime.Type, fsp int, loc *time.Location) (mytime.Time, error) {
	t, err := mytime.ParseTimeIn(s, tp, fsp, sqlmode.StrictAll, loc)
	if err != nil || tp != mytime.Timestamp {
		return t, err
	}
	return mytime.ToUTC(t, loc)
}

func checkFast(t *testing.T, s string, tp mytime.Type, fsp int, loc *time.Location) {
	t.Helper()
	fast, ok := fastTime([]byte(s), tp, fsp, loc)
	if !ok {
		return
	}
	slow, err := slowTime([]byte(s), tp, fsp, loc)
	if err != nil || slow != fast {
		t.Errorf("%q %v fsp %d %v: fast %+v, general %+v %v", s, tp, fsp, loc, fast, slow, err)
	}
}

// TestFastTimeAgrees compares the fast path with mytime on dump-shaped and
// edge values: whenever the fast path answers, it answers the same.
func TestFastTimeAgrees(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("+08", 8*3600), time.FixedZone("-05:30", -5*3600-1800)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	fixed := []string{
		"2005-05-24 22:53:30", "2006-02-15", "2000-02-29", "1900-02-29", "2024-02-29 23:59:59.999999",
		"1970-01-01 00:00:01", "1970-01-01 00:00:00", "2038-01-19 03:14:07", "2038-01-19 03:14:08",
		"2021-03-14 02:30:00", "2021-11-07 01:30:00", "0000-00-00 00:00:00", "0000-00-00", "2021-00-10",
		"2021-13-01", "2021-04-31", "9999-12-31 23:59:59.999999", "0001-01-01", "2021-01-01 24:00:00",
		"2021-01-01 12:60:00", "2021-01-01T12:00:00", "2021-01-01 12:00:00.", "2021-01-01 12:00:00.5",
		"2021-01-01 12:00:00.123", "2021-01-01 12:00:00.1234567", "2021-1-01", "20210101",
	}
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		s := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", rnd.Intn(10000), rnd.Intn(14), rnd.Intn(33), rnd.Intn(25), rnd.Intn(61), rnd.Intn(61))
		if n := rnd.Intn(8); n > 0 {
			s += "." + fmt.Sprintf("%06d", rnd.Intn(1000000))[:min(n, 6)]
		}
		if rnd.Intn(4) == 0 {
			s = s[:10]
		}
		fixed = append(fixed, s)
	}
	for _, s := range fixed {
		for _, tp := range []mytime.Type{mytime.Datetime, mytime.Date, mytime.Timestamp} {
			for fsp := 0; fsp <= 6; fsp += 3 {
				for _, loc := range zones {
					checkFast(t, s, tp, fsp, loc)
				}
			}
		}
	}
	if _, ok := fastTime([]byte("2005-05-24 22:53:30"), mytime.Datetime, 0, time.UTC); !ok {
		t.Error("the dump form does not take the fast path")
	}
}
