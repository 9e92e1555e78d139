package collate

import (
	_ "embed"
	"encoding/binary"
	"sync"
	"unicode/utf8"
)

// The UCA collations (utf8mb4_unicode_ci: UCA 4.0.0; utf8mb4_0900_ai_ci:
// UCA 9.0.0) write, per code point, its non-zero primary weights as 2-byte
// big-endian values, as TiDB's pkg/util/collate/ucaimpl/unicode_ci.go.tpl
// does. Contractions are ignored. Weight data: uca0400.bin / uca0900.bin,
// made by internal/tidb/collate/tablegen (see its doc for the layout).

//go:embed uca0400.bin
var uca0400Blob []byte

//go:embed uca0900.bin
var uca0900Blob []byte

// longWeights marks a table slot whose weights (5..8 of them) live in the
// long map. No real primary is 0xFFFF, so it cannot collide with a packed
// single weight.
const longWeights = 0xFFFF

// ucaTable maps a code point below len(short) to up to four primaries packed
// little-end-first into a uint64 (0 = ignorable); more than four are in long.
type ucaTable struct {
	short []uint64
	long  map[rune][2]uint64
}

func pack(ws []uint16) uint64 {
	var v uint64
	for i, w := range ws {
		v |= uint64(w) << (16 * i)
	}
	return v
}

// decodeUCA builds a table of size limit from a blob, filling code points not
// in it with implicit weights (and, for 9.0.0, Hangul syllables with the
// first primary of each of their jamo: TiDB's ucadata generator).
func decodeUCA(blob []byte, limit rune, implicit func(rune) uint64, hangul bool) *ucaTable {
	t := &ucaTable{short: make([]uint64, limit), long: map[rune][2]uint64{}}
	explicit := make([]bool, limit)
	cp := rune(-1)
	for len(blob) > 0 {
		d, n := binary.Uvarint(blob)
		if n <= 0 || len(blob) < n+1 {
			panic("collate: corrupt embedded UCA data") // generated file, checked by tests
		}
		cp += rune(d) + 1
		cnt := int(blob[n])
		blob = blob[n+1:]
		if len(blob) < 2*cnt || cp >= limit {
			panic("collate: corrupt embedded UCA data")
		}
		var ws [8]uint16
		for i := range cnt {
			ws[i] = binary.BigEndian.Uint16(blob[2*i:])
		}
		blob = blob[2*cnt:]
		explicit[cp] = true
		if cnt <= 4 {
			t.short[cp] = pack(ws[:cnt])
		} else {
			t.short[cp] = longWeights
			t.long[cp] = [2]uint64{pack(ws[:4]), pack(ws[4:cnt])}
		}
	}
	for r := rune(0); r < limit; r++ {
		if explicit[r] {
			continue
		}
		if hangul && r >= 0xAC00 && r <= 0xD7AF {
			t.short[r] = hangulWeights(t, r)
			continue
		}
		t.short[r] = implicit(r)
	}
	return t
}

// hangulWeights decomposes a Hangul syllable into 2 or 3 jamo (Unicode §3.12)
// and packs the first primary of each.
func hangulWeights(t *ucaTable, r rune) uint64 {
	const (
		sBase, lBase, vBase, tBase = 0xAC00, 0x1100, 0x1161, 0x11A7
		vCount, tCount             = 21, 28
	)
	s := r - sBase
	jamo := [3]rune{lBase + s/(vCount*tCount), vBase + (s%(vCount*tCount))/tCount, tBase + s%tCount}
	n := 3
	if s%tCount == 0 {
		n = 2
	}
	var v uint64
	for i := range n {
		v |= (t.short[jamo[i]] & 0xFFFF) << (16 * i)
	}
	return v
}

