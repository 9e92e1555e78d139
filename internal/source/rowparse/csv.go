package rowparse

import (
	"bytes"
	"errors"
	"io"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// CSVOptions configures a CSVReader. They are TiDB Lightning's
// [mydumper.csv] options (pkg/lightning/config, csv_parser.go); the zero
// value is not the default: start from DefaultCSVOptions.
type CSVOptions struct {
	// File names the input in errors.
	File string
	// Offset is the file offset of the first byte of the input.
	Offset int64
	// Separator between fields, one or more bytes (default ",").
	Separator string
	// Delimiter quotes fields, one or more bytes; empty disables quoting
	// (default `"`).
	Delimiter string
	// Terminator ends a record; empty accepts "\r\n", "\n" or "\r"
	// (default empty).
	Terminator string
	// Header says the first record holds the column names.
	Header bool
	// HeaderSchemaMatch says the header names are the columns of the data
	// (otherwise the header is skipped and the table's order is used); the
	// reader only reports it, the caller applies it.
	HeaderSchemaMatch bool
	// NotNull disables NULL detection: every field is a string.
	NotNull bool
	// Null lists the texts read as NULL (default [`\N`]). An unquoted or
	// quoted field written exactly `\N` is NULL when backslash escapes are
	// on and `\N` is listed, as Lightning does; `\\N` is the string `\N`.
	Null []string
	// BackslashEscape resolves MySQL backslash escapes in fields (default
	// true).
	BackslashEscape bool
	// TrimLastSeparator drops an empty last field (rows written as
	// `a,b,`).
	TrimLastSeparator bool
	// BufferSize is the initial read window in bytes (default 256 KiB).
	BufferSize int
	// MaxRowSize bounds one record in bytes (default 512 MiB).
	MaxRowSize int
}

// DefaultCSVOptions returns Lightning's defaults, which are also
// dumpling's CSV dialect.
func DefaultCSVOptions() CSVOptions {
	return CSVOptions{Separator: ",", Delimiter: `"`, Null: []string{`\N`}, BackslashEscape: true}
}

// errCSVOptions is returned for options that cannot work.
var errCSVOptions = errors.New("invalid CSV options")

// csvSpan is a field of the record being read. It has at most four
// fields so the compiler keeps it in registers (SSA splits only small
// structs): the flags share one byte.
type csvSpan struct {
	start, end int64
	flags      uint8
}

const (
	spanQuoted  = 1 << iota // the field was quoted
	spanRawN                // the raw text was exactly `\N`
	spanEscaped             // fastRecord: the raw text still needs unescaping
)

// CSVReader reads the records of a CSV file, streaming.
type CSVReader struct {
	w        window
	opts     CSVOptions
	sep      []byte
	delim    []byte
	term     []byte
	special  [256]bool // bytes that may start a token outside quotes
	qspecial [256]bool // bytes that may start a token inside quotes
	nullN    bool      // `\N` is in the NULL list
	fast     bool      // the options allow fastRecord
	fastTerm [256]bool // bytes that end a record, for fastRecord
	header   []string
	started  bool
	spans    []csvSpan
	row      []literal.Field
	recStart int64
	wr       int // write index for in-place unescaping
	err      error
	// records counts the data records read (not the header), for Records.
	records uint64
}

// NewCSVReader returns a reader over r. It fails only on invalid options.
func NewCSVReader(r io.Reader, opts CSVOptions) (*CSVReader, error) {
	if opts.Separator == "" {
		return nil, errors.Join(errCSVOptions, errors.New("separator must not be empty"))
	}
	if opts.Delimiter != "" && opts.Delimiter == opts.Separator {
		return nil, errors.Join(errCSVOptions, errors.New("separator and delimiter must differ"))
	}
	c := &CSVReader{opts: opts, sep: []byte(opts.Separator), delim: []byte(opts.Delimiter), term: []byte(opts.Terminator)}
	c.special[c.sep[0]] = true
	if len(c.delim) > 0 {
		c.special[c.delim[0]] = true
		c.qspecial[c.delim[0]] = true
	}
	if opts.BackslashEscape {
		c.special['\\'] = true
		c.qspecial['\\'] = true
	}
	if len(c.term) > 0 {
		c.special[c.term[0]] = true
	} else {
		c.special['\r'] = true
		c.special['\n'] = true
	}
	for _, n := range opts.Null {
		if n == `\N` {
			c.nullN = opts.BackslashEscape && !opts.NotNull
		}
	}
	c.setupFast()
	c.w.init(r, opts.BufferSize, opts.MaxRowSize, opts.File, opts.Offset)
	return c, nil
}

// Header returns the column names of the header record (nil without a
// header); it reads the header if Next was not called yet.
func (c *CSVReader) Header() ([]string, error) {
	if err := c.start(); err != nil {
		return nil, err
	}
	return c.header, nil
}

// Pos returns the file offset of the first byte of the record last
// returned by Next.
func (c *CSVReader) Pos() int64 { return c.w.offset + c.recStart }

// Offset returns the file offset the reader has consumed up to.
func (c *CSVReader) Offset() int64 { return c.w.offset + c.w.abs(c.w.pos) }

func (c *CSVReader) start() error {
	if c.started {
		return nil
	}
	c.started = true
	if !c.opts.Header {
		return nil
	}
	row, err := c.next()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		c.err = err
		return err
	}
	c.header = make([]string, len(row))
	for i, f := range row {
		c.header[i] = string(f.Bytes)
	}
	return nil
}

