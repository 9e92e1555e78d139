package importid

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/schemas"
)

func TestValidate(t *testing.T) {
	for _, id := range []string{"lightstream", "sakila_20261206_k3x9qa", "team-a.orders", strings.Repeat("a", MaxLen)} {
		if err := Validate(id); err != nil {
			t.Errorf("Validate(%q): %v", id, err)
		}
	}
	for _, id := range []string{"", "a b", "a/b", "订单", "a:b", strings.Repeat("a", MaxLen+1)} {
		if err := Validate(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(%q) = %v, want ErrInvalid", id, err)
		}
	}
}

// TestGenerate: a generated id is <name>_<yyyymmdd>_<6 random>, uses only
// the characters topic names keep unescaped, and two ids of one name on
// one day differ.
func TestGenerate(t *testing.T) {
	day := time.Date(2026, 12, 6, 23, 59, 0, 0, time.FixedZone("x", -5*3600)) // 7 Dec in UTC
	cases := map[string]string{
		"sakila":                        "sakila",
		"Sakila-Dump.2024":              "sakila_dump_2024",
		"--x--":                         "x",
		"中文庫":                           "import",
		"":                              "import",
		strings.Repeat("abcdefghij", 5): "abcdefghijabcdefghijabcdefghijab",
	}
	for name, want := range cases {
		id := Generate(name, day)
		re := regexp.MustCompile(`^` + regexp.QuoteMeta(want) + `_20261207_[a-z2-7]{6}$`)
		if !re.MatchString(id) {
			t.Errorf("Generate(%q) = %q, want %s", name, id, re)
		}
		if err := Validate(id); err != nil {
			t.Errorf("Generate(%q) = %q: %v", name, id, err)
		}
		if got := schemas.TopicName(id); got != id {
			t.Errorf("id %q is escaped in topic names as %q", id, got)
		}
	}
	seen := map[string]bool{}
	for range 1000 {
		id := Generate("sakila", day)
		if seen[id] {
			t.Fatalf("id %s generated twice", id)
		}
		seen[id] = true
	}
}

func TestNameOf(t *testing.T) {
	if got := NameOf([]string{"shop"}, "/data/dump-1"); got != "shop" {
		t.Errorf("one database: %q", got)
	}
	if got := NameOf([]string{"a", "b"}, "/data/dump-1/"); got != "dump-1" {
		t.Errorf("two databases: %q", got)
	}
}

func TestResolve(t *testing.T) {
	fresh := func() string { return "made" }
	cases := []struct {
		recorded, given string
		legacy          bool
		id              string
		created         bool
		err             error
	}{
		{"", "", false, "made", true, nil},
		{"", "mine", false, "mine", true, nil},
		{"rec", "", false, "rec", false, nil},
		{"rec", "rec", false, "rec", false, nil},
		{"rec", "other", false, "", false, ErrMismatch},
		{"", "", true, Legacy, false, nil},
		{"", "old", true, "old", false, nil},
		{"", "bad id", false, "", false, ErrInvalid},
	}
	for _, c := range cases {
		id, created, err := Resolve("w", c.recorded, c.given, c.legacy, fresh)
		if id != c.id || created != c.created || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Resolve(%q, %q, %v) = %q, %v, %v; want %q, %v, %v", c.recorded, c.given, c.legacy, id, created, err, c.id, c.created, c.err)
		}
	}
	// The refusal names both ids.
	_, _, err := Resolve("work", "rec", "other", false, fresh)
	for _, s := range []string{"rec", "other", "work"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("mismatch error %q does not name %q", err, s)
		}
	}
}

func TestRequire(t *testing.T) {
	err := Require("encoder", "")
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "--import-id") || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("Require without id: %v", err)
	}
	if err := Require("encoder", "a b"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Require with a bad id: %v", err)
	}
}

// TestUnescape: List reads ids back from topic names.
func TestUnescape(t *testing.T) {
	for _, id := range []string{"lightstream", "team-a.orders_2", "x-"} {
		got, ok := unescape(schemas.TopicName(id))
		if !ok || got != id {
			t.Errorf("unescape(TopicName(%q)) = %q, %v", id, got, ok)
		}
	}
	for _, s := range []string{"-z", "a-2", "a-zz"} {
		if _, ok := unescape(s); ok {
			t.Errorf("unescape(%q) accepted", s)
		}
	}
}
