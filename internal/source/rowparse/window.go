package rowparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// defaultBufferSize is the initial size of a reader's window; it grows only
// when one row does not fit.
const defaultBufferSize = 256 << 10

// defaultMaxRowSize bounds the memory one row may take (TiDB's
// txn-entry-size-limit maximum is 120 MiB; a row never needs more).
const defaultMaxRowSize = 512 << 20

// window is a sliding view over a stream. Bytes before pin may be dropped
// when more input is needed; everything from pin on stays in buf, so the
// fields of the row being read can be referred to by absolute offsets.
type window struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte to read, index into buf
	pin  int   // first byte that must be kept, index into buf
	base int64 // absolute stream offset of buf[0]
	eof  bool
	err  error // a read error other than io.EOF

	// moves counts the times buf's bytes moved (dropped prefix or a new
	// array): slices taken into buf before a move are stale after it.
	moves uint64

	maxRow int

	// Line tracking for error messages: newlines in the dropped bytes, and
	// the absolute offset just after the last dropped newline.
	lines     int
	lineStart int64

	file   string
	offset int64 // file offset of stream offset 0
}

func (w *window) init(r io.Reader, size, maxRow int, file string, offset int64) {
	if size <= 0 {
		size = defaultBufferSize
	}
	if maxRow <= 0 {
		maxRow = defaultMaxRowSize
	}
	w.r = r
	w.buf = make([]byte, 0, size)
	w.maxRow = maxRow
	w.file = file
	w.offset = offset
}

// abs returns the absolute stream offset of buf index i.
func (w *window) abs(i int) int64 { return w.base + int64(i) }

// idx returns the buf index of absolute stream offset a.
func (w *window) idx(a int64) int { return int(a - w.base) }

// more reads more input, keeping buf[pin:]. It returns the amount every
// buf index the caller holds must be decreased by, and false when no more
// input will come (EOF or an error, see w.err).
func (w *window) more() (shift int, ok bool) {
	if w.eof {
		return 0, false
	}
	if w.pin > 0 && (len(w.buf) == cap(w.buf) || w.pin >= cap(w.buf)/2) {
		dropped := w.buf[:w.pin]
		if n := bytes.Count(dropped, []byte{'\n'}); n > 0 {
			w.lines += n
			w.lineStart = w.base + int64(bytes.LastIndexByte(dropped, '\n')) + 1
		}
		shift = w.pin
		n := copy(w.buf, w.buf[w.pin:])
		w.buf = w.buf[:n]
		w.base += int64(shift)
		w.pos -= shift
		w.pin = 0
		w.moves++
	}
	if len(w.buf) == cap(w.buf) {
		if len(w.buf) >= w.maxRow {
			w.err = fmt.Errorf("%w (%d bytes)", ErrRowTooLarge, w.maxRow)
			w.eof = true
			return shift, false
		}
		nb := make([]byte, len(w.buf), 2*cap(w.buf))
		copy(nb, w.buf)
		w.buf = nb
		w.moves++
	}
	for tries := 0; tries < 100; tries++ {
		n, err := w.r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+n]
		if err != nil {
			w.eof = true
			if !errors.Is(err, io.EOF) {
				w.err = err
			}
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
	w.eof = true
	w.err = io.ErrNoProgress
	return shift, false
}

// syntaxError builds a SyntaxError at absolute stream offset at.
func (w *window) syntaxError(at int64, format string, args ...any) *SyntaxError {
	msg := fmt.Sprintf(format, args...)
	if w.err != nil {
		msg += ": " + w.err.Error()
	}
	e := &SyntaxError{File: w.file, Offset: w.offset + at, Msg: msg}
	line, lineStart := w.lines, w.lineStart
	i := w.idx(at)
	if i < 0 {
		i = 0 // the place was dropped already; report the line as far as known
	}
	if i > len(w.buf) {
		i = len(w.buf)
	}
	kept := w.buf[:i]
	if n := bytes.Count(kept, []byte{'\n'}); n > 0 {
		line += n
		lineStart = w.base + int64(bytes.LastIndexByte(kept, '\n')) + 1
	}
	e.Line = line + 1
	e.Column = int(at-lineStart) + 1
	lo, hi := i, i+40
	if hi > len(w.buf) {
		hi = len(w.buf)
	}
	e.Excerpt = string(w.buf[lo:hi])
	return e
}

// excerpt joins a quote and the start of a value for an error message.
func excerpt(quote, value []byte) string {
	if len(value) > 40 {
		value = value[:40]
	}
	return string(quote) + string(value)
}