// Next returns the next record, or io.EOF after the last one. The slice
// and the Bytes of its fields are reused by the next call. Fields are
// FieldString or FieldNull. Errors are *SyntaxError for malformed text.
func (c *CSVReader) Next() ([]literal.Field, error) {
	if err := c.start(); err != nil {
		return nil, err
	}
	row, err := c.next()
	if err == nil {
		c.records++
	}
	return row, err
}

// Records returns how many data records (the header not included) the
// reader has read.
func (c *CSVReader) Records() uint64 { return c.records }

func (c *CSVReader) next() ([]literal.Field, error) {
	if c.err != nil {
		return nil, c.err
	}
	ok, err := c.record()
	if err != nil {
		c.err = err
		return nil, err
	}
	if !ok {
		c.err = io.EOF
		return nil, io.EOF
	}
	spans := c.spans
	if c.opts.TrimLastSeparator && len(spans) > 0 {
		if l := spans[len(spans)-1]; l.end == l.start && l.flags&spanRawN == 0 {
			spans = spans[:len(spans)-1]
		}
	}
	// Row slots are reused and only Kind and Bytes written (a CSV field
	// never has a Charset): pointer stores cost write barriers while the
	// GC runs.
	if cap(c.row) < len(spans) {
		c.row = make([]literal.Field, len(spans), 2*len(spans))
	}
	c.row = c.row[:len(spans)]
	for i, sp := range spans {
		a, b := c.w.idx(sp.start), c.w.idx(sp.end)
		v := c.w.buf[a:b:b]
		f := &c.row[i]
		if c.isNull(sp, v) {
			f.Kind, f.Bytes = literal.FieldNull, nil
		} else {
			f.Kind, f.Bytes = literal.FieldString, v
		}
	}
	return c.row, nil
}

// isNull applies Lightning's rule (csv_parser.go unescapeString): a raw
// `\N` is NULL; otherwise the unescaped value is NULL when it is in the
// list, except `\N` written as `\\N`.
func (c *CSVReader) isNull(sp csvSpan, v []byte) bool {
	if c.opts.NotNull {
		return false
	}
	if sp.flags&spanRawN != 0 && c.nullN {
		return true
	}
	if c.nullN && string(v) == `\N` {
		return false
	}
	for _, n := range c.opts.Null {
		if string(v) == n {
			return true
		}
	}
	return false
}

// fill reads more input, moving the write index along.
func (c *CSVReader) fill() bool {
	shift, ok := c.w.more()
	c.wr -= shift
	return ok
}

