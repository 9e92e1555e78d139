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
// the window and every field is plain (unquoted without special bytes,
// quoted without escapes or doubled delimiters, or a raw `\N` read as
// NULL). Empty lines before it are skipped as record does. It returns
// false having changed nothing when the record needs the general path:
// that path then decides everything, errors included, exactly as if the
// fast path did not exist.
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
	c.spans = c.spans[:0]
	for {
		// i is at the start of a field.
		if i >= len(buf) {
			return false
		}
		if hasDelim && buf[i] == delim {
			j := bytes.IndexByte(buf[i+1:], delim)
			if j < 0 {
				return false
			}
			e := i + 1 + j // the closing delimiter
			if e+1 >= len(buf) || (esc && bytes.IndexByte(buf[i+1:e], '\\') >= 0) {
				return false
			}
			c.spans = append(c.spans, csvSpan{start: w.abs(i + 1), end: w.abs(e), quoted: true})
			b := buf[e+1]
			i = e + 2
			if b == sep {
				continue
			}
			if c.fastTerm[b] {
				break
			}
			return false // a doubled delimiter, or text after the field
		}
		j := i
		for j < len(buf) && !c.special[buf[j]] {
			j++
		}
		if j >= len(buf) {
			return false
		}
		b := buf[j]
		sp := csvSpan{start: w.abs(i), end: w.abs(j)}
		if esc && b == '\\' {
			// Only a field written exactly `\N`, which is NULL.
			if j != i || !c.nullN || j+2 >= len(buf) || buf[j+1] != 'N' {
				return false
			}
			j += 2
			b = buf[j]
			sp = csvSpan{start: w.abs(i), end: w.abs(i + 1), rawN: true}
		}
		c.spans = append(c.spans, sp)
		i = j + 1
		if b == sep {
			continue
		}
		if !c.fastTerm[b] {
			return false // a delimiter or backslash inside a field
		}
		if len(c.spans) == 1 && !sp.rawN && len(bytes.TrimSpace(buf[start:j])) == 0 {
			return false // a white-space line, which record skips
		}
		break
	}
	w.pin = start
	c.recStart = w.abs(start)
	w.pos = i
	c.wr = i
	return true
}
