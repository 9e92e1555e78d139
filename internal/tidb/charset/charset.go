// Package charset holds what value conversion needs to know about a column's
// character set: which values it accepts, how long a value is in characters
// and how a prefix index truncates it. TiDB keeps every non-binary string as
// UTF-8 internally (also for gbk, gb18030 and latin1 columns); the charset
// only decides which values are accepted. Names and default collations come
// from the TiDB parser's charset package.
package charset

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	tidbcharset "github.com/pingcap/tidb/pkg/parser/charset"
)

// Charset names as TiDB spells them.
const (
	Binary  = "binary"
	ASCII   = "ascii"
	Latin1  = "latin1"
	UTF8    = "utf8"
	UTF8MB3 = "utf8mb3"
	UTF8MB4 = "utf8mb4"
	GBK     = "gbk"
	GB18030 = "gb18030"
)

var (
	// ErrInvalidString is matched (errors.Is) by every *InvalidStringError.
	ErrInvalidString = errors.New("incorrect string value")
	// ErrUnsupportedCharset is returned for a charset TiDB does not support.
	ErrUnsupportedCharset = errors.New("unsupported charset")
)

// InvalidStringError reports the first character a charset does not accept,
// like TiDB's "Incorrect string value '\xF0\x9F\x98\x83'" (error 1366).
type InvalidStringError struct {
	Charset string
	Offset  int    // byte offset of the character in the value
	Bytes   []byte // the offending bytes (up to 4)
}

func (e *InvalidStringError) Error() string {
	var b strings.Builder
	for _, c := range e.Bytes {
		fmt.Fprintf(&b, `\x%02X`, c)
	}
	return fmt.Sprintf("incorrect string value '%s' for charset %s at byte %d", b.String(), e.Charset, e.Offset)
}

// Is makes errors.Is(err, ErrInvalidString) true.
func (e *InvalidStringError) Is(target error) bool { return target == ErrInvalidString }

// normalize lower-cases a charset name and maps utf8mb3 to utf8.
func normalize(cs string) string {
	switch cs {
	case UTF8MB4, UTF8, Binary, Latin1, ASCII, GBK, GB18030:
		return cs // already lower case: most calls, once per value
	}
	cs = strings.ToLower(cs)
	if cs == UTF8MB3 {
		return UTF8
	}
	return cs
}

// Supported reports whether TiDB supports the charset.
func Supported(cs string) bool {
	_, err := tidbcharset.GetCharsetInfo(cs)
	return err == nil
}

// DefaultCollation is TiDB's default collation of a charset (utf8mb4 ->
// utf8mb4_bin, utf8 -> utf8_bin, gbk -> gbk_bin, gb18030 -> gb18030_bin,
// latin1 -> latin1_bin, ascii -> ascii_bin, binary -> binary), or "" for an
// unsupported charset.
func DefaultCollation(cs string) string {
	co, err := tidbcharset.GetDefaultCollation(cs)
	if err != nil {
		return ""
	}
	return co
}

func invalid(cs string, s []byte, off, n int) (int, error) {
	end := min(off+n, len(s))
	return off, &InvalidStringError{Charset: cs, Offset: off, Bytes: append([]byte(nil), s[off:end]...)}
}

// Validate checks that s (a value as the dump holds it, UTF-8 for text
// charsets) is acceptable in a column of the charset, the way TiDB's strict
// mode does: binary and latin1 take any bytes (TiDB's latin1 encoding
// accepts everything); ascii takes bytes below 0x80; utf8mb4 takes valid
// UTF-8; utf8/utf8mb3 also refuses 4-byte characters
// (tidb_check_mb4_value_in_utf8, on by default); gbk and gb18030 take valid
// UTF-8 whose every character the encoding can represent. badOffset is the
// byte offset of the first rejected character, or -1 when s is valid.
func Validate(cs string, s []byte) (badOffset int, err error) {
	name := normalize(cs)
	switch name {
	case Binary, Latin1:
		return -1, nil
	case ASCII:
		for i, c := range s {
			if c >= utf8.RuneSelf {
				return invalid(name, s, i, 1)
			}
		}
		return -1, nil
	case UTF8MB4:
		if utf8.Valid(s) {
			return -1, nil // the common case, checked 8 ASCII bytes at a time
		}
	case UTF8, GBK, GB18030:
	default:
		return 0, fmt.Errorf("%w: %s", ErrUnsupportedCharset, cs)
	}
	var enc tidbcharset.Encoding
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n == 1 {
			return invalid(name, s, i, 1)
		}
		switch name {
		case UTF8:
			if n == 4 {
				return invalid(name, s, i, n)
			}
		case GBK, GB18030:
			if enc == nil {
				enc = tidbcharset.FindEncoding(name)
			}
			if tidbcharset.CountValidBytes(enc, s[i:i+n]) != n {
				return invalid(name, s, i, n)
			}
		}
		i += n
	}
	return -1, nil
}

// bytesCharset reports whether lengths in the charset count bytes: binary
// and ascii (SPEC §5.4; TiDB tablecodec TruncateIndexValue).
func bytesCharset(cs string) bool {
	cs = normalize(cs)
	return cs == Binary || cs == ASCII
}

// CharLen is the length of s in the unit a column length or a prefix length
// counts for the charset: bytes for binary and ascii, otherwise characters
// of the UTF-8 value (an invalid byte counts as one character, as Go's and
// TiDB's rune counting do).
func CharLen(cs string, s []byte) int {
	if bytesCharset(cs) {
		return len(s)
	}
	return utf8.RuneCount(s)
}

// TruncateChars cuts s to a prefix-index length n (SPEC §5.4): the first n
// bytes for binary and ascii, otherwise the first n characters. It returns s
// itself when it is short enough. Like TiDB, which goes through []rune, a
// truncated value that holds invalid UTF-8 has each invalid byte replaced by
// U+FFFD; only then does it allocate.
func TruncateChars(cs string, s []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if bytesCharset(cs) {
		if len(s) > n {
			return s[:n]
		}
		return s
	}
	i, count := 0, 0
	valid := true
	for i < len(s) && count < n {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			valid = false
		}
		i += size
		count++
	}
	if i == len(s) {
		return s
	}
	if valid {
		return s[:i]
	}
	return []byte(string([]rune(string(s[:i]))))
}