// implicit0400 is UCA 4.0.0's implicit weight as TiDB computes it.
func implicit0400(r rune) uint64 {
	base := uint64(0xFBC0)
	switch {
	case r >= 0x3400 && r <= 0x4DB5:
		base = 0xFB80
	case (r >= 0x4E00 && r <= 0x9FA5) || (r >= 0xFA0E && r <= 0xFA0F):
		base = 0xFB40
	}
	return base + uint64(r>>15) | uint64((r&0x7FFF)|0x8000)<<16
}

// implicit0900 is UCA 9.0.0's implicit weight as TiDB computes it: Tangut,
// then the CJK ranges of Unicode 9.0.0; surrogates and U+FFFD weigh FFFD.
func implicit0900(r rune) uint64 {
	if (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFD {
		return 0xFFFD
	}
	if r >= 0x17000 && r <= 0x18AFF {
		return 0xFB00 | uint64((r-0x17000)|0x8000)<<16
	}
	base := uint64(0xFBC0)
	switch {
	case (r >= 0x3400 && r <= 0x4DB5) || (r >= 0x20000 && r <= 0x2A6D6) ||
		(r >= 0x2A700 && r <= 0x2B734) || (r >= 0x2B740 && r <= 0x2B81D) ||
		(r >= 0x2B820 && r <= 0x2CEA1):
		base = 0xFB80
	case (r >= 0x4E00 && r <= 0x9FD5) || (r >= 0xFA0E && r <= 0xFA29):
		base = 0xFB40
	}
	return base + uint64(r>>15) | uint64((r&0x7FFF)|0x8000)<<16
}

var (
	uca0400 = sync.OnceValue(func() *ucaTable {
		return decodeUCA(uca0400Blob, 0x10000, implicit0400, false)
	})
	uca0900 = sync.OnceValue(func() *ucaTable {
		return decodeUCA(uca0900Blob, 0x2CEA1, implicit0900, true)
	})
)

// weights returns the packed primaries of r (second is non-zero only for
// code points with more than four).
func (t *ucaTable) weights(r rune, implicit func(rune) uint64) (first, second uint64) {
	if int(r) >= len(t.short) {
		return implicit(r), 0
	}
	first = t.short[r]
	if first == longWeights {
		lw := t.long[r]
		return lw[0], lw[1]
	}
	return first, 0
}

func appendPacked(dst []byte, v uint64) []byte {
	for v != 0 {
		dst = append(dst, byte(v>>8), byte(v))
		v >>= 16
	}
	return dst
}

// unicodeCICollator is utf8mb4_unicode_ci / utf8_unicode_ci (UCA 4.0.0,
// PAD SPACE): TiDB's unicode_0400_ci_impl.go. Code points above U+FFFF weigh
// FFFD; invalid UTF-8 ends the key.
type unicodeCICollator struct{}

func (unicodeCICollator) PadSpace() bool { return true }

func (unicodeCICollator) Key(dst, s []byte) []byte {
	s = TrimTrailingSpace(s)
	t := uca0400()
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			dst = appendPacked(dst, t.short[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
		if r > 0xFFFF {
			dst = append(dst, 0xFF, 0xFD)
			continue
		}
		first, second := t.weights(r, implicit0400)
		dst = appendPacked(appendPacked(dst, first), second)
	}
	return dst
}

// unicode0900AICICollator is utf8mb4_0900_ai_ci (UCA 9.0.0, NO PAD): TiDB's
// unicode_0900_ai_ci_impl.go. Invalid UTF-8 ends the key.
type unicode0900AICICollator struct{}

func (unicode0900AICICollator) PadSpace() bool { return false }

func (unicode0900AICICollator) Key(dst, s []byte) []byte {
	t := uca0900()
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			dst = appendPacked(dst, t.short[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
		first, second := t.weights(r, implicit0900)
		dst = appendPacked(appendPacked(dst, first), second)
	}
	return dst
}

func init() {
	register("utf8mb4_unicode_ci", unicodeCICollator{})
	register("utf8_unicode_ci", unicodeCICollator{})
	register("utf8mb4_0900_ai_ci", unicode0900AICICollator{})
}
