package collate

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// referenceGeneralCI compares like TiDB's generalCICollator.Compare: case-
// folded code points one by one, trailing spaces ignored, stopping at the
// first invalid byte. It does not use Key, so it is an independent oracle.
func referenceGeneralCI(a, b []byte) int {
	a, b = TrimTrailingSpace(a), TrimTrailingSpace(b)
	cut := func(s []byte) []byte {
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				return s[:i]
			}
			i += n
		}
		return s
	}
	ra, rb := []rune(string(cut(a))), []rune(string(cut(b)))
	for i := 0; i < len(ra) && i < len(rb); i++ {
		wa, wb := generalCIWeight(ra[i]), generalCIWeight(rb[i])
		if wa != wb {
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

func FuzzKeys(f *testing.F) {
	for _, s := range [][2]string{{"a", "A "}, {"ß", "s"}, {"中文", "汉字"}, {"\xff", "a\xffb"}, {"갟", "감1"}, {"\U0001730F", "ﷺ"}} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	names := Supported()
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, n := range names {
			c, _ := Get(n)
			ka := c.Key(nil, a) // must not panic on any input
			// Key appends: a non-empty dst is kept as a prefix.
			if kb := c.Key([]byte("x"), a); !bytes.Equal(kb, append([]byte("x"), ka...)) {
				t.Fatalf("%s: Key does not append into dst", n)
			}
		}
		gc, _ := Get("utf8mb4_general_ci")
		if got, want := Compare(gc, a, b), referenceGeneralCI(a, b); got != want {
			t.Fatalf("general_ci key order %d, reference %d for %q vs %q", got, want, a, b)
		}
		// PAD SPACE collations ignore trailing spaces.
		for _, n := range []string{"utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_bin", "gbk_bin", "gb18030_bin"} {
			c, _ := Get(n)
			if !bytes.Equal(c.Key(nil, a), c.Key(nil, append(append([]byte(nil), a...), "   "...))) {
				t.Fatalf("%s: trailing spaces change the key of %q", n, a)
			}
		}
	})
}

var benchInput = []byte("The Quick Brown Fox Jumps Over The Lazy Dog 0123456789 user@example.com")

func BenchmarkKey(b *testing.B) {
	for _, n := range []string{"utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_0900_ai_ci", "gbk_bin"} {
		c, _ := Get(n)
		for _, in := range []struct {
			name string
			s    []byte
		}{{"ascii", benchInput}, {"cjk", []byte("中文字符排序键的性能测试，包括标点符号。")}} {
			b.Run(n+"/"+in.name, func(b *testing.B) {
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
}