// match reports whether pat is at w.pos (reading more if needed).
func (c *CSVReader) match(pat []byte) bool {
	w := &c.w
	for len(w.buf)-w.pos < len(pat) {
		if !c.fill() {
			return false
		}
	}
	return bytes.Equal(w.buf[w.pos:w.pos+len(pat)], pat)
}

// terminator reports the length of a record terminator at w.pos, 0 when
// there is none.
func (c *CSVReader) terminator() int {
	w := &c.w
	if len(c.term) == 0 {
		if b := w.buf[w.pos]; b == '\n' || b == '\r' {
			// "\r\n" is "\r" then an empty line, which is skipped.
			return 1
		}
		return 0
	}
	if w.buf[w.pos] == c.term[0] && c.match(c.term) {
		return len(c.term)
	}
	return 0
}

// unescapeByte maps the byte after a backslash, as MySQL's LOAD DATA and
// Lightning do.
func unescapeByte(b byte) byte {
	switch b {
	case '0':
		return 0
	case 'b':
		return '\b'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'Z':
		return 0x1a
	}
	return b
}

const (
	tokNewLine = iota
	tokComma
	tokDelimiter
	tokAny
)

// record reads one record into c.spans, skipping empty lines. It returns
// false at the end of the input.
func (c *CSVReader) record() (bool, error) {
	if c.fast && c.w.pos < len(c.w.buf) && c.fastRecord() {
		return true, nil
	}
	w := &c.w
restart:
	w.pin = w.pos
	c.recStart = w.abs(w.pos)
	c.wr = w.pos
	c.spans = c.spans[:0]
	fieldStart := w.abs(c.wr)
	quoted, rawN := false, false
	rawLen := 0
	prev := tokNewLine
	emptyLine, whitespaceLine := true, true
	endField := func() {
		var flags uint8
		if quoted {
			flags |= spanQuoted
		}
		if rawN && rawLen == 2 {
			flags |= spanRawN
		}
		c.spans = append(c.spans, csvSpan{start: fieldStart, end: w.abs(c.wr), flags: flags})
		fieldStart = w.abs(c.wr)
		quoted, rawN, rawLen = false, false, 0
	}
	for {
		if w.pos >= len(w.buf) && !c.fill() {
			if w.err != nil {
				return false, w.syntaxError(w.abs(w.pos), "read failed")
			}
			if emptyLine {
				return false, nil
			}
			endField()
			return true, nil
		}
		b := w.buf[w.pos]
		if !c.special[b] {
			if prev == tokDelimiter {
				return false, w.syntaxError(w.abs(w.pos), "cannot have consecutive fields without separator")
			}
			i := w.pos
			for i < len(w.buf) && !c.special[w.buf[i]] {
				i++
			}
			n := i - w.pos
			if c.wr != w.pos {
				copy(w.buf[c.wr:], w.buf[w.pos:i])
			}
			c.wr += n
			w.pos = i
			rawLen += n
			prev = tokAny
			emptyLine = false
			continue
		}
		if n := c.terminator(); n > 0 {
			w.pos += n
			if emptyLine {
				goto restart
			}
			if whitespaceLine && len(bytes.TrimSpace(w.buf[w.idx(c.recStart):c.wr])) == 0 {
				goto restart
			}
			endField()
			return true, nil
		}
		if b == c.sep[0] && (len(c.sep) == 1 || c.match(c.sep)) {
			w.pos += len(c.sep)
			endField()
			whitespaceLine, emptyLine = false, false
			prev = tokComma
			continue
		}
		if len(c.delim) > 0 && b == c.delim[0] && (len(c.delim) == 1 || c.match(c.delim)) {
			if prev != tokComma && prev != tokNewLine {
				return false, w.syntaxError(w.abs(w.pos), "cannot have consecutive fields without separator")
			}
			if err := c.quotedField(&rawLen, &rawN); err != nil {
				return false, err
			}
			quoted = true
			whitespaceLine, emptyLine = false, false
			prev = tokDelimiter
			continue
		}
		if prev == tokDelimiter {
			return false, w.syntaxError(w.abs(w.pos), "cannot have consecutive fields without separator")
		}
		emptyLine = false
		prev = tokAny
		if b == '\\' && c.opts.BackslashEscape {
			at := w.abs(w.pos)
			if w.pos+1 >= len(w.buf) && !c.fill() {
				return false, w.syntaxError(at, "no character after backslash")
			}
			e := w.buf[w.pos+1]
			w.pos += 2
			if e == 'N' && rawLen == 0 {
				rawN = true
			}
			w.buf[c.wr] = unescapeByte(e)
			c.wr++
			rawLen += 2
			continue
		}
		// The first byte of a longer separator, delimiter or terminator
		// that did not match: ordinary content.
		w.buf[c.wr] = b
		c.wr++
		w.pos++
		rawLen++
	}
}

