package dump

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
)

// retainRaw bounds the source bytes a decodingReader keeps for mapping
// offsets back: a parser reports places within the row it is reading,
// and a row is far smaller than this.
const retainRaw = 16 << 20

// decodingReader transcodes a data file's bytes to UTF-8 (Lightning's
// data-character-set) before they are parsed, and maps offsets in the
// decoded text back to offsets in the file, so that errors and chunk
// boundaries name the file's own bytes. Decoded offsets and source
// offsets count from the reader's first byte.
type decodingReader struct {
	r      io.Reader
	newT   func() transform.Transformer
	t      transform.Transformer
	repl   []byte // replaces U+FFFD; nil: U+FFFD stays
	src    []byte // source bytes read, not yet transformed
	srcEOF bool
	dst    []byte
	out    []byte // decoded bytes not yet returned
	dec    int64  // decoded bytes produced
	raw    int64  // source bytes transformed
	blocks []decodedBlock
	kept   int
	err    error
}

// decodedBlock is one transform step: src decoded into n bytes at
// decoded offset dec, source offset raw.
type decodedBlock struct {
	dec, raw int64
	src      []byte
	n        int
}

// newDecodingReader decodes r from cs to UTF-8, writing replace for every
// byte sequence that is not valid in cs (Lightning's
// data-invalid-char-replace, default U+FFFD). It returns r itself when cs
// needs no decoding (binary, utf8mb4, ascii), with nil for the mapper.
func newDecodingReader(r io.Reader, cs Charset, replace string) (io.Reader, *decodingReader) {
	if cs.decoder() == nil {
		return r, nil
	}
	newT := func() transform.Transformer { return cs.decoder() }
	d := &decodingReader{r: r, newT: newT, t: newT(), dst: make([]byte, 128<<10)}
	if replace != "" && replace != string(utf8.RuneError) {
		// Lightning's CharsetConvertor.Decode: what the decoder could not
		// decode (written as U+FFFD) becomes the replacement.
		d.repl = []byte(replace)
	}
	return d, d
}

func (d *decodingReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if err := d.step(); err != nil {
			d.err = err
		}
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// step reads more source bytes (when needed) and decodes what it can.
func (d *decodingReader) step() error {
	if !d.srcEOF && len(d.src) < 32<<10 {
		buf := make([]byte, 64<<10)
		n, err := io.ReadFull(d.r, buf)
		d.src = append(d.src, buf[:n]...)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			d.srcEOF = true
		} else if err != nil {
			return err
		}
	}
	if len(d.src) == 0 && d.srcEOF {
		return io.EOF
	}
	nDst, nSrc, err := d.t.Transform(d.dst, d.src, d.srcEOF)
	if err != nil && !errors.Is(err, transform.ErrShortDst) && !errors.Is(err, transform.ErrShortSrc) {
		return err
	}
	if nSrc == 0 && nDst == 0 {
		if d.srcEOF {
			// Cannot happen with atEOF set; do not loop forever.
			return io.ErrUnexpectedEOF
		}
		return nil // short source: read more
	}
	out := d.dst[:nDst]
	if d.repl != nil && bytes.Contains(out, runeError) {
		out = bytes.ReplaceAll(out, runeError, d.repl)
	}
	b := decodedBlock{dec: d.dec, raw: d.raw, src: bytes.Clone(d.src[:nSrc]), n: len(out)}
	d.blocks = append(d.blocks, b)
	d.kept += nSrc
	for d.kept > retainRaw && len(d.blocks) > 2 {
		d.kept -= len(d.blocks[0].src)
		d.blocks = d.blocks[1:]
	}
	d.dec += int64(len(out))
	d.raw += int64(nSrc)
	d.src = d.src[nSrc:]
	// Read hands out all of out before the next step reuses dst.
	d.out = out
	return nil
}

// sourceOffset maps decoded offset off to the source offset of the
// character it falls in; ok is false when off is before the bytes kept
// (the nearest known place is returned then).
func (d *decodingReader) sourceOffset(off int64) (int64, bool) {
	if off <= 0 {
		return off, true
	}
	if off >= d.dec {
		return d.raw + (off - d.dec), off == d.dec
	}
	lo, hi := 0, len(d.blocks)
	for lo < hi {
		m := (lo + hi) / 2
		if d.blocks[m].dec+int64(d.blocks[m].n) <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(d.blocks) || off < d.blocks[lo].dec {
		if len(d.blocks) == 0 {
			return 0, false
		}
		return d.blocks[0].raw, false
	}
	b := d.blocks[lo]
	rel := int(off - b.dec)
	if d.repl != nil {
		rel = d.plainOffset(b, rel)
	}
	buf := make([]byte, rel)
	// A decoder writes whole characters only: what it consumes to fill
	// buf exactly ends where the character at the offset begins.
	_, nSrc, _ := d.newT().Transform(buf, b.src, true)
	return b.raw + int64(nSrc), true
}

// plainOffset maps an offset in a block's output, where U+FFFD became
// repl, to the offset in the decoder's own output.
func (d *decodingReader) plainOffset(b decodedBlock, rel int) int {
	plain := make([]byte, 4*len(b.src)+4)
	n, _, _ := d.newT().Transform(plain, b.src, true)
	plain = plain[:n]
	pos, p := 0, 0
	for pos < rel && p < len(plain) {
		if bytes.HasPrefix(plain[p:], runeError) {
			if pos+len(d.repl) > rel {
				break // inside the replacement: its character's start
			}
			pos += len(d.repl)
			p += len(runeError)
			continue
		}
		pos++
		p++
	}
	return p
}

var runeError = []byte(string(utf8.RuneError))

// fileOffset maps a reader position (decoded, counted from the reader's
// first byte) to the file offset, start being the file offset of that
// first byte. A nil reader decodes nothing: positions are file offsets
// already less start.
func (d *decodingReader) fileOffset(pos, start int64) int64 {
	if d == nil {
		return start + pos
	}
	off, _ := d.sourceOffset(pos)
	return start + off
}

// fileError rewrites the place of a syntax error found in decoded text to
// the file's bytes: the offset, and the column counted in the file's bytes
// from the line start.
func (d *decodingReader) fileError(err error, start int64) error {
	if d == nil || err == nil {
		return err // checked first: se below escapes, and this runs per row
	}
	var se *rowparse.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	pos := se.Offset
	lineStart := pos - int64(se.Column-1)
	off, ok := d.sourceOffset(pos)
	se.Offset = start + off
	if ls, lok := d.sourceOffset(lineStart); ok && lok {
		se.Column = int(off-ls) + 1
	}
	return err
}
