package collate

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/pingcap/tidb/pkg/parser/charset"
)

func mustGet(t testing.TB, name string) Collator {
	t.Helper()
	c, ok := Get(name)
	if !ok {
		t.Fatalf("collation %s not registered", name)
	}
	return c
}

// TestTiDBCollatorKey holds TiDB's pkg/util/collate/collate_test.go
// TestUTF8CollatorKey table (commit ae54c9bc).
func TestTiDBCollatorKey(t *testing.T) {
	names := []string{"binary", "utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_0900_ai_ci", "utf8mb4_0900_bin", "gbk_bin"}
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"a", []string{"61", "61", "0041", "0e33", "1c47", "61", "61"}},
		{"A", []string{"41", "41", "0041", "0e33", "1c47", "41", "41"}},
		{"Foo © bar 𝌆 baz ☃ qux", []string{
			"466f6f20c2a92062617220f09d8c862062617a20e2988320717578",
			"466f6f20c2a92062617220f09d8c862062617a20e2988320717578",
			"0046004f004f002000a900200042004100520020fffd002000420041005a002026030020005100550058",
			"0eb90f820f82020902c502090e4a0e330fc00209fffd02090e4a0e33106a020906ff02090fb4101f105a",
			"1ce51ddd1ddd0209058402091c601c471e3302090ef002091c601c471f210209091b02091e211eb51eff",
			"466f6f20c2a92062617220f09d8c862062617a20e2988320717578",
			"466f6f203f2062617220" + "3f2062617a203f20717578",
		}},
		{"a ", []string{"6120", "61", "0041", "0e33", "1c470209", "6120", "61"}},
		{"ﷻ", []string{"efb7bb", "efb7bb", "fdfb", "135e13ab0209135e13ab135013ab13b7", "2325239c02092325239c230b239c23b1", "efb7bb", "3f"}},
		{"中文", []string{"e4b8ade69687", "e4b8ade69687", "4e2d6587", "fb40ce2dfb40e587", "fb40ce2dfb40e587", "e4b8ade69687", "d6d0cec4"}},
		{"갟감1", []string{"eab09feab09031", "eab09feab09031", "ac1fac100031", "fbc1ac1ffbc1ac100e2a", "3bf53c743cd33bf53c733ce01c3e", "eab09feab09031", "3f3f31"}},
		{"\U000FFFFE\U000FFFFF", []string{"f3bfbfbef3bfbfbf", "f3bfbfbef3bfbfbf", "fffdfffd", "fffdfffd", "fbdffffefbdfffff", "f3bfbfbef3bfbfbf", "3f3f"}},
	}
	for _, tc := range tests {
		for i, name := range names {
			want := tc.want[i]
			got := mustGet(t, name).Key(nil, []byte(tc.in))
			if !bytes.Equal(got, h(want)) {
				t.Errorf("%s Key(%q) = %x, want %s", name, tc.in, got, want)
			}
		}
	}
}

// TestTiDBCollatorCompare holds TiDB's TestUTF8CollatorCompare table.
func TestTiDBCollatorCompare(t *testing.T) {
	names := []string{"binary", "utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_0900_ai_ci", "utf8mb4_0900_bin", "gbk_bin"}
	tests := []struct {
		a, b string
		want []int
	}{
		{"a", "b", []int{-1, -1, -1, -1, -1, -1, -1}},
		{"a", "A", []int{1, 1, 0, 0, 0, 1, 1}},
		{"À", "A", []int{1, 1, 0, 0, 0, 1, -1}},
		{"abc", "abc", []int{0, 0, 0, 0, 0, 0, 0}},
		{"abc", "ab", []int{1, 1, 1, 1, 1, 1, 1}},
		{"😜", "😃", []int{1, 1, 0, 0, 1, 1, 0}},
		{"a", "a ", []int{-1, 0, 0, 0, -1, -1, 0}},
		{"a ", "a  ", []int{-1, 0, 0, 0, -1, -1, 0}},
		{"a\t", "a", []int{1, 1, 1, 1, 1, 1, 1}},
		{"ß", "s", []int{1, 1, 0, 1, 1, 1, -1}},
		{"ß", "ss", []int{1, 1, -1, 0, 0, 1, -1}},
		{"啊", "吧", []int{1, 1, 1, 1, 1, 1, -1}},
		{"中文", "汉字", []int{-1, -1, -1, -1, -1, -1, 1}},
		{"æ", "ae", []int{1, 1, 1, 1, 0, 1, -1}},
		{"A\u030A", "A", []int{1, 1, 1, 0, 0, 1, 1}}, // A + COMBINING RING ABOVE
		{"Å", "A", []int{1, 1, 0, 0, 0, 1, -1}},
		{"\U0001730F", "啊", []int{1, 1, 1, 1, -1, 1, -1}},
		{"가", "㉡", []int{1, 1, 1, 1, -1, 1, 0}},
		{"갟", "감1", []int{1, 1, 1, 1, 1, 1, -1}},
		{"\U000FFFFE", "\U000FFFFF", []int{-1, -1, 0, 0, -1, -1, 0}},
	}
	for _, tc := range tests {
		for i, name := range names {
			if got := Compare(mustGet(t, name), []byte(tc.a), []byte(tc.b)); got != tc.want[i] {
				t.Errorf("%s Compare(%q, %q) = %d, want %d", name, tc.a, tc.b, got, tc.want[i])
			}
		}
	}
}

