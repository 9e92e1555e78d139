package collate

import (
	"bytes"
	"encoding/binary"
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

// TestGB18030ChineseCIPinyinSample checks the pinyin ranks (derived from
// CLDR, see gen/gb18030ci.go) against a run of MySQL's own
// gb18030_4_weight_py_p2 read from strings/ctype-gb18030.cc: the 12 values
// that follow "5362, 36732," there, located by its anchor 20939.
func TestGB18030ChineseCIPinyinSample(t *testing.T) {
	mysql := []uint32{0, 0, 0, 20939, 0, 0, 0, 0, 11722, 29371, 609, 0, 0, 0, 0, 33467, 0, 0, 0, 36744, 3587}
	tab := gb18030CI()
	for start := uint32(0); start+uint32(len(mysql)) <= gb18030Py4bLen; start++ {
		if binary.BigEndian.Uint16(tab.py4b[2*(start+3):]) != 20939 {
			continue
		}
		for i, want := range mysql {
			if got := uint32(binary.BigEndian.Uint16(tab.py4b[2*(start+uint32(i)):])); got != want {
				t.Fatalf("py_p2[%d] = %d, want %d", start+uint32(i), got, want)
			}
		}
		return
	}
	t.Fatal("MySQL's gb18030_4_weight_py_p2 run not found")
}

// TestGB18030ChineseCICompare: case-insensitive where MySQL's unicase planes
// say so, pinyin order for Chinese, and TiKV's test_compare expectations.
func TestGB18030ChineseCICompare(t *testing.T) {
	c := mustGet(t, "gb18030_chinese_ci")
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"a", "A", 0},
		{"abc", "abc", 0},
		{"abc", "ab", 1},
		{"a", "a ", 0},
		{"a\t", "a", 1},
		{"啊", "吧", -1},  // a < ba
		{"中文", "汉字", 1}, // zhong > han
		{"ā", "Ā", 0},   // A8A1 upper-cases to the 4-byte Ā
		{"é", "É", 0},
		{"ǹ", "Ǹ", 0},
		{"ḿ", "Ḿ", 0},
		{"ǚ", "Ǚ", 0},
		{"ą", "Ą", 0},
		{"ж", "Ж", 0},  // plane A7
		{"ｚ", "Ｚ", 0},  // plane A3
		{"ⅰ", "Ⅰ", 0},  // plane A2
		{"ⅺ", "Ⅺ", 0},  // plane 20: 4-byte lower, 2-byte upper A2FB
		{"ⓐ", "Ⓐ", 0},  // plane 23
		{"ἀ", "Ἀ", 0},  // plane 1F
		{"ḁ", "Ḁ", 0},  // plane 1D
		{"ỳ", "Ỳ", 0},  // plane 1E
		{"ⰰ", "Ⰰ", 0},  // plane 2A
		{"ⴀ", "Ⴀ", 0},  // plane 2B -> plane 10
		{"ꙁ", "Ꙁ", 0},  // plane 51
		{"ꜳ", "Ꜳ", 0},  // plane 52
		{"ⱥ", "Ⱥ", 0},  // plane 2A -> plane 02
		{"ⴀ", "ა", -1}, // Mkhedruli is not Nuskhuri's upper case
		{"𐐨", "𐐀", 0},  // Deseret, plane E6
		{"😜", "😃", 1},
		{"\xff", "\xfe", 0},
	}
	for _, tc := range tests {
		if got := Compare(c, []byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("gb18030_chinese_ci Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestGB18030ChineseCIPinyinMySQL compares the generated pinyin ranks with
// runs copied verbatim from MySQL's strings/ctype-gb18030.cc (commit
// 08f46b3c, read at the character offsets noted). The array index of each
// run was located by its unique alignment in the table; the sparse p2 run
// also checks the distances between its non-zero entries.
func TestGB18030ChineseCIPinyinMySQL(t *testing.T) {
	tab := gb18030CI()
	get := func(a []byte, i int) uint32 { return uint32(binary.BigEndian.Uint16(a[2*i:])) }
	runs := []struct {
		name  string
		tab   []byte
		start int
		want  []uint32
	}{
		// gb18030_2_weight_py, file offset ~940000
		{"gb18030_2_weight_py", tab.py2, 13289, []uint32{23400, 23465, 23470, 23527, 23443, 23450, 23451, 23452, 23459, 23444, 23572, 23638, 40193, 11316, 7850, 8309, 4899, 4110, 14030, 7076, 212}},
		{"gb18030_2_weight_py", tab.py2, 14630, []uint32{27798, 14427, 23318, 37332, 15085, 27652, 19076, 17194, 5995, 28953, 16061}},
		// file offset ~860000; index 4179 holds a 0 inside the two-byte range
		{"gb18030_2_weight_py", tab.py2, 2288, []uint32{18003, 3459, 22901, 10054, 33432, 29578, 33918, 1521, 10345, 406, 19187}},
		{"gb18030_2_weight_py", tab.py2, 4169, []uint32{25547, 35426, 15643, 24450, 25909, 33958, 6768, 40510, 36985, 38066, 0}},
		// gb18030_4_weight_py_p1, file offset ~1030000
		{"gb18030_4_weight_py_p1", tab.py4a, 1749, []uint32{37799, 0, 18361, 8159, 40889, 0, 9135, 15124, 5866, 11221, 15984}},
		{"gb18030_4_weight_py_p1", tab.py4a, 3366, []uint32{33376, 0, 0, 0, 9739, 0, 0, 0, 18482, 32961, 3078}},
		// gb18030_4_weight_py_p2, file offset ~1380000 (mostly zeros)
		{"gb18030_4_weight_py_p2", tab.py4b, 43080, []uint32{518, 0, 0, 0, 0, 0, 0, 38601}},
		{"gb18030_4_weight_py_p2", tab.py4b, 45192, append(append([]uint32{7518}, make([]uint32, 16)...), 28061)},
	}
	for _, r := range runs {
		for i, want := range r.want {
			if got := get(r.tab, r.start+i); got != want {
				t.Errorf("%s[%d] = %d, want %d (MySQL)", r.name, r.start+i, got, want)
			}
		}
	}
}

func FuzzGB18030ChineseCI(f *testing.F) {
	for _, s := range [][2]string{{"a", "A "}, {"中文", "汉字"}, {"\xff", "a\xffb"}, {"€", "?"}, {"ḿ", "\uE7C7"}, {"😃", "𝌆"}} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	c, _ := Get("gb18030_chinese_ci")
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ka := c.Key(nil, a)
		if kp := c.Key(nil, append(append([]byte(nil), a...), "  "...)); !bytes.Equal(ka, kp) {
			t.Fatalf("trailing spaces change the key of %q", a)
		}
		if kb := c.Key([]byte("x"), a); !bytes.Equal(kb, append([]byte("x"), ka...)) {
			t.Fatal("Key does not append into dst")
		}
		_ = Compare(c, a, b)
	})
}

func BenchmarkGB18030ChineseCIKey(b *testing.B) {
	c, _ := Get("gb18030_chinese_ci")
	for _, in := range []struct {
		name string
		s    []byte
	}{{"ascii", benchInput}, {"cjk", []byte("中文字符排序键的性能测试，包括标点符号。")}} {
		b.Run(in.name, func(b *testing.B) {
			dst := c.Key(nil, in.s)
			b.SetBytes(int64(len(in.s)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dst = c.Key(dst[:0], in.s)
			}
		})
	}
}
