package conflict

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"testing"

	"github.com/lightstream-io/lightstream/internal/tidb/crc64ecma"
)

// rows of a table with a primary key (h) and a unique key (u), in dump
// order; keys are "h1", "u1", ...
type row struct {
	pos  Pos
	h, u string
}

// groupsOf lists the keys two or more rows hold.
func groupsOf(rows []row) []Group {
	by := map[string][]Holder{}
	for _, r := range rows {
		for _, k := range []string{"h" + r.h, "u" + r.u} {
			by[k] = append(by[k], Holder{Pos: r.pos, Value: []byte(k)})
		}
	}
	var out []Group
	for _, k := range slices.Sorted(maps.Keys(by)) {
		if len(by[k]) > 1 {
			out = append(out, Group{Key: []byte(k), Holders: by[k]})
		}
	}
	return out
}

// sequential is the reference: the rows applied one by one as REPLACE
// INTO or INSERT IGNORE would; it returns the surviving rows' places.
func sequential(s Strategy, rows []row) []Pos {
	var kept []row
	for _, r := range rows {
		clash := func(k row) bool { return k.h == r.h || k.u == r.u }
		if s == Ignore {
			if !slices.ContainsFunc(kept, clash) {
				kept = append(kept, r)
			}
			continue
		}
		kept = append(slices.DeleteFunc(kept, clash), r)
	}
	var out []Pos
	for _, r := range kept {
		out = append(out, r.pos)
	}
	return out
}

func survivors(t *testing.T, s Strategy, rows []row) []Pos {
	t.Helper()
	groups := groupsOf(rows)
	// The order of the groups (which partition reported first) must not
	// matter.
	losers, err := Resolve(s, groups)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(groups)
	again, _ := Resolve(s, groups)
	if !maps.Equal(losers, again) {
		t.Fatalf("%s: result depends on the groups' order: %v vs %v", s, losers, again)
	}
	var out []Pos
	for _, r := range rows {
		if !losers[r.pos] {
			out = append(out, r.pos)
		}
	}
	return out
}

func TestResolveMatchesRowByRow(t *testing.T) {
	p := func(c uint32, o int64) Pos { return Pos{Chunk: c, Offset: o} }
	cases := map[string][]row{
		// B takes A's unique key; C takes B's handle.
		"chain": {{p(0, 10), "1", "x"}, {p(0, 20), "2", "x"}, {p(1, 5), "2", "y"}},
		// C takes A's handle and B's unique key at once.
		"both": {{p(0, 10), "1", "x"}, {p(0, 20), "2", "y"}, {p(2, 0), "1", "y"}},
		// plain duplicate primary keys across chunks, three times.
		"pk":   {{p(0, 10), "1", "a"}, {p(1, 10), "1", "b"}, {p(2, 10), "1", "c"}, {p(2, 40), "2", "d"}},
		"none": {{p(0, 1), "1", "a"}, {p(0, 2), "2", "b"}},
	}
	// A pseudo-random table: many rows over few keys.
	var random []row
	x := uint32(7)
	for i := range 200 {
		x = x*1103515245 + 12345
		random = append(random, row{p(uint32(i/50), int64(i%50)), string(rune('a' + x>>8%13)), string(rune('a' + x>>16%11))})
	}
	cases["random"] = random
	for name, rows := range cases {
		for _, s := range []Strategy{Replace, Ignore} {
			got, want := survivors(t, s, rows), sequential(s, rows)
			sort.Slice(want, func(i, j int) bool { return want[i].Compare(want[j]) < 0 })
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: kept %v, row by row keeps %v", name, s, got, want)
			}
		}
	}
}