// TestInvalidUTF8 follows TiDB's TestCampareInvalidUTF8Rune: the UTF-8
// collations stop at the first invalid byte, gbk_bin/gb18030_bin weigh '?'.
func TestInvalidUTF8(t *testing.T) {
	for _, name := range []string{"utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_0900_ai_ci"} {
		c := mustGet(t, name)
		for _, p := range [][2]string{{"\xff", "\xff"}, {"\xff", "\xfe"}, {"\xff", "\xff\x3e"}, {"\x3e\xff", "\x3e\xff\x3e"}} {
			if got := Compare(c, []byte(p[0]), []byte(p[1])); got != 0 {
				t.Errorf("%s Compare(%q, %q) = %d, want 0", name, p[0], p[1], got)
			}
		}
	}
	// The encoders turn a malformed byte into U+FFFD, which GB18030 encodes
	// (84 31 A4 37) and GBK cannot ('?').
	for name, want := range map[string][]byte{"gbk_bin": []byte("?"), "gb18030_bin": {0x84, 0x31, 0xA4, 0x37}} {
		c := mustGet(t, name)
		if got := c.Key(nil, []byte("\xff")); !bytes.Equal(got, want) {
			t.Errorf("%s Key(ff) = %x, want %x", name, got, want)
		}
		if got := Compare(c, []byte("\xff"), []byte("\xfe")); got != 0 {
			t.Errorf("%s Compare(ff, fe) = %d", name, got)
		}
	}
}

// TestGB18030Bin checks gb18030_bin keys against the parser's encoder (the
// one TiDB calls) for every BMP code point and a sample of the others.
func TestGB18030Bin(t *testing.T) {
	c := mustGet(t, "gb18030_bin")
	enc := charset.NewCustomGB18030Encoder()
	check := func(r rune) {
		s := []byte(string(r))
		want, err := enc.Bytes(s)
		if err != nil {
			want = []byte("?")
		}
		if gb18030FourByteQuirk[r] {
			want = append(want, 0)
		}
		if r == ' ' {
			want = nil
		}
		if got := c.Key(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("gb18030_bin U+%04X = %x, want %x", r, got, want)
		}
	}
	for r := rune(1); r < 0x10000; r++ {
		if r < 0xD800 || r > 0xDFFF {
			check(r)
		}
	}
	for r := rune(0x10000); r <= 0x10FFFF; r += 97 {
		check(r)
	}
	check(0x10FFFF)
	// GB18030 test data: 中文 is D6D0 CEC4, € is A2E3 (2005 mapping), U+10000 is 90308130.
	if got := c.Key(nil, []byte("中文€\U00010000")); !bytes.Equal(got, []byte{0xD6, 0xD0, 0xCE, 0xC4, 0xA2, 0xE3, 0x90, 0x30, 0x81, 0x30}) {
		t.Errorf("gb18030_bin = %x", got)
	}
	// gbk_bin rejects € (TiDB issue 30581) and everything above U+FFFF.
	if got := mustGet(t, "gbk_bin").Key(nil, []byte("€\U00010000a ")); !bytes.Equal(got, []byte("??a")) {
		t.Errorf("gbk_bin = %q", got)
	}
}

func TestSupportedAndFallback(t *testing.T) {
	want := []string{"ascii_bin", "binary", "gb18030_bin", "gbk_bin", "latin1_bin",
		"utf8_bin", "utf8_general_ci", "utf8_unicode_ci", "utf8mb4_0900_ai_ci", "utf8mb4_0900_bin",
		"utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci"}
	got := map[string]bool{}
	for _, n := range Supported() {
		got[n] = true
	}
	for _, n := range want {
		if !got[n] {
			t.Errorf("Supported() lacks %s", n)
		}
	}
	if c, ok := Get("UTF8MB4_GENERAL_CI"); !ok || !c.PadSpace() {
		t.Errorf("Get is not case-insensitive")
	}
	if c, ok := Get("no_such_ci"); ok || c.PadSpace() != true {
		t.Errorf("unknown collation must fall back to utf8mb4_bin with ok=false")
	}
}

type vectorFile struct {
	Vectors []struct {
		ID       string `json:"id"`
		Category string `json:"category"`
		What     struct {
			StringHex string `json:"string_utf8_hex"`
			Collation string `json:"collation"`
		} `json:"what"`
		BytesHex string `json:"bytes_hex"`
	} `json:"vectors"`
}

// TestGoldenVectors checks every collation_sort_key vector of TiDB's
// vectors.json (the copy internal/golden embeds; LIGHTSTREAM_VECTORS
// overrides it with another file).
func TestGoldenVectors(t *testing.T) {
	path, raw := "embedded vectors.json", golden.Vectors()
	if p := os.Getenv("LIGHTSTREAM_VECTORS"); p != "" {
		var err error
		if raw, err = os.ReadFile(p); err != nil {
			t.Fatalf("LIGHTSTREAM_VECTORS: %v", err)
		}
		path = p
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	n := 0
	for _, v := range vf.Vectors {
		if v.Category != "collation_sort_key" {
			continue
		}
		n++
		in, err1 := hex.DecodeString(v.What.StringHex)
		want, err2 := hex.DecodeString(v.BytesHex)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad hex", v.ID)
		}
		if got := mustGet(t, v.What.Collation).Key(nil, in); !bytes.Equal(got, want) {
			t.Errorf("%s: Key = %x, want %x", v.ID, got, want)
		}
	}
	if n < 13 {
		t.Errorf("found %d collation vectors, want at least 13", n)
	}
}
