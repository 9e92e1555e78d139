package rowparse

import "bytes"

// Byte classes of skim's scan, looked up in skimClass.
const (
	skimPlain = iota // any byte a tuple's values may hold outside a string
	skimQuote        // ' or ": a string starts
	skimDash         // -: a number's sign, or a comment's start
	skimClose        // ): the tuple ends
	skimStop         // a comment's start, a parenthesis, a backslash: skim gives up (a lone '*' is refused by the value reader; "*/" would stop at '/' anyway)
)

var skimClass = func() (t [256]uint8) {
	t['\''], t['"'], t['-'], t[')'] = skimQuote, skimQuote, skimDash, skimClose
	for _, c := range []byte("#/*(\\") {
		t[c] = skimStop
	}
	return t
}()

// skim moves w.pos past the ')' that ends the tuple whose '(' is right
// before w.pos, without reading its values, when the whole tuple and the
// byte after a last dash are in the window and the tuple holds only
// strings and bytes the scan can step over: no comment, no parenthesis
// (CONVERT), no backslash outside a string. Otherwise it returns false
// having moved nothing, and tuple reads the values: on input that reader
// accepts both end at the same ')', because a string ends at the same
// quote for both (a backslash escapes the byte after it unless
// NO_BACKSLASH_ESCAPES; a doubled quote, or adjacent strings, end and
// start a string in place) and nothing else in a tuple can hold a ')'.
//
// Cutting a 1 GiB TPC-H-shaped dump into chunks read every value with
// the full reader, 2.4 CPU-s before any encoder could start.
func (s *SQLReader) skim() bool {
	w := &s.w
	buf := w.buf
	esc := !s.opts.NoBackslashEscapes
	for i := w.pos; i < len(buf); {
		for i < len(buf) && skimClass[buf[i]] == skimPlain {
			i++
		}
		if i == len(buf) {
			return false
		}
		c := buf[i]
		switch skimClass[c] {
		case skimQuote:
			end, ok := stringEnd(buf, i+1, c, esc)
			if !ok {
				return false
			}
			i = end + 1
		case skimDash:
			if i+1 >= len(buf) || buf[i+1] == '-' {
				return false // maybe "-- " or "--\n", a comment
			}
			i++
		case skimClose:
			w.pos = i + 1
			return true
		default:
			return false
		}
	}
	return false
}

// stringEnd returns the index of the quote q that ends the string whose
// text starts at buf[j], stepping over the byte after each backslash when
// esc; false when the window ends first. Strings in dumps are mostly short
// (dates, flags, codes), where a byte loop is done before IndexByte has
// set up: the first 16 bytes are looked at one by one. Past them the next
// quote is found with IndexByte and remembered across escapes, as
// lexString does, so a long string with many escapes is scanned once.
func stringEnd(buf []byte, j int, q byte, esc bool) (int, bool) {
	for lim := min(j+16, len(buf)); j < lim; j++ {
		switch buf[j] {
		case q:
			return j, true
		case '\\':
			if esc {
				j++ // the escaped byte
			}
		}
	}
	next := -1 // the next q at or after j, once searched
	for {
		if j >= len(buf) {
			return 0, false
		}
		if next < j {
			k := bytes.IndexByte(buf[j:], q)
			if k < 0 {
				return 0, false
			}
			next = j + k
		}
		if !esc {
			return next, true
		}
		b := bytes.IndexByte(buf[j:next], '\\')
		if b < 0 {
			return next, true
		}
		j += b + 2 // the backslash and the byte it escapes
	}
}
