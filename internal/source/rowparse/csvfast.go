package rowparse

import "bytes"

// This file holds the CSV reader's fast path: a record that lies wholly
// in the window and needs no unescaping (the usual dumpling record) is
// split with table lookups and bytes.IndexByte, without the general
// token state machine of record. Anything else is left to record.

// setupFast decides whether the options allow the fast path: single-byte
// separator, delimiter (or none) and terminator (or the default line
// breaks), all different from each other and from the escape backslash,
// so no byte has two meanings.
func (c *CSVReader) setupFast() {
	if len(c.sep) != 1 || len(c.delim) > 1 || len(c.term) > 1 {
		return
	}
	var seen [256]bool
	mark := func(b byte) bool {
		if seen[b] {
			return false
		}
		seen[b] = true
		return true
	}
	ok := mark(c.sep[0])
	if len(c.delim) == 1 {
		ok = mark(c.delim[0]) && ok
	}
	if c.opts.BackslashEscape {
		ok = mark('\\') && ok
	}
	if len(c.term) == 1 {
		ok = mark(c.term[0]) && ok
		c.fastTerm[c.term[0]] = true
	} else {
		ok = mark('\r') && mark('\n') && ok
		c.fastTerm['\r'], c.fastTerm['\n'] = true, true
	}
	c.fast = ok
}

// fastRecord reads the record at w.pos into c.spans when it is wholly in
// the window and needs nothing but splitting and unescaping (no syntax
// error, no white-space line). Empty lines before it are skipped as record
// does. A first pass only scans, so it can give up having changed
// nothing: record then decides everything, errors included, exactly as if
// the fast path did not exist. The second pass unescapes the fields that
// need it, each in place within its own raw text.
func (c *CSVReader) fastRecord() bool {
	w := &c.w
	buf := w.buf
	i := w.pos
	for i < len(buf) && c.fastTerm[buf[i]] {
		i++ // empty lines are skipped
	}
	if i >= len(buf) {
		return false
	}
	start := i
	sep := c.sep[0]
	hasDelim := len(c.delim) == 1
	var delim byte
	if hasDelim {
		delim = c.delim[0]
	}
	esc := c.opts.BackslashEscape
	var anyFlags uint8
	c.spans = c.spans[:0]
	for {
		// i is at the start of a field.
		if i >= len(buf) {
			return false
		}
		if hasDelim && buf[i] == delim {
			j := i + 1
			d := -1 // the next delimiter at or after j while d >= j
			flags := uint8(spanQuoted)
			for {
				if d < j {
					x := bytes.IndexByte(buf[j:], delim)
					if x < 0 {
						return false
					}
					d = j + x
				}
				if esc {
					if x := bytes.IndexByte(buf[j:d], '\\'); x >= 0 {
						j += x + 2 // the escaped byte is content, even a delimiter
						flags |= spanEscaped
						continue
					}
				}
				if d+1 >= len(buf) {
					return false
				}
				if buf[d+1] != delim {
					break
				}
				j = d + 2 // a doubled delimiter is one delimiter character
				flags |= spanEscaped
			}
			raw := buf[i+1 : d]
			if esc && len(raw) == 2 && raw[0] == '\\' && raw[1] == 'N' {
				flags |= spanRawN
			}
			c.spans = append(c.spans, csvSpan{start: w.abs(i + 1), end: w.abs(d), flags: flags})
			anyFlags |= flags
			b := buf[d+1]
			i = d + 2
			if b == sep {
				continue
			}
			if c.fastTerm[b] {
				break
			}
			return false // text after the closing delimiter
		}
		j := i
		var flags uint8
		for {
			for j < len(buf) && !c.special[buf[j]] {
				j++
			}
			if j+1 >= len(buf) {
				return false // more input needed (also after a backslash)
			}
			if !esc || buf[j] != '\\' {
				break
			}
			j += 2
			flags |= spanEscaped
		}
		if j >= len(buf) {
			return false
		}
		b := buf[j]
		raw := buf[i:j]
		if esc && len(raw) == 2 && raw[0] == '\\' && raw[1] == 'N' {
			flags |= spanRawN
		}
		c.spans = append(c.spans, csvSpan{start: w.abs(i), end: w.abs(j), flags: flags})
		anyFlags |= flags
		i = j + 1
		if b == sep {
			continue
		}
		if !c.fastTerm[b] {
			return false // a delimiter inside a field
		}
		if len(c.spans) == 1 && (flags&spanEscaped != 0 || len(bytes.TrimSpace(raw)) == 0) {
			return false // perhaps a white-space line, which record skips
		}
		break
	}
	if anyFlags&spanEscaped != 0 {
		for k := range c.spans {
			if c.spans[k].flags&spanEscaped != 0 {
				c.unescapeSpan(&c.spans[k])
			}
		}
	}
	w.pin = start
	c.recStart = w.abs(start)
	w.pos = i
	c.wr = i
	return true
}

// unescapeSpan resolves, in place, the backslash escapes and (in a quoted
// field) doubled delimiters of a field fastRecord found, as record does.
func (c *CSVReader) unescapeSpan(sp *csvSpan) {
	buf := c.w.buf
	r, e := c.w.idx(sp.start), c.w.idx(sp.end)
	wr := r
	for r < e {
		b := buf[r]
		switch {
		case b == '\\' && c.opts.BackslashEscape:
			buf[wr] = unescapeByte(buf[r+1])
			r += 2
		case sp.flags&spanQuoted != 0 && b == c.delim[0]:
			buf[wr] = b
			r += 2
		default:
			buf[wr] = b
			r++
		}
		wr++
	}
	sp.end = c.w.abs(wr)
}
