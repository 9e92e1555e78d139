package mytime

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// corpora is the shared corpora folder.
func corpora(t testing.TB) string { return golden.Shared(t, "corpora") }

func readCorpus(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpora(t), rel))
	if err != nil {
		golden.Missing(t, fmt.Sprint("corpus not available: ", err))
	}
	return b
}

// lightning_various_types vt.datetime: DATETIME(6) round-trips exactly,
// TIMESTAMP(3) rounds six-digit fractions; notes.md lists what TiDB
// answers for min/max and two range queries.
func TestCorpusVariousTypesDatetime(t *testing.T) {
	data := readCorpus(t, "lightning-cases/lightning_various_types/data/vt.datetime.sql")
	row := regexp.MustCompile(`\(\s*(\d+), '([^']*)', '([^']*)'\)`)
	rows := row.FindAllSubmatch(data, -1)
	if len(rows) != 70 {
		t.Fatalf("found %d rows, want 70", len(rows))
	}
	var minPK, maxPK, minUK, maxUK Time
	pkLo := mustTime(t, "2882-01-01")
	pkHi := mustTime(t, "2882-12-31")
	ukLo := mustTime(t, "2001-01-01")
	ukHi := mustTime(t, "2001-12-31")
	var pkRefs, ukRefs []string
	for i, r := range rows {
		pk, err := ParseTime(r[2], Datetime, 6, sqlmode.StrictAll)
		if err != nil {
			t.Fatalf("pk %s: %v", r[2], err)
		}
		if got := Format(pk, Datetime, 6); got != string(r[2]) {
			t.Errorf("pk %s formats back as %s", r[2], got)
		}
		uk, err := ParseTime(r[3], Timestamp, 3, sqlmode.StrictAll)
		if err != nil {
			t.Fatalf("uk %s: %v", r[3], err)
		}
		ukUTC, err := ToUTC(uk, time.UTC)
		if err != nil {
			t.Fatalf("uk %s: %v", r[3], err)
		}
		if i == 0 || pk.Compare(minPK) < 0 {
			minPK = pk
		}
		if i == 0 || pk.Compare(maxPK) > 0 {
			maxPK = pk
		}
		if i == 0 || ukUTC.Compare(minUK) < 0 {
			minUK = ukUTC
		}
		if i == 0 || ukUTC.Compare(maxUK) > 0 {
			maxUK = ukUTC
		}
		if pk.Compare(pkLo) >= 0 && pk.Compare(pkHi) <= 0 {
			pkRefs = append(pkRefs, string(r[1]))
		}
		if uk.Compare(ukLo) >= 0 && uk.Compare(ukHi) <= 0 {
			ukRefs = append(ukRefs, string(r[1]))
		}
	}
	checks := []struct{ got, want string }{
		{Format(minPK, Datetime, 6), "1026-09-21 15:15:54.335745"},
		{Format(maxPK, Datetime, 6), "9889-01-08 08:51:03.389832"},
		{Format(minUK, Timestamp, 3), "1970-11-09 19:25:45.843"},
		{Format(maxUK, Timestamp, 3), "2036-10-14 10:48:28.620"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
	if len(pkRefs) != 1 || pkRefs[0] != "7" {
		t.Errorf("pk in 2882: refs %v, want [7]", pkRefs)
	}
	if len(ukRefs) != 1 || ukRefs[0] != "32" {
		t.Errorf("uk in 2001: refs %v, want [32]", ukRefs)
	}
}

// Every date literal of sakila and lightning_tool_241 parses as DATETIME
// and TIMESTAMP and formats back unchanged; sakila's YEARs are numbers.
func TestCorpusLiterals(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpora(t), "sakila", "sakila.*.sql"))
	more, _ := filepath.Glob(filepath.Join(corpora(t), "lightning-cases", "lightning_tool_241", "data", "*.sql"))
	files = append(files, more...)
	if len(files) == 0 {
		golden.Missing(t, "corpora not available")
	}
	lit := regexp.MustCompile(`'(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d+)?)?)'`)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllSubmatch(data, -1) {
			n++
			s := m[1]
			tp, fsp := Datetime, 0
			if len(s) == 10 {
				tp = Date
			} else if len(s) > 19 {
				fsp = len(s) - 20
			}
			for _, ct := range []Type{tp, Timestamp} {
				if ct == Timestamp && tp == Date {
					continue
				}
				v, err := ParseTime(s, ct, fsp, sqlmode.StrictAll)
				if err != nil {
					t.Errorf("%s: %s as %s: %v", filepath.Base(f), s, ct, err)
					continue
				}
				if got := Format(v, ct, fsp); got != string(s) {
					t.Errorf("%s: %s as %s formats back as %s", filepath.Base(f), s, ct, got)
				}
				if ct == Timestamp {
					u, err := ToUTC(v, time.UTC)
					if err != nil || Unpack(u.Pack()) != v {
						t.Errorf("%s: %s: ToUTC/Pack round trip: %+v %v", filepath.Base(f), s, u, err)
					}
				}
			}
		}
	}
	if n < 30000 {
		t.Errorf("only %d literals found", n)
	}
	// film.release_year is written as the bare number 2006.
	film := readCorpus(t, "sakila/sakila.film.000000000.sql")
	years := regexp.MustCompile(`','[^']*',(\d{4}),\d+,`).FindAllSubmatch(film, -1)
	if len(years) == 0 {
		t.Fatal("no release_year found")
	}
	for _, y := range years {
		if v, err := ParseYear(y[1], true); err != nil || v != 2006 {
			t.Errorf("release_year %s = %d, %v", y[1], v, err)
		}
	}
}
