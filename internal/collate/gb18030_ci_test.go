package collate

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestGB18030ChineseCIKeys holds the gb18030_chinese_ci keys of TiKV's
// collator mod.rs test_utf8mb4_sort_key and TiDB's collate_test.go
// TestUTF8CollatorKey.
func TestGB18030ChineseCIKeys(t *testing.T) {
	c := mustGet(t, "gb18030_chinese_ci")
	if !c.PadSpace() {
		t.Fatal("gb18030_chinese_ci must be PAD SPACE")
	}
	tests := []struct{ in, want string }{
		{"a", "41"},
		{"A", "41"},
		{"a ", "41"},
		{"A ", "41"},
		{"中文", "ffa09bc1ffa078bd"},
		{"😃", "ff03d84b"},
		{"ﷻ", "ff00988f"},
		{"Foo © bar 𝌆 baz ☃ qux", stripSpaces("464f4f20ff00002620424152 20ff03b54e2042415a20ff0023c820515558")},
		{"a\xffb", "41"}, // the key ends at invalid UTF-8
		{"", ""},
	}
	for _, tc := range tests {
		want, err := hex.DecodeString(stripSpaces(tc.want))
		if err != nil {
			t.Fatalf("bad hex %q", tc.want)
		}
		if got := c.Key(nil, []byte(tc.in)); !bytes.Equal(got, want) {
			t.Errorf("gb18030_chinese_ci Key(%q) = %x, want %x", tc.in, got, want)
		}
	}
}

// TestGB18030ChineseCIWeights holds TiKV's gb18030_collation.rs test_weight.
func TestGB18030ChineseCIWeights(t *testing.T) {
	tests := []struct {
		r    rune
		want uint32
	}{
		{'中', 0xFFA09BC1},
		{'€', 0xA2E3},
		{'\uE7C7', 0xFF001D21},
		{'ḿ', 0xFF001D20},
		{'ǹ', 0xFF000154},
		{'䦃', 0xFFA09E8A},
	}
	for _, tc := range tests {
		if got := gb18030CIWeight(tc.r); got != tc.want {
			t.Errorf("weight(%U) = %#x, want %#x", tc.r, got, tc.want)
		}
	}
}
