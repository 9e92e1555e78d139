package collate

import (
	"bytes"
	"encoding/hex"
	"testing"
	"unicode/utf8"
)

// TestGBKChineseCIKeys holds the gbk_chinese_ci column of TiDB's
// pkg/util/collate/collate_test.go TestUTF8CollatorKey and TiKV's
// test_utf8mb4_sort_key, plus single entries of TiDB's generated
// gbkChineseCISortKeyTable (util/collate/gbk_chinese_ci_data.go) checked by
// hand.
func TestGBKChineseCIKeys(t *testing.T) {
	c := mustGet(t, "gbk_chinese_ci")
	if !c.PadSpace() {
		t.Fatal("gbk_chinese_ci must be PAD SPACE")
	}
	tests := []struct{ in, want string }{
		{"a", "41"},
		{"A", "41"},
		{"a ", "41"},
		{"A ", "41"},
		{"Foo © bar 𝌆 baz ☃ qux", "464f4f203f20424152203f2042415a203f20515558"},
		{"ﷻ", "3f"},
		{"中文", "d321c1ad"},
		{"갟감1", "3f3f31"},
		{"\U000FFFFE\U000FFFFF", "3f3f"},
		{"😃", "3f"},
		{"€", "3f"},           // the parser's GBK encoder refuses '€' (TiDB issue 30581)
		{"ʩ", "3f"},           // not in GBK (TiKV test_compare)
		{"[\\]~", "5c5c5b59"}, // sort_order_gbk, except '\' which TiDB's table keeps
		{"¤§¨°±·×", "82438245814482478183824881 84"},
		{"àáèéêìíòóùúü", "82b382b282c482c382c582d382d282ef82ee830082ff8301"},
		{"ΑαЁА", "83128313834e8342"},
		{"！＂＃＇Ａ～", "810d810e8110810182b08142"},
		{"￠￡￢￣￤￥", "824182428246814581438244"},
		{"︰︱︲︳", "812981083f8152"},
		{"\uE000\uFEFF", "3f3f"}, // private use and BOM are not encodable
		{"a\xffb", "41"},         // the key ends at invalid UTF-8
		{"\xed\xa0\x80", ""},     // a surrogate is invalid UTF-8
		{"", ""},
	}
	for _, tc := range tests {
		want, err := hex.DecodeString(stripSpaces(tc.want))
		if err != nil {
			t.Fatalf("bad hex %q", tc.want)
		}
		if got := c.Key(nil, []byte(tc.in)); !bytes.Equal(got, want) {
			t.Errorf("gbk_chinese_ci Key(%q) = %x, want %x", tc.in, got, want)
		}
	}
}

func stripSpaces(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil))
}

// TestGBKChineseCICompare holds the gbk_chinese_ci column of TiDB's
// TestUTF8CollatorCompare and TestCampareInvalidUTF8Rune and TiKV's
// test_compare.
func TestGBKChineseCICompare(t *testing.T) {
	c := mustGet(t, "gbk_chinese_ci")
	tests := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"a", "A", 0},
		{"À", "A", -1},
		{"abc", "abc", 0},
		{"abc", "ab", 1},
		{"😜", "😃", 0},
		{"a", "a ", 0},
		{"a ", "a  ", 0},
		{"a\t", "a", 1},
		{"ß", "s", -1},
		{"ß", "ss", -1},
		{"啊", "吧", -1},
		{"中文", "汉字", 1},
		{"æ", "ae", -1},
		{"A\u030A", "A", 1}, // A + COMBINING RING ABOVE
		{"Å", "A", -1},
		{"\U0001730F", "啊", -1},
		{"가", "㉡", 0},
		{"갟", "감1", -1},
		{"\U000FFFFE", "\U000FFFFF", 0},
		{"A", "a\t", -1},
		{"cAfe", "café", -1},
		{"cAfe ", "café", -1},
		{"啊", "把", -1},
		{"ʩ", "F", -1},
		{"\xff", "\xff", 0},
		{"\xff", "\xfe", 0},
		{"\xff", "\xff\x3e", 0},
		{"\x3e\xff", "\x3e\xff\x3e", 0},
		{"\x3e\xfe\x3e\x3e", "\x3e\xff", 0},
	}
	for _, tc := range tests {
		if got := Compare(c, []byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("gbk_chinese_ci Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestGBKChineseCIAgainstGBKBin cross-checks the two GBK collations: a
// character gbk_bin encodes as two bytes has a two-byte gbk_chinese_ci
// weight of at least 0x8100, and a '?' in gbk_bin is a '?' here.
func TestGBKChineseCIAgainstGBKBin(t *testing.T) {
	ci, bin := mustGet(t, "gbk_chinese_ci"), mustGet(t, "gbk_bin")
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := []byte(string(r))
		kb, kc := bin.Key(nil, s), ci.Key(nil, s)
		switch {
		case bytes.Equal(kb, []byte("?")):
			if !bytes.Equal(kc, []byte("?")) {
				t.Fatalf("U+%04X: gbk_bin '?' but gbk_chinese_ci %x", r, kc)
			}
		case len(kb) == 2:
			if len(kc) != 2 || kc[0] < 0x81 {
				t.Fatalf("U+%04X: gbk_bin %x but gbk_chinese_ci %x", r, kb, kc)
			}
		default:
			t.Fatalf("U+%04X: unexpected gbk_bin key %x", r, kb)
		}
	}
}

func BenchmarkGBKChineseCIKey(b *testing.B) {
	c, _ := Get("gbk_chinese_ci")
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

// referenceRuneCompare orders a and b by their code points' weights
// (numerically, not by key bytes), trailing spaces trimmed and each side cut
// at its first invalid UTF-8 sequence, as the keys are. (TiDB's own Compare
// returns 0 as soon as either side is invalid; index order follows keys.)
func referenceRuneCompare(a, b []byte, weight func(rune) uint32) int {
	cut := func(s []byte) []rune {
		var rs []rune
		s = TrimTrailingSpace(s)
		for len(s) > 0 {
			r, n := utf8.DecodeRune(s)
			if r == utf8.RuneError && n == 1 {
				break
			}
			rs = append(rs, r)
			s = s[n:]
		}
		return rs
	}
	ra, rb := cut(a), cut(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if wa, wb := weight(ra[i]), weight(rb[i]); wa != wb {
			if wa < wb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ra) < len(rb):
		return -1
	case len(ra) > len(rb):
		return 1
	}
	return 0
}

func gbkCIWeightForTest(r rune) uint32 {
	if r > 0xFFFF {
		return '?'
	}
	return uint32(gbkCIWeights()[r])
}

func FuzzGBKChineseCI(f *testing.F) {
	for _, s := range [][2]string{{"a", "A "}, {"中文", "汉字"}, {"\xff", "a\xffb"}, {"€", "?"}, {"[\\]", "\\\\"}, {"ａ", "Ａ"}} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	c, _ := Get("gbk_chinese_ci")
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ka := c.Key(nil, a)
		if kp := c.Key(nil, append(append([]byte(nil), a...), "  "...)); !bytes.Equal(ka, kp) {
			t.Fatalf("trailing spaces change the key of %q", a)
		}
		// Weights are at most 0xFF (one byte) or at least 0x8100 (two bytes
		// with a lead byte >= 0x81), so key order is weight order.
		if got, want := Compare(c, a, b), referenceRuneCompare(a, b, gbkCIWeightForTest); got != want {
			t.Fatalf("key order %d, weight order %d for %q vs %q", got, want, a, b)
		}
	})
}
