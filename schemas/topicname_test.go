package schemas

import (
	"strings"
	"testing"
)

// normalize is Kafka's collision rule (Topic.hasCollision): '.' and '_'
// are the same.
func normalize(s string) string { return strings.ReplaceAll(s, ".", "_") }

func TestTopicName(t *testing.T) {
	cases := []struct {
		parts []string
		want  string
	}{
		{[]string{"ls", "kv", "db", "order_items"}, "ls--kv--db--order_items"},
		{[]string{"a.b"}, "a-2eb"},
		{[]string{"a-b"}, "a-2db"},
		{[]string{"x`f\"n.exotic`table``name"}, "x-60f-22n-2eexotic-60table-60-60name"},
		{[]string{"表"}, "-e8-a1-a8"},
		{[]string{}, "-z"},
		{[]string{""}, "-z"},
		{[]string{"", ""}, "--"},
	}
	for _, c := range cases {
		if got := TopicName(c.parts...); got != c.want {
			t.Errorf("TopicName(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
}

func TestTopicNameDistinct(t *testing.T) {
	long := strings.Repeat("長い名前", 40)
	inputs := [][]string{
		{"db", "a_b"}, {"db_a", "b"}, {"db.a", "b"}, {"db", "a.b"}, {"db", "a", "b"}, {"db", "a-b"},
		{"db-", "b"}, {"db", "-b"}, {"db--b"}, {"db", "", "b"}, {"db", "-", "b"},
		{"x`f\"n.exotic`table``name"}, {"x`f\"n", "exotic`table``name"},
		{"数据库", "表"}, {"数据库", "表格"}, {"数据库表"},
		{"a", ""}, {"a"}, {"", "a"}, {"-z"}, {"z"},
		{long}, {long + "x"}, {long, "t"}, {"A"},
	}
	seen := map[string][]string{}
	for _, in := range inputs {
		name := TopicName(in...)
		if !ValidTopicName(name) {
			t.Errorf("TopicName(%q) = %q is not a legal topic name", in, name)
		}
		if name != TopicName(in...) {
			t.Errorf("TopicName(%q) not deterministic", in)
		}
		if prev, ok := seen[normalize(name)]; ok {
			t.Errorf("TopicName(%q) and TopicName(%q) collide as %q", in, prev, name)
		}
		seen[normalize(name)] = in
	}
	if n := len(TopicName(long)); n != MaxTopicNameLen {
		t.Errorf("long name has length %d, want %d", n, MaxTopicNameLen)
	}
}

func FuzzTopicName(f *testing.F) {
	f.Add("db", "tbl")
	f.Add("a.b", "c_d")
	f.Add("", "表")
	f.Fuzz(func(t *testing.T, a, b string) {
		n1 := TopicName(a, b)
		if !ValidTopicName(n1) {
			t.Fatalf("illegal name %q for %q %q", n1, a, b)
		}
		// Moving the boundary between parts must change the name.
		if len(a) > 0 {
			n2 := TopicName(a[:len(a)-1], a[len(a)-1:]+b)
			if normalize(n1) == normalize(n2) {
				t.Fatalf("collision %q for (%q,%q) and (%q,%q)", n1, a, b, a[:len(a)-1], a[len(a)-1:]+b)
			}
		}
		if len(n1) <= hashThreshold {
			if got := decode(t, n1); got != strings.Join([]string{a, b}, "\x00SEP") {
				t.Fatalf("decode(%q) = %q", n1, got)
			}
		}
	})
}

// decode inverts TopicName for unhashed names, proving it injective.
func decode(t *testing.T, s string) string {
	var out []byte
	if s == "-z" {
		return "\x00SEP"
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			out = append(out, s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '-' {
			out = append(out, "\x00SEP"...)
			i++
			continue
		}
		if i+2 >= len(s) {
			t.Fatalf("truncated escape in %q", s)
		}
		var v byte
		for _, c := range []byte(s[i+1 : i+3]) {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= c - '0'
			case c >= 'a' && c <= 'f':
				v |= c - 'a' + 10
			default:
				t.Fatalf("bad escape in %q", s)
			}
		}
		out = append(out, v)
		i += 2
	}
	return string(out)
}
