package rowparse

import (
	"bytes"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// tuple reads one parenthesised tuple of an INSERT and the separator after
// it. ok is false when the statement ended without another tuple; an empty
// tuple `()` is a row (every column takes its default, as in MySQL), so
// the row itself may be empty, or nil.
//
// Values go straight into s.row with Bytes aliasing the window, and their
// absolute start offsets into s.starts: a read in the middle of the tuple
// may move the window, and then the slices are rebuilt from the offsets.
// Common values (plain strings, numbers, NULL) that lie wholly in the
// window are read by fastValue without the general lexer.
func (s *SQLReader) tuple() (row []literal.Field, ok bool, err error) {
	w := &s.w
	if !s.skipSpace() {
		if s.err != nil {
			return nil, false, s.err
		}
		if s.afterComma && !s.opts.CutAfterTuple {
			return nil, false, w.syntaxError(w.abs(w.pos), "unexpected end of input after ',' in VALUES")
		}
		if !s.afterComma {
			return nil, false, w.syntaxError(w.abs(w.pos), "unexpected end of input, expected a tuple after VALUES")
		}
		s.state = stateOutside
		return nil, false, nil
	}
	if w.buf[w.pos] != '(' {
		return nil, false, w.syntaxError(w.abs(w.pos), "expected '(' to start a tuple")
	}
	w.pin = w.pos
	s.rowStart = w.abs(w.pos)
	w.pos++
	s.row = s.row[:0]
	s.starts = s.starts[:0]
	moves := w.moves
	skimmed := s.opts.Skim && s.skim() // past the ')', values not read
	switch {
	case skimmed:
	case !s.skipSpace():
		return nil, false, s.unterminatedTuple()
	case w.buf[w.pos] == ')':
		w.pos++
	default:
		for {
			if !s.fastValue() {
				v, err := s.value()
				if err != nil {
					return nil, false, err
				}
				s.appendSpan(v)
			}
			// skipSpace returns at once on a byte outside clsSkip, so it
			// is called only when it has something to do.
			if w.pos >= len(w.buf) || sqlClass[w.buf[w.pos]]&clsSkip != 0 {
				if !s.skipSpace() {
					return nil, false, s.unterminatedTuple()
				}
			}
			c := w.buf[w.pos]
			w.pos++
			if c == ')' {
				break
			}
			if c != ',' {
				return nil, false, w.syntaxError(w.abs(w.pos-1), "expected ',' or ')' after a value")
			}
			if w.pos >= len(w.buf) || sqlClass[w.buf[w.pos]]&clsSkip != 0 {
				if !s.skipSpace() {
					return nil, false, s.unterminatedTuple()
				}
			}
		}
	}
	s.afterComma = false
	s.tuples++
	if w.pos >= len(w.buf) || sqlClass[w.buf[w.pos]]&clsSkip != 0 {
		if !s.skipSpace() {
			if s.err != nil {
				return nil, false, s.err
			}
			s.state = stateOutside // the last statement may omit its ';'
			return s.finishRow(moves), true, nil
		}
	}
	switch w.buf[w.pos] {
	case ',':
		w.pos++
		s.afterComma = true
	case ';':
		w.pos++
		s.state = stateOutside
	default:
		return nil, false, w.syntaxError(w.abs(w.pos), "expected ',' or ';' after a tuple")
	}
	return s.finishRow(moves), true, nil
}

// finishRow re-slices the fields' Bytes when the window moved while the
// tuple was read (moves is w.moves at its start).
func (s *SQLReader) finishRow(moves uint64) []literal.Field {
	w := &s.w
	if w.moves != moves {
		for i, a := range s.starts {
			if a < 0 {
				continue
			}
			n := len(s.row[i].Bytes)
			j := w.idx(a)
			s.row[i].Bytes = w.buf[j : j+n : j+n]
		}
	}
	return s.row
}

// appendSpan adds a value read by value to the row.
func (s *SQLReader) appendSpan(sp span) {
	switch {
	case sp.static != nil:
		s.addField(sp.kind, sp.static, -1)
	case sp.kind == literal.FieldNull || sp.kind == literal.FieldDefault:
		s.addField(sp.kind, nil, -1)
	default:
		i, j := s.w.idx(sp.start), s.w.idx(sp.end)
		s.addField(sp.kind, s.w.buf[i:j:j], sp.start)
	}
	if sp.charset != "" {
		s.row[len(s.row)-1].Charset = sp.charset
	}
}

// addField appends a field without a charset to the row; start is the
// absolute offset of b in the window, -1 when b is not in it. Row slots are
// reused field by field: a pointer store costs a write barrier while the
// GC runs, so Charset is written only when a previous row set it.
func (s *SQLReader) addField(kind literal.FieldKind, b []byte, start int64) {
	n := len(s.row)
	if n == cap(s.row) {
		s.row = append(s.row, literal.Field{})
	}
	s.row = s.row[:n+1]
	f := &s.row[n]
	f.Kind = kind
	f.Bytes = b
	if f.Charset != "" {
		f.Charset = ""
	}
	s.starts = append(s.starts, start)
}

// fastValue reads a quoted string without escapes, doubled quotes or an
// adjacent literal, a plain decimal number or NULL at w.pos, when the
// value and the byte after it are in the window, and appends it to the
// row. Otherwise it returns false having changed nothing, and value reads
// it: the fast path never decides anything the general one would decide
// differently.
func (s *SQLReader) fastValue() bool {
	w := &s.w
	buf := w.buf
	i := w.pos
	c := buf[i]
	switch {
	case c == '\'' || c == '"':
		j := bytes.IndexByte(buf[i+1:], c)
		if j < 0 {
			return false
		}
		e := i + 1 + j // the closing quote
		if e+1 >= len(buf) || (buf[e+1] != ',' && buf[e+1] != ')') {
			return false // a doubled quote, an adjacent literal, or more input needed
		}
		if !s.opts.NoBackslashEscapes && bytes.IndexByte(buf[i+1:e], '\\') >= 0 {
			return false
		}
		s.addField(literal.FieldString, buf[i+1:e:e], w.abs(i+1))
		w.pos = e + 1
		return true
	case sqlClass[c]&clsDigit != 0 || c == '-' || c == '+' || c == '.':
		j := i
		if c == '-' || c == '+' {
			j++
			if j >= len(buf) || (sqlClass[buf[j]]&clsDigit == 0 && buf[j] != '.') {
				return false // white space or a comment after the sign, or --5
			}
		}
		ds := j
		if buf[j] == '0' && (j+1 >= len(buf) || buf[j+1] == 'x' || buf[j+1] == 'b') {
			return false // 0x.. and 0b..
		}
		for j < len(buf) && sqlClass[buf[j]]&clsDigit != 0 {
			j++
		}
		nd := j - ds
		if j < len(buf) && buf[j] == '.' {
			j++
			k := j
			for j < len(buf) && sqlClass[buf[j]]&clsDigit != 0 {
				j++
			}
			nd += j - k
		}
		if nd == 0 || j >= len(buf) || buf[j]|0x20 == 'e' {
			return false // an error, more input needed, or an exponent
		}
		// A '-' is kept as part of the number text; a '+' is dropped.
		if c == '+' {
			i++
		}
		s.addField(literal.FieldNumber, buf[i:j:j], w.abs(i))
		w.pos = j
		return true
	case c == 'N' || c == 'n':
		if i+4 < len(buf) && buf[i+1]|0x20 == 'u' && buf[i+2]|0x20 == 'l' && buf[i+3]|0x20 == 'l' &&
			sqlClass[buf[i+4]]&clsIdent == 0 {
			s.addField(literal.FieldNull, nil, -1)
			w.pos = i + 4
			return true
		}
	}
	return false
}

func (s *SQLReader) unterminatedTuple() error {
	if s.err != nil {
		return s.err
	}
	return s.w.syntaxError(s.rowStart, "unterminated tuple")
}

// value reads one literal at w.pos.
func (s *SQLReader) value() (span, error) {
	w := &s.w
	c := w.buf[w.pos]
	switch {
	case c == '\'' || c == '"':
		a, b, ok := s.lexString()
		if !ok {
			return span{}, s.err
		}
		return span{kind: literal.FieldString, start: a, end: b}, nil
	case c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+':
		return s.number()
	case c == '_':
		at := w.abs(w.pos)
		cs := strings.ToLower(string(s.word()[1:]))
		if !s.skipSpace() {
			return span{}, s.unterminatedTuple()
		}
		v, err := s.value()
		if err != nil {
			return span{}, err
		}
		if v.kind != literal.FieldString && v.kind != literal.FieldHex && v.kind != literal.FieldBit {
			return span{}, w.syntaxError(at, "a charset introducer must precede a string literal")
		}
		v.charset = cs
		return v, nil
	case isIdentByte(c):
		if b := s.peek(2); len(b) >= 2 && b[1] == '\'' {
			switch c {
			case 'x', 'X':
				return s.quotedDigits(literal.FieldHex)
			case 'b', 'B':
				return s.quotedDigits(literal.FieldBit)
			case 'n', 'N':
				w.pos++
				a, b, ok := s.lexString()
				if !ok {
					return span{}, s.err
				}
				return span{kind: literal.FieldString, start: a, end: b, charset: "utf8"}, nil
			}
		}
		at := w.abs(w.pos)
		wd := s.word()
		switch {
		case bytes.EqualFold(wd, []byte("null")):
			return span{kind: literal.FieldNull}, nil
		case bytes.EqualFold(wd, []byte("true")):
			return span{kind: literal.FieldBool, static: bytesOne}, nil
		case bytes.EqualFold(wd, []byte("false")):
			return span{kind: literal.FieldBool, static: bytesZero}, nil
		case bytes.EqualFold(wd, []byte("default")):
			return span{kind: literal.FieldDefault}, nil
		case bytes.EqualFold(wd, []byte("convert")):
			return s.convert(at)
		}
		return span{}, w.syntaxError(at, "unsupported value (only literals are allowed in VALUES)")
	}
	return span{}, w.syntaxError(w.abs(w.pos), "unexpected character %q in VALUES", c)
}

// quotedDigits reads X'..' or B'..' at w.pos and decodes it in place.
func (s *SQLReader) quotedDigits(kind literal.FieldKind) (span, error) {
	w := &s.w
	open := w.abs(w.pos)
	w.pos += 2
	start := w.abs(w.pos)
	for {
		if i := bytes.IndexByte(w.buf[w.pos:], '\''); i >= 0 {
			w.pos += i
			break
		}
		w.pos = len(w.buf)
		if _, ok := w.more(); !ok {
			if s.w.err == nil {
				return span{}, w.syntaxError(open, "unterminated hex or bit literal")
			}
			return span{}, w.syntaxError(open, "read failed")
		}
	}
	digits := w.buf[w.idx(start):w.pos]
	w.pos++
	var n int
	var ok bool
	if kind == literal.FieldHex {
		if len(digits)%2 == 1 {
			return span{}, w.syntaxError(open, "hex literal X'..' needs an even number of digits")
		}
		n, ok = decodeHex(digits)
	} else {
		n, ok = decodeBits(digits)
	}
	if !ok {
		return span{}, w.syntaxError(open, "invalid digit in hex or bit literal")
	}
	return span{kind: kind, start: start, end: start + int64(n)}, nil
}

// number reads a signed decimal number, or a 0x../0b.. literal.
func (s *SQLReader) number() (span, error) {
	w := &s.w
	at := w.abs(w.pos)
	neg := false
	for {
		c := w.buf[w.pos]
		if c != '-' && c != '+' {
			break
		}
		if c == '-' {
			neg = !neg
		}
		w.pos++
		if !s.skipSpace() {
			return span{}, s.unterminatedTuple()
		}
	}
	start := w.abs(w.pos)
	if b := s.peek(3); len(b) >= 3 && b[0] == '0' && (b[1] == 'x' || b[1] == 'b') {
		if neg || start != at {
			return span{}, w.syntaxError(at, "a sign before a hex or bit literal is not supported")
		}
		kind, class := literal.FieldHex, uint8(clsHex)
		if b[1] == 'b' {
			kind, class = literal.FieldBit, clsBit
		}
		if sqlClass[b[2]]&class != 0 {
			w.pos += 2
			ds := w.abs(w.pos)
			s.scanClass(class)
			if e := w.abs(w.pos); e < int64(len(w.buf))+w.base && isIdentByte(w.buf[w.pos]) {
				return span{}, w.syntaxError(at, "invalid digit in hex or bit literal")
			}
			digits := w.buf[w.idx(ds):w.pos]
			var n int
			if kind == literal.FieldHex {
				n, _ = decodeHex(digits)
			} else {
				n, _ = decodeBits(digits)
			}
			return span{kind: kind, start: ds, end: ds + int64(n)}, nil
		}
	}
	nd := s.scanClass(clsDigit)
	if b := s.peek(1); len(b) > 0 && b[0] == '.' {
		w.pos++
		nd += s.scanClass(clsDigit)
	}
	if nd == 0 {
		return span{}, w.syntaxError(at, "invalid number")
	}
	if b := s.peek(2); len(b) >= 2 && (b[0]|0x20 == 'e') {
		save := w.abs(w.pos) // peek may move the window
		w.pos++
		if b := s.peek(1); len(b) > 0 && (b[0] == '+' || b[0] == '-') {
			w.pos++
		}
		if s.scanClass(clsDigit) == 0 {
			w.pos = w.idx(save)
			return span{}, w.syntaxError(at, "invalid number exponent")
		}
	}
	end := w.abs(w.pos)
	if neg {
		// The sign is before start (it was read), so there is room for it.
		start--
		w.buf[w.idx(start)] = '-'
	}
	return span{kind: literal.FieldNumber, start: start, end: end}, nil
}

// scanClass advances over bytes of the sqlClass class and returns how
// many.
func (s *SQLReader) scanClass(class uint8) int {
	w := &s.w
	n := 0
	for {
		i := w.pos
		buf := w.buf
		for i < len(buf) && sqlClass[buf[i]]&class != 0 {
			i++
		}
		n += i - w.pos
		w.pos = i
		if i < len(buf) {
			return n
		}
		if _, more := w.more(); !more {
			return n
		}
	}
}

// convert reads `CONVERT(literal USING charset)` after the CONVERT word,
// which dumps use for JSON values; the charset becomes the introducer.
func (s *SQLReader) convert(at int64) (span, error) {
	w := &s.w
	bad := func() (span, error) {
		if s.err != nil {
			return span{}, s.err
		}
		return span{}, w.syntaxError(at, "expected CONVERT(literal USING charset)")
	}
	if !s.skipSpace() || w.buf[w.pos] != '(' {
		return bad()
	}
	w.pos++
	if !s.skipSpace() {
		return bad()
	}
	v, err := s.value()
	if err != nil {
		return span{}, err
	}
	if !s.skipSpace() || !bytes.EqualFold(s.word(), []byte("using")) || !s.skipSpace() {
		return bad()
	}
	cs := strings.ToLower(string(s.word()))
	if cs == "" || !s.skipSpace() || w.buf[w.pos] != ')' {
		return bad()
	}
	w.pos++
	if v.kind == literal.FieldString || v.kind == literal.FieldHex || v.kind == literal.FieldBit {
		v.charset = cs
	}
	return v, nil
}
