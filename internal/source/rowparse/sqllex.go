package rowparse

import "bytes"

// This file holds the byte-level lexing of the SQL reader: white space and
// comments, identifiers and literal values. The rules follow MySQL's (and
// TiDB's pkg/parser/lexer.go): `-- ` needs a space or control character
// after the dashes, `/*!NNNNN ... */` and `/*T! ... */` are executable
// comments whose content is read as SQL, and string escapes are MySQL's.

// peek makes at least n bytes available at w.pos when the input has them
// and returns the available bytes (possibly fewer at EOF).
func (s *SQLReader) peek(n int) []byte {
	w := &s.w
	for len(w.buf)-w.pos < n {
		if _, ok := w.more(); !ok {
			break
		}
	}
	return w.buf[w.pos:]
}

// skipSpace skips white space and comments. It returns false at the end
// of the input.
func (s *SQLReader) skipSpace() bool {
	w := &s.w
	for {
		if w.pos >= len(w.buf) {
			if _, ok := w.more(); !ok {
				return false
			}
			continue
		}
		switch c := w.buf[w.pos]; c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			w.pos++
		case '#':
			if !s.skipLine() {
				return false
			}
		case '-':
			b := s.peek(3)
			if len(b) >= 3 && b[1] == '-' && (b[2] <= ' ' || b[2] == 0x7f) {
				if !s.skipLine() {
					return false
				}
				continue
			}
			if len(b) == 2 && b[1] == '-' { // "--" right at EOF
				w.pos += 2
				continue
			}
			return true
		case '/':
			b := s.peek(3)
			if len(b) < 2 || b[1] != '*' {
				return true
			}
			if len(b) >= 3 && b[2] == '!' {
				w.pos += 3
				s.skipVersion()
				s.execDepth++
				continue
			}
			if b4 := s.peek(4); len(b4) >= 4 && b4[2] == 'T' && b4[3] == '!' {
				// TiDB's /*T![feature] ... */ comments are read as SQL too.
				w.pos += 4
				if b := s.peek(1); len(b) > 0 && b[0] == '[' {
					s.skipPast(']')
				}
				s.execDepth++
				continue
			}
			start := w.abs(w.pos)
			w.pos += 2
			if !s.skipPastCommentEnd() {
				s.err = w.syntaxError(start, "unterminated comment")
				return false
			}
		case '*':
			if s.execDepth > 0 {
				if b := s.peek(2); len(b) >= 2 && b[1] == '/' {
					w.pos += 2
					s.execDepth--
					continue
				}
			}
			return true
		default:
			return true
		}
	}
}

// skipVersion skips the digits of a /*!NNNNN version.
func (s *SQLReader) skipVersion() {
	for {
		b := s.peek(1)
		if len(b) == 0 || b[0] < '0' || b[0] > '9' {
			return
		}
		s.w.pos++
	}
}

// skipLine skips to just after the next '\n'.
func (s *SQLReader) skipLine() bool { return s.skipPast('\n') }

// skipPast skips to just after the next c; false at EOF.
func (s *SQLReader) skipPast(c byte) bool {
	w := &s.w
	for {
		if i := bytes.IndexByte(w.buf[w.pos:], c); i >= 0 {
			w.pos += i + 1
			return true
		}
		w.pos = len(w.buf)
		if _, ok := w.more(); !ok {
			return false
		}
	}
}

// skipPastCommentEnd skips to just after the next "*/".
func (s *SQLReader) skipPastCommentEnd() bool {
	w := &s.w
	for {
		if i := bytes.Index(w.buf[w.pos:], []byte("*/")); i >= 0 {
			w.pos += i + 2
			return true
		}
		if len(w.buf)-w.pos > 1 {
			w.pos = len(w.buf) - 1 // keep a trailing '*'
		}
		if _, ok := w.more(); !ok {
			return false
		}
	}
}

// Byte classes of the SQL lexer, looked up in sqlClass: one table load
// replaces chains of range comparisons in the per-byte loops.
const (
	clsIdent = 1 << iota // may be part of an unquoted identifier
	clsDigit             // 0-9
	clsHex               // 0-9 a-f A-F
	clsBit               // 0 1
	clsSpace             // white space skipSpace skips
	clsSkip              // may start white space or a comment: skipSpace must look
)

var sqlClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '$' || b >= 0x80 {
			t[c] |= clsIdent
		}
		if b >= '0' && b <= '9' {
			t[c] |= clsDigit
		}
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			t[c] |= clsHex
		}
		if b == '0' || b == '1' {
			t[c] |= clsBit
		}
	}
	for _, b := range []byte(" \t\n\r\f\v") {
		t[b] |= clsSpace | clsSkip
	}
	for _, b := range []byte("#-/*") {
		t[b] |= clsSkip
	}
	return t
}()

func isIdentByte(c byte) bool { return sqlClass[c]&clsIdent != 0 }

// word reads an unquoted identifier or keyword at w.pos. The result
// aliases the buffer and is valid until the next read.
func (s *SQLReader) word() []byte {
	w := &s.w
	for {
		i := w.pos
		for i < len(w.buf) && sqlClass[w.buf[i]]&clsIdent != 0 {
			i++
		}
		if i < len(w.buf) || w.eof {
			b := w.buf[w.pos:i]
			w.pos = i
			return b
		}
		// The word may continue past the window; pin <= pos keeps it.
		w.more()
	}
}

// identifier reads a plain or backquoted identifier and returns a copy.
func (s *SQLReader) identifier() (string, bool) {
	b := s.peek(1)
	if len(b) == 0 {
		return "", false
	}
	if b[0] == '`' {
		start := s.w.abs(s.w.pos)
		s.w.pos++
		var out []byte
		for {
			b := s.peek(2)
			if len(b) == 0 {
				s.err = s.w.syntaxError(start, "unterminated quoted identifier")
				return "", false
			}
			if b[0] == '`' {
				if len(b) >= 2 && b[1] == '`' {
					out = append(out, '`')
					s.w.pos += 2
					continue
				}
				s.w.pos++
				return string(out), true
			}
			out = append(out, b[0])
			s.w.pos++
		}
	}
	wd := s.word()
	if len(wd) == 0 {
		return "", false
	}
	return string(wd), true
}

// lexString reads a quoted string starting at w.pos (the opening quote),
// resolving escapes in place, and concatenating adjacent literals as MySQL
// does ('a' 'b' is 'ab'). It returns the absolute bounds of the value.
//
// Runs between escapes are found with bytes.IndexByte and moved with one
// copy each; the position of the next quote is remembered across escapes,
// so a string with many escapes is scanned once, not once per escape.
func (s *SQLReader) lexString() (start, end int64, ok bool) {
	w := &s.w
	q := w.buf[w.pos]
	open := w.abs(w.pos)
	w.pos++
	start = w.abs(w.pos)
	wr := w.pos // write index; wr <= w.pos always
	esc := !s.opts.NoBackslashEscapes
	// lim is the buf index of the next q at or after w.pos, or len(w.buf)
	// when the window has none; lim < w.pos means it must be searched.
	lim := -1
	for {
		if lim < w.pos {
			lim = len(w.buf)
			if i := bytes.IndexByte(w.buf[w.pos:], q); i >= 0 {
				lim = w.pos + i
			}
		}
		run := w.buf[w.pos:lim]
		bi := -1
		if esc {
			bi = bytes.IndexByte(run, '\\')
		}
		if bi >= 0 {
			if wr != w.pos {
				copy(w.buf[wr:], run[:bi])
			}
			wr += bi
			w.pos += bi
			if w.pos+1 >= len(w.buf) {
				if !s.moreKeep(&wr) {
					s.err = s.unterminatedString(open, start, wr, q)
					return 0, 0, false
				}
				lim = -1
				continue
			}
			c := w.buf[w.pos+1]
			w.pos += 2
			w.buf[wr] = unescapeSQL[c]
			if c == '%' || c == '_' {
				// MySQL keeps the backslash: \% and \_ are for LIKE patterns.
				w.buf[wr] = '\\'
				wr++
				w.buf[wr] = c
			}
			wr++
			continue
		}
		if wr != w.pos {
			copy(w.buf[wr:], run)
		}
		wr += len(run)
		w.pos = lim
		if lim == len(w.buf) {
			if !s.moreKeep(&wr) {
				s.err = s.unterminatedString(open, start, wr, q)
				return 0, 0, false
			}
			lim = -1
			continue
		}
		// At the quote: a doubled quote is one quote character.
		if w.pos+1 >= len(w.buf) {
			s.moreKeep(&wr)
		}
		lim = -1 // w.pos is at the quote now, or past it below
		if w.pos+1 < len(w.buf) && w.buf[w.pos+1] == q {
			w.buf[wr] = q
			wr++
			w.pos += 2
			continue
		}
		w.pos++
		end = w.abs(wr)
		// Adjacent literals concatenate.
		if !s.skipPlainSpace() {
			return start, end, true
		}
		wr = w.idx(end) // the window may have moved
		if c := w.buf[w.pos]; c == '\'' || c == '"' {
			q = c
			open = w.abs(w.pos)
			w.pos++
			continue
		}
		return start, end, true
	}
}

