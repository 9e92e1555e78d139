package member

import "testing"

func TestFormatAssignment(t *testing.T) {
	got := FormatAssignment(3, map[string][]int{"b.kv": {2, 0}, "a.kv": {1}})
	if want := "generation 3: 3 partitions: a.kv[1] b.kv[0 2]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := FormatAssignment(4, map[string][]int{}), "generation 4: 0 partitions"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
