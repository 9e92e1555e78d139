package main

import (
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/language"
)

// gb18030_chinese_ci data comes from MySQL's strings/ctype-gb18030.cc, the
// source TiDB's gb18030_chinese_ci (pkg/util/collate/gb18030_chinese_ci.go)
// and TiKV's gb18030_collation.rs tables reproduce:
//
//   - my_caseinfo_pages_gb18030 and its planeXX arrays of
//     {toupper, tolower, sort}: the upper case of a character, indexed and
//     valued in MySQL's "unicase code" domain (a one-byte code as itself,
//     a two-byte code 0xA000..0xDFFF as itself, a four-byte code as its
//     linear diff from 81308130 plus 0x80, or diff&0xFFFF for diffs
//     0x2E600..0x2E6FF);
//   - gb18030_2_weight_py, gb18030_4_weight_py_p1 and gb18030_4_weight_py_p2:
//     the pinyin rank of each code in the three Chinese ranges (MySQL's
//     get_weight_if_chinese_character).
//
// When the source holds no weight_py arrays and -pinyin-cldr is given, the
// ranks are derived from CLDR's zh pinyin tailoring as shipped in
// golang.org/x/text/collate (CLDR 23): its primary weight for a tailored Han
// character is 0x160000 + the character's rank in the tailoring, the same
// rank MySQL stored (from CLDR 24). Only the case planes are then read.
// The committed gb18030_ci.bin was built that way: its case planes were
// transcribed from MySQL's file (commit 08f46b3c), its ranks come from
// CLDR and agree with every run of the three MySQL arrays read so far
// (see collate's TestGB18030ChineseCIPinyinMySQL). Once a source holding
// the three weight_py arrays is available, rerun without -pinyin-cldr.
//
// Output gb18030_ci.bin (all big-endian uint16):
//
//	n                         number of upper-case records
//	n x (code, upper)         unicase codes whose toupper differs from the code
//	23940 x rank              gb18030_2_weight_py, index as MySQL computes it
//	7744 x rank               gb18030_4_weight_py_p1 (diff - 11328)
//	46840 x rank              gb18030_4_weight_py_p2 (diff - 254536)

const (
	py2Len  = 126 * 190
	py4aLen = 19072 - 11328 + 1   // diff(82359232) - diff(8138FD38) + 1
	py4bLen = 301376 - 254536 + 1 // diff(98399836) - diff(95328236) + 1
)

var (
	planeDecl = regexp.MustCompile(`MY_UNICASE_CHARACTER\s+(plane[0-9A-F]{2})\[\]\s*=\s*\{`)
	tripleRe  = regexp.MustCompile(`\{\s*(0x[0-9A-Fa-f]+)\s*,\s*(0x[0-9A-Fa-f]+)\s*,\s*(0x[0-9A-Fa-f]+)\s*\}`)
)

func writeGB18030CI(src, path string, pinyinCLDR bool) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	text := string(raw)
	upper, err := gb18030Upper(text)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var py2, py4a, py4b []uint32
	if strings.Contains(text, "gb18030_2_weight_py[]") {
		if py2, err = cArray(src, "gb18030_2_weight_py"); err != nil {
			return err
		}
		if py4a, err = cArray(src, "gb18030_4_weight_py_p1"); err != nil {
			return err
		}
		if py4b, err = cArray(src, "gb18030_4_weight_py_p2"); err != nil {
			return err
		}
	} else if pinyinCLDR {
		py2, py4a, py4b = pinyinFromCLDR()
	} else {
		return fmt.Errorf("%s: no gb18030_2_weight_py array (pass -pinyin-cldr to derive the ranks from CLDR)", src)
	}
	for _, a := range []struct {
		name string
		v    []uint32
		n    int
	}{{"gb18030_2_weight_py", py2, py2Len}, {"gb18030_4_weight_py_p1", py4a, py4aLen}, {"gb18030_4_weight_py_p2", py4b, py4bLen}} {
		if len(a.v) < a.n {
			return fmt.Errorf("%s: %s has %d values, want at least %d", src, a.name, len(a.v), a.n)
		}
	}
	codes := make([]int, 0, len(upper))
	for c := range upper {
		codes = append(codes, int(c))
	}
	sort.Ints(codes)
	blob := binary.BigEndian.AppendUint16(nil, uint16(len(codes)))
	for _, c := range codes {
		blob = binary.BigEndian.AppendUint16(blob, uint16(c))
		blob = binary.BigEndian.AppendUint16(blob, upper[uint16(c)])
	}
	for _, a := range [][]uint32{py2[:py2Len], py4a[:py4aLen], py4b[:py4bLen]} {
		for _, v := range a {
			if v > 0xFFFF {
				return fmt.Errorf("pinyin rank %d overflows uint16", v)
			}
			blob = binary.BigEndian.AppendUint16(blob, uint16(v))
		}
	}
	log.Printf("%s: %d upper-case records, %d bytes", path, len(codes), len(blob))
	return os.WriteFile(path, blob, 0o644)
}

