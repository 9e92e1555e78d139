package charset

import (
	"bytes"
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		cs   string
		in   string
		want int // bad offset, -1 = valid
	}{
		{"binary", "\xff\x00\xfe", -1},
		{"latin1", "\xff\xfe caf\xc3\xa9", -1},
		{"ascii", "plain text", -1},
		{"ascii", "caf\xc3\xa9", 3},
		{"utf8mb4", "caf\xc3\xa9 😃", -1},
		{"utf8mb4", "ab\xff", 2},
		{"utf8mb4", "a\xc3", 1},        // truncated sequence
		{"utf8mb4", "\xed\xa0\x80", 0}, // surrogate
		{"utf8", "中文 café", -1},
		{"utf8", "ok 😃", 3}, // 4-byte character refused (tidb_check_mb4_value_in_utf8)
		{"UTF8MB3", "ok 😃", 3},
		{"gbk", "中文 abc", -1},
		{"gbk", "a€", 1}, // TiDB's GBK refuses € (issue 30581)
		{"gbk", "a😃", 1}, // no GBK code above U+FFFF
		{"gbk", "a\xff", 1},
		{"gb18030", "中文€😃", -1},
		{"gb18030", "a\xff", 1},
	}
	for _, tc := range tests {
		off, err := Validate(tc.cs, []byte(tc.in))
		if off != tc.want {
			t.Errorf("Validate(%s, %q) offset = %d, want %d (err %v)", tc.cs, tc.in, off, tc.want, err)
		}
		if (err != nil) != (tc.want >= 0) {
			t.Errorf("Validate(%s, %q) err = %v", tc.cs, tc.in, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidString) {
			t.Errorf("Validate(%s, %q) err %v is not ErrInvalidString", tc.cs, tc.in, err)
		}
	}
	var ise *InvalidStringError
	if _, err := Validate("utf8", []byte("x😃")); !errors.As(err, &ise) || !bytes.Equal(ise.Bytes, []byte("😃")) {
		t.Errorf("InvalidStringError bytes = %v", err)
	} else if got := err.Error(); got != `incorrect string value '\xF0\x9F\x98\x83' for charset utf8 at byte 1` {
		t.Errorf("message = %s", got)
	}
	if _, err := Validate("koi8r", []byte("x")); !errors.Is(err, ErrUnsupportedCharset) {
		t.Errorf("unsupported charset err = %v", err)
	}
}

func TestCharLenAndTruncate(t *testing.T) {
	tests := []struct {
		cs      string
		in      string
		charLen int
		n       int
		trunc   string
	}{
		{"utf8mb4", "中文abc", 5, 2, "中文"},
		{"utf8mb4", "中文abc", 5, 9, "中文abc"},
		{"utf8", "café", 4, 3, "caf"},
		{"gbk", "中文abc", 5, 1, "中"},
		{"latin1", "café", 4, 4, "café"},
		{"binary", "中文", 6, 4, "中\xe6"},
		{"ascii", "abcdef", 6, 3, "abc"},
		{"utf8mb4", "a\xffbc", 4, 3, "a\uFFFDb"}, // TiDB truncates through []rune
		{"utf8mb4", "a\xffb", 3, 3, "a\xffb"},    // short enough: untouched
		{"utf8mb4", "abc", 3, 0, ""},
	}
	for _, tc := range tests {
		if got := CharLen(tc.cs, []byte(tc.in)); got != tc.charLen {
			t.Errorf("CharLen(%s, %q) = %d, want %d", tc.cs, tc.in, got, tc.charLen)
		}
		if got := TruncateChars(tc.cs, []byte(tc.in), tc.n); string(got) != tc.trunc {
			t.Errorf("TruncateChars(%s, %q, %d) = %q, want %q", tc.cs, tc.in, tc.n, got, tc.trunc)
		}
	}
}

func TestDefaultCollationAndSupported(t *testing.T) {
	for cs, want := range map[string]string{
		"utf8mb4": "utf8mb4_bin", "utf8": "utf8_bin", "utf8mb3": "utf8_bin", "UTF8MB4": "utf8mb4_bin",
		"gbk": "gbk_bin", "gb18030": "gb18030_bin", "latin1": "latin1_bin", "ascii": "ascii_bin",
		"binary": "binary", "koi8r": "",
	} {
		if got := DefaultCollation(cs); got != want {
			t.Errorf("DefaultCollation(%s) = %q, want %q", cs, got, want)
		}
		if Supported(cs) != (want != "") {
			t.Errorf("Supported(%s) = %v", cs, !(want != ""))
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"abc", "中文", "😃", "\xff", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cs := range []string{"utf8", "utf8mb4", "ascii", "gbk", "gb18030", "latin1", "binary"} {
			off, err := Validate(cs, []byte(s))
			if (err == nil) != (off == -1) || off >= len(s) {
				t.Fatalf("Validate(%s, %q) = %d, %v", cs, s, off, err)
			}
			n := CharLen(cs, []byte(s))
			if got := CharLen(cs, TruncateChars(cs, []byte(s), n/2)); got != n/2 {
				t.Fatalf("TruncateChars(%s, %q, %d) has %d characters", cs, s, n/2, got)
			}
		}
	})
}