// unescapeSQL maps the byte after a backslash in a SQL string literal to
// the byte it stands for (MySQL's escape sequences; any other byte stands
// for itself).
var unescapeSQL = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	t['0'], t['b'], t['n'], t['r'], t['t'], t['Z'] = 0, '\b', '\n', '\r', '\t', 0x1a
	return t
}()

// moreKeep reads more input while keeping the buffer from the pin, and
// moves the buf index *i along. It returns false at EOF.
func (s *SQLReader) moreKeep(i *int) bool {
	shift, ok := s.w.more()
	*i -= shift
	return ok
}

// skipPlainSpace skips white space only (no comments); false at EOF.
func (s *SQLReader) skipPlainSpace() bool {
	w := &s.w
	for {
		for w.pos < len(w.buf) {
			switch w.buf[w.pos] {
			case ' ', '\t', '\n', '\r', '\f', '\v':
				w.pos++
				continue
			}
			return true
		}
		if _, ok := w.more(); !ok {
			return false
		}
	}
}

// hexValue maps a hex digit to its value and every other byte to 0xff.
var hexValue = func() (t [256]byte) {
	for c := range t {
		t[c] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
		t[c-'a'+'A'] = c - 'a' + 10
	}
	return t
}()

func hexNibble(c byte) (byte, bool) {
	v := hexValue[c]
	return v, v != 0xff
}

// decodeHex decodes hex digits in place (odd counts get a leading zero
// nibble, as MySQL does for 0x1) and returns the decoded length.
func decodeHex(b []byte) (int, bool) {
	n := len(b)
	out := 0
	i := 0
	if n%2 == 1 {
		v, ok := hexNibble(b[0])
		if !ok {
			return 0, false
		}
		b[0] = v
		out, i = 1, 1
	}
	for ; i+1 < n; i += 2 {
		hi, lo := hexValue[b[i]], hexValue[b[i+1]]
		if (hi|lo)&0xf0 != 0 { // a digit is 0..15, a non-digit 0xff
			return 0, false
		}
		b[out] = hi<<4 | lo
		out++
	}
	return out, true
}

// decodeBits decodes binary digits in place, big-endian, padding the
// first byte on the left, and returns the decoded length.
func decodeBits(b []byte) (int, bool) {
	n := len(b)
	out := 0
	first := n % 8
	if first == 0 {
		first = 8
	}
	var acc byte
	cnt := 0
	limit := first
	for i := 0; i < n; i++ {
		c := b[i]
		if c != '0' && c != '1' {
			return 0, false
		}
		acc = acc<<1 | (c - '0')
		cnt++
		if cnt == limit {
			b[out] = acc
			out++
			acc, cnt, limit = 0, 0, 8
		}
	}
	return out, true
}

// unterminatedString reports a string literal that never closes; its
// text was unescaped in place, so the excerpt is rebuilt from that.
func (s *SQLReader) unterminatedString(open, start int64, wr int, q byte) *SyntaxError {
	e := s.w.syntaxError(open, "unterminated quoted string")
	if i := s.w.idx(start); i >= 0 && i <= wr {
		e.Excerpt = excerpt([]byte{q}, s.w.buf[i:wr])
	}
	return e
}