func TestConfigAdjust(t *testing.T) {
	for _, c := range []struct {
		in        Config
		threshold int64
		records   int64
		err       bool
	}{
		{Config{Strategy: Replace, Threshold: -1, MaxRecordRows: -1}, DefaultThreshold, DefaultThreshold, false},
		{Config{Strategy: Ignore, Threshold: 5, MaxRecordRows: -1}, 5, 5, false},
		{Config{Strategy: Error, Threshold: -1, MaxRecordRows: 3}, 0, 3, false},
		{Config{Strategy: Error, Threshold: 2, MaxRecordRows: -1}, 0, 0, true},
		{Config{Strategy: "merge"}, 0, 0, true},
	} {
		got := c.in
		err := got.Adjust()
		if (err != nil) != c.err || (err == nil && (got.Threshold != c.threshold || got.MaxRecordRows != c.records)) {
			t.Errorf("%+v: %+v, %v", c.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v is not ErrConfig", c.in, err)
		}
	}
	for in, want := range map[string]Strategy{"": None, "NONE": None, "Replace": Replace, "ignore": Ignore, "error": Error, "remove": Replace, "record": Replace} {
		if got, _, err := ParseStrategy(in); err != nil || got != want {
			t.Errorf("ParseStrategy(%q) = %q, %v", in, got, err)
		}
	}
	if _, _, err := ParseStrategy("skip"); !errors.Is(err, ErrConfig) {
		t.Errorf("ParseStrategy(skip): %v", err)
	}
}

// memSource is a sorted in-memory source.
type memSource struct{ keys, values [][]byte }

func (m *memSource) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	for i := range m.keys {
		if err := fn(m.keys[i], m.values[i]); err != nil {
			return err
		}
	}
	return nil
}

func TestScanAndFilter(t *testing.T) {
	type pair struct {
		key string
		pos Pos
		v   string
	}
	pairs := []pair{
		{"r1", Pos{0, 5}, "A"}, {"r1", Pos{1, 7}, "C"}, {"r2", Pos{0, 9}, "B"},
		{"ux", Pos{0, 5}, "1"}, {"ux", Pos{0, 9}, "2"}, {"uy", Pos{1, 7}, "1"},
	}
	src := &memSource{}
	for _, p := range pairs {
		src.keys = append(src.keys, AppendSuffix(nil, []byte(p.key), p.pos))
		src.values = append(src.values, []byte(p.v))
	}
	sort.Sort(byKey(*src))
	var groups []Group
	if err := Scan(context.Background(), src, func(g Group) error { groups = append(groups, g); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || string(groups[0].Key) != "r1" || string(groups[1].Key) != "ux" ||
		groups[0].Holders[0].Pos != (Pos{0, 5}) || string(groups[0].Holders[1].Value) != "C" {
		t.Fatalf("groups %+v", groups)
	}
	losers, err := Resolve(Replace, groups)
	if err != nil {
		t.Fatal(err)
	}
	// Replace: A (0,5) loses r1 to C and ux to B: its record and its index
	// entry both go.
	f := &Filter{Src: src, Losers: losers}
	var kept []string
	if err := f.Iterate(context.Background(), func(k, v []byte) error { kept = append(kept, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"r1=C", "r2=B", "ux=2", "uy=1"}; !slices.Equal(kept, want) {
		t.Fatalf("kept %v, want %v", kept, want)
	}
	want := Dropped{KVs: 2, Bytes: 6, Sum: crc64ecma.Pair([]byte("r1"), []byte("A")) ^ crc64ecma.Pair([]byte("ux"), []byte("1"))}
	if f.Dropped != want {
		t.Fatalf("dropped %+v, want %+v", f.Dropped, want)
	}
	// Without resolution, two rows of one key cannot both be ingested.
	f = &Filter{Src: src}
	if err := f.Iterate(context.Background(), func(k, v []byte) error { return nil }); err == nil {
		t.Fatal("a duplicate key passed an empty resolution")
	}
}

type byKey memSource

func (b byKey) Len() int           { return len(b.keys) }
func (b byKey) Less(i, j int) bool { return bytes.Compare(b.keys[i], b.keys[j]) < 0 }
func (b byKey) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.values[i], b.values[j] = b.values[j], b.values[i]
}
