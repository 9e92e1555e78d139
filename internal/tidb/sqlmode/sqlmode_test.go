package sqlmode

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in     string
		strict bool
		has    Mode
		err    bool
	}{
		{"", false, 0, false},
		{"STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", true, StrictTransTables, false},
		{" strict_all_tables , no_zero_date ", true, NoZeroDate, false},
		{"ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER", false, 0, false},
		{"TRADITIONAL", true, NoZeroInDate | NoZeroDate, false},
		{"ANSI", false, ANSIQuotes, false},
		{"NO_BACKSLASH_ESCAPES", false, NoBackslashEscapes, false},
		{"STRICT_TRANS_TABLE", false, 0, true},
	}
	for _, c := range cases {
		m, err := Parse(c.in)
		if (err != nil) != c.err {
			t.Errorf("Parse(%q) error %v, want error %v", c.in, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		if m.Strict() != c.strict {
			t.Errorf("Parse(%q).Strict() = %v", c.in, m.Strict())
		}
		if c.has != 0 && m&c.has != c.has {
			t.Errorf("Parse(%q) = %b, missing %b", c.in, m, c.has)
		}
	}
	// Lightning's default [tidb] sql-mode is not strict: TiDB adjusts bad
	// values with a warning instead of failing the row.
	if m, err := Parse(DefaultText); err != nil || m != Default {
		t.Errorf("Parse(DefaultText) = %b, %v; want Default %b", m, err, Default)
	}
	if Default.Strict() {
		t.Error("Default must not be strict (TiDB Lightning's default sql-mode)")
	}
	if m, err := Parse("STRICT_TRANS_TABLES"); err != nil || !m.Strict() {
		t.Errorf("Parse(STRICT_TRANS_TABLES) = %b, %v; want strict", m, err)
	}
	if !StrictAll.Strict() || StrictAll.Has(NoZeroDate) {
		t.Error("StrictAll must be strict and accept zero dates")
	}
}