// gb18030Upper reads the case planes named by my_caseinfo_pages_gb18030 and
// returns every unicase code whose toupper differs from itself.
func gb18030Upper(text string) (map[uint16]uint16, error) {
	i := strings.Index(text, "my_caseinfo_pages_gb18030[256]")
	if i < 0 {
		return nil, fmt.Errorf("my_caseinfo_pages_gb18030 not found")
	}
	body := text[i:]
	body = body[strings.IndexByte(body, '{')+1 : strings.Index(body, "};")]
	var pages []string
	for _, f := range strings.Split(body, ",") {
		if f = strings.TrimSpace(f); f != "" {
			pages = append(pages, f)
		}
	}
	if len(pages) != 256 {
		return nil, fmt.Errorf("my_caseinfo_pages_gb18030 has %d entries, want 256", len(pages))
	}
	planes := map[string][][3]uint32{}
	for _, m := range planeDecl.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		rest := text[m[1]:]
		rest = rest[:strings.Index(rest, "};")]
		var entries [][3]uint32
		for _, t := range tripleRe.FindAllStringSubmatch(rest, -1) {
			var e [3]uint32
			for k := 0; k < 3; k++ {
				v, err := strconv.ParseUint(t[k+1], 0, 32)
				if err != nil {
					return nil, err
				}
				e[k] = uint32(v)
			}
			entries = append(entries, e)
		}
		if len(entries) != 256 {
			return nil, fmt.Errorf("%s has %d entries, want 256", name, len(entries))
		}
		planes[name] = entries
	}
	upper := map[uint16]uint16{}
	for page, name := range pages {
		if name == "nullptr" || name == "NULL" {
			continue
		}
		p, ok := planes[name]
		if !ok {
			return nil, fmt.Errorf("plane %s not found", name)
		}
		for lo, e := range p {
			code := uint32(page<<8 | lo)
			if e[0] > 0xFFFF {
				return nil, fmt.Errorf("%s[%#x]: toupper %#x is not 16-bit", name, lo, e[0])
			}
			if e[0] != code {
				upper[uint16(code)] = uint16(e[0])
			}
		}
	}
	return upper, nil
}

// pinyinFromCLDR ranks the Chinese ranges of GB18030 by CLDR's zh pinyin
// tailoring (see the file comment); a code outside the tailoring ranks 0,
// which MySQL treats as "not Chinese".
func pinyinFromCLDR() (py2, py4a, py4b []uint32) {
	c := collate.New(language.Chinese)
	dec := simplifiedchinese.GB18030.NewDecoder()
	var buf collate.Buffer
	rank := func(gb []byte) uint32 {
		u, err := dec.Bytes(gb)
		if err != nil || len(u) == 0 {
			return 0
		}
		r := []rune(string(u))
		if len(r) != 1 || r[0] == 0xFFFD {
			return 0
		}
		buf.Reset()
		k := c.Key(&buf, u)
		// x/text writes a primary above 0x7FFF as 3 bytes, the first with
		// the high bit set.
		if len(k) < 3 || k[0] != 0x80|0x16 {
			return 0
		}
		return uint32(k[1])<<8 | uint32(k[2])
	}
	py2 = make([]uint32, py2Len)
	for head := 0x81; head <= 0xFE; head++ {
		for tail := 0x40; tail <= 0xFE; tail++ {
			if tail == 0x7F {
				continue
			}
			idx := (head-0x81)*0xBE + tail - 0x40
			if tail > 0x7F {
				idx--
			}
			py2[idx] = rank([]byte{byte(head), byte(tail)})
		}
	}
	four := func(diff int) []byte {
		b3 := 0x30 + diff%10
		diff /= 10
		b2 := 0x81 + diff%126
		diff /= 126
		return []byte{byte(0x81 + diff/10), byte(0x30 + diff%10), byte(b2), byte(b3)}
	}
	py4a = make([]uint32, py4aLen)
	for i := range py4a {
		py4a[i] = rank(four(11328 + i))
	}
	py4b = make([]uint32, py4bLen)
	for i := range py4b {
		py4b[i] = rank(four(254536 + i))
	}
	return py2, py4a, py4b
}
