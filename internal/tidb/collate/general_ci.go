package collate

import "unicode/utf8"

// generalCICollator is utf8mb4_general_ci / utf8_general_ci (PAD SPACE): one
// 2-byte big-endian weight per code point from MySQL's general_ci table,
// FFFD above U+FFFF. TiDB's pkg/util/collate/general_ci.go; like the newest
// TiDB it ends the key at the first invalid UTF-8 byte (older TiDB decoded
// without validating).
type generalCICollator struct{}

func (generalCICollator) PadSpace() bool { return true }

func (generalCICollator) Key(dst, s []byte) []byte {
	s = TrimTrailingSpace(s)
	ascii := generalCIPages[0]
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			w := ascii[c]
			dst = append(dst, byte(w>>8), byte(w))
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
		w := generalCIWeight(r)
		dst = append(dst, byte(w>>8), byte(w))
	}
	return dst
}

// generalCIWeight is the general_ci weight of one code point.
func generalCIWeight(r rune) uint16 {
	if r > 0xFFFF {
		return 0xFFFD
	}
	if p := generalCIPages[r>>8]; p != nil {
		return p[r&0xFF]
	}
	return uint16(r)
}

func init() {
	register("utf8mb4_general_ci", generalCICollator{})
	register("utf8_general_ci", generalCICollator{})
}