// quotedField reads a quoted field whose opening delimiter is at w.pos.
func (c *CSVReader) quotedField(rawLen *int, rawN *bool) error {
	w := &c.w
	open := w.abs(w.pos)
	from := w.abs(c.wr)
	w.pos += len(c.delim)
	// lim is the buf index of the next delimiter byte at or after w.pos,
	// len(w.buf) when the window holds none; it is searched again when
	// w.pos passed it, the window moved (moves) or grew past a lim that
	// meant none.
	lim, moves := -1, w.moves
	for {
		if w.pos >= len(w.buf) && !c.fill() {
			if w.err != nil {
				return w.syntaxError(w.abs(w.pos), "read failed")
			}
			e := w.syntaxError(open, "unterminated quoted field")
			// The text was unescaped in place: show the field as read.
			e.Excerpt = excerpt(c.delim, w.buf[w.idx(from):c.wr])
			return e
		}
		b := w.buf[w.pos]
		if !c.qspecial[b] {
			// The run ends at the next delimiter byte or backslash; the
			// delimiter's place is kept across escapes (lim), so text with
			// many escapes is scanned once.
			if lim < w.pos || moves != w.moves || (lim < len(w.buf) && w.buf[lim] != c.delim[0]) {
				lim, moves = len(w.buf), w.moves
				if j := bytes.IndexByte(w.buf[w.pos:], c.delim[0]); j >= 0 {
					lim = w.pos + j
				}
			}
			i := lim
			if c.opts.BackslashEscape {
				if j := bytes.IndexByte(w.buf[w.pos:i], '\\'); j >= 0 {
					i = w.pos + j
				}
			}
			n := i - w.pos
			if c.wr != w.pos {
				copy(w.buf[c.wr:], w.buf[w.pos:i])
			}
			c.wr += n
			w.pos = i
			*rawLen += n
			continue
		}
		if b == c.delim[0] && (len(c.delim) == 1 || c.match(c.delim)) {
			w.pos += len(c.delim)
			if w.pos < len(w.buf) || c.fill() {
				if w.buf[w.pos] == c.delim[0] && (len(c.delim) == 1 || c.match(c.delim)) {
					// A doubled delimiter is one delimiter character.
					copy(w.buf[c.wr:], c.delim)
					c.wr += len(c.delim)
					w.pos += len(c.delim)
					*rawLen += 2 * len(c.delim)
					continue
				}
			}
			return nil
		}
		if b == '\\' && c.opts.BackslashEscape {
			at := w.abs(w.pos)
			if w.pos+1 >= len(w.buf) && !c.fill() {
				return w.syntaxError(at, "no character after backslash")
			}
			e := w.buf[w.pos+1]
			w.pos += 2
			if e == 'N' && *rawLen == 0 {
				*rawN = true
			}
			w.buf[c.wr] = unescapeByte(e)
			c.wr++
			*rawLen += 2
			continue
		}
		w.buf[c.wr] = b
		c.wr++
		w.pos++
		*rawLen++
	}
}
