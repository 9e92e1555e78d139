package jsonbin

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/golden"
)

func mustParse(t testing.TB, s string) []byte {
	t.Helper()
	b, err := Parse([]byte(s), nil)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return b
}

func TestVectors(t *testing.T) {
	raw := golden.Vectors()
	var file struct {
		Vectors []struct {
			ID, Category string
			What         struct {
				JSON string `json:"json"`
			}
			BytesHex string `json:"bytes_hex"`
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range file.Vectors {
		if v.Category != "json_binary" {
			continue
		}
		n++
		got := mustParse(t, v.What.JSON)
		if hex.EncodeToString(got) != v.BytesHex {
			t.Errorf("%s: got %x want %s", v.ID, got, v.BytesHex)
		}
	}
	if n == 0 {
		t.Fatal("no json_binary vectors")
	}
}

func TestSpecExample(t *testing.T) {
	got := mustParse(t, `{"key":"value"}`)
	want := "01" + "01000000" + "1c000000" + "13000000" + "0300" + "0c" + "16000000" + "6b6579" + "05" + "76616c7565"
	if hex.EncodeToString(got) != want {
		t.Fatalf("got %x", got)
	}
	// Literals are inlined in the value entry.
	got = mustParse(t, `[true,null]`)
	if hex.EncodeToString(got) != "03"+"02000000"+"12000000"+"0401000000"+"0400000000" {
		t.Fatalf("got %x", got)
	}
}

func TestTextRoundTrip(t *testing.T) {
	tests := []struct{ in, out string }{
		// TiDB json_binary_test.go TestBinaryJSONMarshalUnmarshal.
		{`{"a": [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], "b": true, "c": ["d"], "\"hello\"": "world"}`,
			`{"\"hello\"": "world", "a": [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], "b": true, "c": ["d"]}`},
		{`{"a":3,"b":4}`, `{"a": 3, "b": 4}`},
		{`{"b":1,"a":2,"b":3}`, `{"a": 2, "b": 3}`}, // last duplicate wins
		{`{"bb":1,"a":2,"c":0}`, `{"a": 2, "bb": 1, "c": 0}`},
		{`[1.0, -0.0, 0.4e5, 1e15, 1e14, 1e-15, 1.5e-16, 123.456, 1e300, -2.5e-7]`,
			`[1.0, -0.0, 40000.0, 1e15, 100000000000000.0, 0.000000000000001, 1.5e-16, 123.456, 1e300, -0.00000025]`},
		{`[-0, 9223372036854775807, 9223372036854775808, 18446744073709551616, -9223372036854775809]`,
			`[0, 9223372036854775807, 9223372036854775808, 1.8446744073709552e19, -9.223372036854776e18]`},
		{`"\u000b\u001B\n\"\\/\t\b\f\r"`, `"\u000b\u001b\n\"\\/\t\b\f\r"`},
		{`"\ud83c\udf95 Σ \u2028"`, `"🎕 Σ \u2028"`},
		{`"\ud800x"`, `"` + "\ufffd" + `x"`},
		{` "Dog" `, `"Dog"`},
		{`{"a":{},"b":[]}`, `{"a": {}, "b": []}`},
		{`null`, `null`}, {`true`, `true`}, {`false`, `false`},
	}
	for _, tt := range tests {
		bin := mustParse(t, tt.in)
		got, err := ToText(bin, nil)
		if err != nil || string(got) != tt.out {
			t.Errorf("ToText(%s) = %s, %v\n want %s", tt.in, got, err, tt.out)
		}
		if err := Validate(bin); err != nil {
			t.Errorf("Validate(%s): %v", tt.in, err)
		}
		again := mustParse(t, string(got))
		if !bytes.Equal(again, bin) {
			t.Errorf("reparse of %s differs", got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		off int
	}{
		{``, 0}, {`   `, 3}, {`{`, 1}, {`[1,]`, 3}, {`{"a" 1}`, 5}, {`01`, 1}, {`1.`, 2},
		{`"abc`, 4}, {`"a` + "\x01" + `"`, 2}, {`tru`, 0}, {`[1] x`, 4}, {`1e400`, 0}, {`"\x"`, 2},
		{`{"a":1,}`, 7}, {`-`, 1},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in), nil)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tt.off {
			t.Errorf("Parse(%q) err %v, want offset %d", tt.in, err, tt.off)
		}
	}
	deep := strings.Repeat("[", 101) + strings.Repeat("]", 101)
	if _, err := Parse([]byte(deep), nil); err != nil {
		t.Errorf("depth 100 rejected: %v", err)
	}
	deep = strings.Repeat("[", 102) + strings.Repeat("]", 102)
	if _, err := Parse([]byte(deep), nil); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth 101 accepted: %v", err)
	}
	long := `{"` + strings.Repeat("k", 65536) + `":1}`
	if _, err := Parse([]byte(long), nil); !errors.Is(err, ErrKeyTooLong) {
		t.Errorf("long key: %v", err)
	}
}

func TestTypes(t *testing.T) {
	for in, want := range map[string]string{
		`{}`: "OBJECT", `[]`: "ARRAY", `null`: "NULL", `true`: "BOOLEAN", `3`: "INTEGER",
		`18446744073709551615`: "UNSIGNED INTEGER", `3.0`: "DOUBLE", `"s"`: "STRING",
	} {
		if got := Type(mustParse(t, in)); got != want {
			t.Errorf("Type(%s) = %s", in, got)
		}
	}
	if !bytes.Equal(FromInt64(3), mustParse(t, "3")) || !bytes.Equal(FromString("é"), mustParse(t, `"é"`)) ||
		!bytes.Equal(FromFloat64(1.5), mustParse(t, "1.5")) || !bytes.Equal(FromBool(true), mustParse(t, "true")) ||
		!bytes.Equal(Null(), mustParse(t, "null")) || !bytes.Equal(FromUint64(1<<63), mustParse(t, "9223372036854775808")) {
		t.Error("constructors differ from parsed values")
	}
	if n, _ := Length(mustParse(t, `{"a":1,"b":2}`)); n != 2 {
		t.Error("Length")
	}
	if k, _ := Keys(mustParse(t, `{"b":1,"a":2}`)); strings.Join(k, ",") != "a,b" {
		t.Error("Keys", k)
	}
}

func TestExtract(t *testing.T) {
	doc := mustParse(t, `{"a": [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], "b": true, "c": ["d"], "\"hello\"": "world", "k l": 5}`)
	tests := []struct {
		paths []string
		out   string // "" = not found
	}{
		{[]string{"$"}, `{"\"hello\"": "world", "a": [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], "b": true, "c": ["d"], "k l": 5}`},
		{[]string{"$.a"}, `[1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}]`},
		{[]string{"$.a[2].aa"}, `"bb"`},
		{[]string{"$.a[last]"}, `{"aa": "cc"}`},
		{[]string{"$.a[last-1]"}, `4.0`},
		{[]string{"$.a[*].aa"}, `["bb", "cc"]`},
		{[]string{"$**.aa"}, `["bb", "cc"]`},
		{[]string{`$."\"hello\""`}, `"world"`},
		{[]string{`$."k l"`}, `5`},
		{[]string{"$.b[0]"}, `true`},
		{[]string{"$.c", "$.b"}, `[["d"], true]`},
		{[]string{"$.*"}, `["world", [1, "2", {"aa": "bb"}, 4.0, {"aa": "cc"}], true, ["d"], 5]`},
		{[]string{"$.zz"}, ``},
		{[]string{"$.a[9]"}, ``},
	}
	for _, tt := range tests {
		var ps []Path
		for _, s := range tt.paths {
			p, err := ParsePath(s)
			if err != nil {
				t.Fatalf("ParsePath(%s): %v", s, err)
			}
			ps = append(ps, p)
		}
		res, found, err := Extract(doc, ps...)
		if err != nil || found != (tt.out != "") {
			t.Errorf("Extract%v found %v err %v", tt.paths, found, err)
			continue
		}
		if found && String(res) != tt.out {
			t.Errorf("Extract%v = %s want %s", tt.paths, String(res), tt.out)
		}
	}
	for _, bad := range []string{"a", "$.", "$[", "$[x]", "$**", "$.1a", "$[-1]"} {
		if _, err := ParsePath(bad); !errors.Is(err, ErrBadPath) {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
	if s, _ := Unquote(mustParse(t, `"a\"b"`)); s != `a"b` {
		t.Error("Unquote string", s)
	}
	if s, _ := Unquote(mustParse(t, `[1, "x"]`)); s != `[1, "x"]` {
		t.Error("Unquote array", s)
	}
}

// TestCorpus parses the 92 documents of lightning_various_types vt.json.sql.
// 1764 nests 127 arrays: TiDB (since the depth check, like MySQL) rejects it.
func TestCorpus(t *testing.T) {
	raw := golden.ReadShared(t, "corpora/lightning-cases/lightning_various_types/data/vt.json.sql")
	re := regexp.MustCompile(`(?s)\((\d+), '(.*?)'\)[,;]`)
	texts := map[string]string{}
	seen := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		// The SQL string escapes: \\ -> \ and \" -> ".
		doc := strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n").Replace(m[2])
		bin, err := Parse([]byte(doc), nil)
		if m[1] == "1764" {
			if !errors.Is(err, ErrTooDeep) {
				t.Errorf("1764: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v (%q)", m[1], err, doc)
			continue
		}
		text, err := ToText(bin, nil)
		if err != nil {
			t.Errorf("%s: ToText %v", m[1], err)
		}
		if prev, dup := seen[string(bin)]; dup {
			t.Errorf("%s and %s encode identically", m[1], prev)
		}
		seen[string(bin)] = m[1]
		texts[m[1]] = string(text)
	}
	if len(texts) != 90 { // 91 in the regexp-matched part minus 1764; 2000 uses CONVERT
		t.Errorf("parsed %d docs", len(texts))
	}
	want := map[string]string{
		"1089": `[1, 2, 3]`,
		"823":  `[823, -0.0]`,
		"824":  `[824, -0.0]`,
		"826":  `[826, -0.0]`,
		"852":  `[852, 40000.0]`,
		"854":  `[854, 400000000000000.0]`,
		"856":  `[856, 0.04]`,
		"864":  `[864, -9.223372036854776e18]`,
		"868":  `[868, 1.8446744073709552e19]`,
		"871":  `2.220446049250313e-16`,
		"878":  `1.01010101010101e39`,
		"887":  `[887, 1e308]`,
		"740":  `"\u000b"`,
		"741":  `"\u001b"`,
		"1670": `{"": 0, " ": 7, "a/b": 1, "c%d": 2, "e^f": 3, "foo": ["bar", "baz"], "g|h": 4, "i\\j": 5, "k\"l": 6, "m~n": 8}`,
		"1173": `{"inner": [{"a": null, "b": 2, "c": ["abc", "xyz"]}]}`,
		"1781": `{"-1": 6, "1": 2}`,
	}
	for id, w := range want {
		if texts[id] != w {
			t.Errorf("%s: %s want %s", id, texts[id], w)
		}
	}
	// Row 2000 (inserted through CONVERT): keys "126" < "52" < "54" < "68".
	if got := String(mustParse(t, `{"52": 1, "54": 1, "68": 1, "126": 1}`)); got != `{"126": 1, "52": 1, "54": 1, "68": 1}` {
		t.Errorf("2000: %s", got)
	}
}
