package collate

import (
	"sync"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser/charset"
	"golang.org/x/text/encoding"
)

// gbk_bin and gb18030_bin sort by the value's bytes re-encoded in GBK /
// GB18030, one UTF-8 character at a time; a character the encoder rejects
// weighs '?' (TiDB's pkg/util/collate/gbk_bin.go, gb18030_bin.go). TiDB uses
// the parser's custom encoders (GBK refuses '€'; GB18030 has the 2005
// mapping fixes), which we call too: once per BMP code point to fill a
// table, and directly for malformed input, so the bytes match.

// multibyteTable holds the encoding of every BMP code point as a big-endian
// value whose significant bytes are its bytes (0 = not encodable; U+0000
// encodes as a single 00 and is kept apart by the ascii path).
type multibyteTable struct {
	code [0x10000]uint32
	enc  func() *encoding.Encoder
}

func buildTable(enc func() *encoding.Encoder) *multibyteTable {
	t := &multibyteTable{enc: enc}
	e := enc()
	var buf [4]byte
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		b, err := e.Bytes(buf[:n])
		if err != nil || len(b) == 0 || len(b) > 4 {
			continue
		}
		var v uint32
		for _, c := range b {
			v = v<<8 | uint32(c)
		}
		t.code[r] = v
	}
	return t
}

var (
	gbkTable     = sync.OnceValue(func() *multibyteTable { return buildTable(charset.NewCustomGBKEncoder) })
	gb18030Table = sync.OnceValue(func() *multibyteTable { return buildTable(charset.NewCustomGB18030Encoder) })
)

func appendCode(dst []byte, v uint32) []byte {
	switch {
	case v > 0xFFFFFF:
		return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	case v > 0xFFFF:
		return append(dst, byte(v>>16), byte(v>>8), byte(v))
	case v > 0xFF:
		return append(dst, byte(v>>8), byte(v))
	}
	return append(dst, byte(v))
}

// runeLen is the byte length TiDB's collate.runeLen assigns to a lead byte
// (it does not validate: continuation bytes count 2).
func runeLen(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b < 0xE0:
		return 2
	case b < 0xF0:
		return 3
	}
	return 4
}

// gb18030Supplementary is the four-byte GB18030 code of a code point above
// U+FFFF: a linear mapping starting at 90 30 81 30 (GB 18030-2005 §6.3.3).
func gb18030Supplementary(r rune) uint32 {
	i := uint32(r - 0x10000)
	b4 := 0x30 + i%10
	i /= 10
	b3 := 0x81 + i%126
	i /= 126
	b2 := 0x30 + i%10
	b1 := 0x90 + i/10
	return b1<<24 | b2<<16 | b3<<8 | b4
}

// gb18030FourByteQuirk lists the private-use code points for which TiDB's
// gb18030_bin encodes the character followed by a NUL byte (it pads the
// 3-byte UTF-8 input to 4 bytes before encoding), so the key carries an
// extra 00.
var gb18030FourByteQuirk = map[rune]bool{
	0xE78D: true, 0xE78E: true, 0xE78F: true, 0xE790: true, 0xE791: true, 0xE792: true,
	0xE793: true, 0xE794: true, 0xE795: true, 0xE796: true, 0xE7C7: true, 0xE81E: true,
	0xE826: true, 0xE82B: true, 0xE82C: true, 0xE832: true, 0xE843: true, 0xE854: true,
	0xE864: true,
}

type multibyteBinCollator struct {
	table   func() *multibyteTable
	gb18030 bool
}

func (multibyteBinCollator) PadSpace() bool { return true }

func (c multibyteBinCollator) Key(dst, s []byte) []byte {
	s = TrimTrailingSpace(s)
	var t *multibyteTable
	for len(s) > 0 {
		if b := s[0]; b < utf8.RuneSelf {
			dst = append(dst, b)
			s = s[1:]
			continue
		}
		if t == nil {
			t = c.table()
		}
		l := min(len(s), runeLen(s[0]))
		r, n := utf8.DecodeRune(s[:l])
		switch {
		case n != l || (r == utf8.RuneError && n == 1):
			// Malformed: whatever the encoder makes of these bytes.
			if b, err := t.enc().Bytes(s[:l]); err == nil {
				dst = append(dst, b...)
			} else {
				dst = append(dst, '?')
			}
		case r > 0xFFFF:
			if c.gb18030 {
				dst = appendCode(dst, gb18030Supplementary(r))
			} else {
				dst = append(dst, '?')
			}
		case t.code[r] == 0:
			dst = append(dst, '?')
		default:
			dst = appendCode(dst, t.code[r])
			if c.gb18030 && gb18030FourByteQuirk[r] {
				dst = append(dst, 0)
			}
		}
		s = s[l:]
	}
	return dst
}

func init() {
	register("gbk_bin", multibyteBinCollator{table: gbkTable})
	register("gb18030_bin", multibyteBinCollator{table: gb18030Table, gb18030: true})
}
