package rowparse

import (
	"bytes"
	"io"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// StatementKind says how an INSERT-like statement treats duplicates.
type StatementKind uint8

// The statements that carry rows.
const (
	StatementInsert  StatementKind = iota // INSERT [INTO]
	StatementReplace                      // REPLACE [INTO]
)

// Statement describes the INSERT or REPLACE statement the current row
// belongs to.
type Statement struct {
	Kind StatementKind
	// Ignore is set for INSERT IGNORE.
	Ignore bool
	// Table is the table name as written (unquoted; without a database
	// qualifier).
	Table string
	// Columns is the statement's column list, nil when absent. A new slice
	// is made for each statement, so callers may keep it.
	Columns []string
	// Offset is the file offset of the statement's first byte (for a
	// reader resumed with SQLOptions.Header: the start of its input).
	Offset int64
}

// SQLOptions configures a SQLReader.
type SQLOptions struct {
	// File names the input in errors.
	File string
	// Offset is the file offset of the first byte of the input, added to
	// every reported position (a chunk's start offset).
	Offset int64
	// NoBackslashEscapes reads backslashes in strings literally (the SQL
	// mode NO_BACKSLASH_ESCAPES).
	NoBackslashEscapes bool
	// Header is the text of an INSERT statement up to and including
	// VALUES, to read the input as if it followed it: for a chunk that
	// starts at a tuple in the middle of a statement.
	Header []byte
	// CutAfterTuple accepts the input ending right after a tuple's
	// trailing comma: for a chunk that ends in the middle of a statement.
	CutAfterTuple bool
	// BufferSize is the initial read window in bytes (default 256 KiB); the
	// window grows only when one row does not fit.
	BufferSize int
	// MaxRowSize bounds one row in bytes (default 512 MiB).
	MaxRowSize int
	// AtFileEnd says the input runs to the end of its file. A statement
	// other than INSERT, REPLACE or SET that no INSERT follows is then a
	// syntax error at its offset, as Lightning's data-file parser ends
	// such input with "syntax error: premature EOF": garbage after the
	// last statement is refused, not dropped.
	AtFileEnd bool
	// Skim finds where each tuple ends without reading its values, for
	// cutting a file into chunks, which needs only the tuples' offsets:
	// Next returns an empty row for a skimmed tuple, with Pos, Statement,
	// Names and TimeZone as usual. A tuple the scan cannot step over (a
	// comment, CONVERT, a tuple across the window's end) is read as usual
	// and its row returned; a tuple ends at the same byte either way.
	// Values that would be refused are refused later, by the reader of
	// their chunk.
	Skim bool
	// OnSkip, when set, is called for each statement other than INSERT,
	// REPLACE or SET that is skipped and not refused, with its file
	// offset and its first bytes (Lightning imports the rows around it
	// too; the caller warns).
	OnSkip func(offset int64, head string)
}

type readerState uint8

const (
	stateOutside  readerState = iota // between statements
	stateInValues                    // expecting a tuple
)

type span struct {
	kind       literal.FieldKind
	start, end int64 // absolute stream offsets of the value bytes
	static     []byte
	charset    string
}

var (
	bytesOne  = []byte("1")
	bytesZero = []byte("0")
)

// SQLReader reads the rows of INSERT and REPLACE statements from a SQL
// dump, streaming: memory is bounded by the largest row, not the largest
// statement. Other statements are skipped; SET NAMES and SET TIME_ZONE are
// recorded (see Names and TimeZone) because they change how values decode.
type SQLReader struct {
	w         window
	opts      SQLOptions
	state     readerState
	execDepth int
	stmt      Statement
	starts    []int64 // absolute offset of each row field's Bytes, -1 when not in the window
	row       []literal.Field
	rowStart  int64
	names     string
	timeZone  string
	err       error
	hdrLen    int64
	// afterComma is set when the last tuple was followed by a comma.
	afterComma bool
	// tuples counts the tuples lexed, for Tuples.
	tuples uint64
	// skipped is the last statement skipped that is not INSERT, REPLACE
	// or SET, as the error it becomes when nothing follows it (AtFileEnd);
	// nil once a row statement follows it.
	skipped *SyntaxError
}

// NewSQLReader returns a reader over r.
func NewSQLReader(r io.Reader, opts SQLOptions) *SQLReader {
	s := &SQLReader{opts: opts}
	if len(opts.Header) > 0 {
		r = io.MultiReader(bytes.NewReader(opts.Header), r)
		s.hdrLen = int64(len(opts.Header))
	}
	s.w.init(r, opts.BufferSize, opts.MaxRowSize, opts.File, opts.Offset-s.hdrLen)
	return s
}

// Statement returns the statement of the row last returned by Next.
func (s *SQLReader) Statement() *Statement { return &s.stmt }

// Columns returns the column list of the current statement, nil when the
// statement has none.
func (s *SQLReader) Columns() []string { return s.stmt.Columns }

// Pos returns the file offset of the first byte (the opening parenthesis)
// of the row last returned by Next.
func (s *SQLReader) Pos() int64 { return s.w.offset + s.rowStart }

// Offset returns the file offset the reader has consumed up to.
func (s *SQLReader) Offset() int64 { return s.w.offset + s.w.abs(s.w.pos) }

// Tuples returns how many value tuples the reader has lexed: a count kept
// where a tuple's closing parenthesis is read, independent of the rows
// Next hands out, so that a row lost between the two shows (the
// coordinator compares it with the rows encoded and rejected).
func (s *SQLReader) Tuples() uint64 { return s.tuples }

// Names returns the character set of the last SET NAMES seen, lower case;
// empty when none was seen.
func (s *SQLReader) Names() string { return s.names }

// TimeZone returns the value of the last SET TIME_ZONE seen; empty when
// none was seen.
func (s *SQLReader) TimeZone() string { return s.timeZone }

// Next returns the next row, or io.EOF after the last one. The slice and
// the Bytes of its fields are reused by the next call: copy what must be
// kept. Errors are *SyntaxError for malformed text.
func (s *SQLReader) Next() ([]literal.Field, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		if s.state == stateInValues {
			row, ok, err := s.tuple()
			if err != nil {
				s.err = err
				return nil, err
			}
			if ok {
				return row, nil
			}
			continue
		}
		if !s.skipSpace() {
			return nil, s.endOfInput()
		}
		if err := s.statement(); err != nil {
			s.err = err
			return nil, err
		}
	}
}

// endOfInput returns io.EOF, or the error that ended the input.
func (s *SQLReader) endOfInput() error {
	if s.err != nil {
		return s.err
	}
	if s.w.err != nil {
		s.err = s.w.syntaxError(s.w.abs(s.w.pos), "read failed")
		return s.err
	}
	if err := s.endSkipped(); err != nil {
		s.err = err
		return err
	}
	s.err = io.EOF
	return io.EOF
}

// statement reads a statement's head at w.pos: INSERT/REPLACE headers
// switch to reading tuples, SET statements are noted, others skipped.
func (s *SQLReader) statement() error {
	w := &s.w
	w.pin = w.pos
	start := w.abs(w.pos)
	if c := w.buf[w.pos]; c == ';' {
		w.pos++
		return nil
	}
	kw := s.word()
	switch {
	case bytes.EqualFold(kw, []byte("insert")):
		return s.insertHeader(StatementInsert, start)
	case bytes.EqualFold(kw, []byte("replace")):
		return s.insertHeader(StatementReplace, start)
	case bytes.EqualFold(kw, []byte("set")):
		return s.setStatement(start)
	case len(kw) == 0 && s.err != nil:
		return s.err
	default:
		// Not a statement that carries rows (or not a keyword at all):
		// skip it, token-aware, and remember it until rows follow.
		s.followSkipped()
		s.skipped = s.w.syntaxError(start, "%q... is not an INSERT statement and no INSERT follows it (garbage after the last statement?)", statementHead(w.buf[w.idx(start):]))
		return s.skipStatement(start, nil)
	}
}

// followSkipped reports the statement last skipped, which another
// statement follows, to OnSkip.
func (s *SQLReader) followSkipped() {
	if e := s.skipped; e != nil {
		s.skipped = nil
		if s.opts.OnSkip != nil {
			s.opts.OnSkip(e.Offset, e.Excerpt)
		}
	}
}

// endSkipped settles the statement last skipped at the end of input: in a
// file's last chunk (AtFileEnd) nothing follows it, and it is returned as
// a syntax error; otherwise the next chunk goes on, and it is reported.
func (s *SQLReader) endSkipped() error {
	if e := s.skipped; e != nil && s.opts.AtFileEnd {
		s.skipped = nil
		return e
	}
	s.followSkipped()
	return nil
}

// statementHead is the start of a skipped statement for messages: up to
// its first line break, at most 24 bytes.
func statementHead(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if len(b) > 24 {
		b = b[:24]
	}
	return string(b)
}

// insertHeader parses `[LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE]
// [INTO] name [(cols)] VALUES|VALUE` after INSERT or REPLACE.
func (s *SQLReader) insertHeader(kind StatementKind, start int64) error {
	s.followSkipped()
	s.stmt = Statement{Kind: kind, Offset: s.w.offset + start}
	if s.hdrLen > 0 && start < s.hdrLen {
		s.stmt.Offset = s.opts.Offset
	}
	for {
		if !s.skipSpace() {
			return s.w.syntaxError(s.w.abs(s.w.pos), "unexpected end of input in INSERT statement")
		}
		if s.w.buf[s.w.pos] == '`' {
			break
		}
		// word may read more input and move the window: keep the place
		// as an absolute offset.
		save := s.w.abs(s.w.pos)
		kw := s.word()
		switch {
		case bytes.EqualFold(kw, []byte("ignore")):
			s.stmt.Ignore = true
			continue
		case bytes.EqualFold(kw, []byte("into")), bytes.EqualFold(kw, []byte("low_priority")),
			bytes.EqualFold(kw, []byte("delayed")), bytes.EqualFold(kw, []byte("high_priority")):
			continue
		}
		s.w.pos = s.w.idx(save)
		break
	}
	name, ok := s.qualifiedName()
	if !ok {
		return s.w.syntaxError(s.w.abs(s.w.pos), "expected a table name")
	}
	s.stmt.Table = name
	if !s.skipSpace() {
		return s.w.syntaxError(s.w.abs(s.w.pos), "unexpected end of input after table name")
	}
	if s.w.buf[s.w.pos] == '(' {
		s.w.pos++
		cols := []string{}
		for {
			if !s.skipSpace() {
				return s.w.syntaxError(s.w.abs(s.w.pos), "unexpected end of input in column list")
			}
			if s.w.buf[s.w.pos] == ')' && len(cols) == 0 {
				s.w.pos++
				break
			}
			col, ok := s.identifier()
			if !ok {
				if s.err != nil {
					return s.err
				}
				return s.w.syntaxError(s.w.abs(s.w.pos), "expected a column name")
			}
			cols = append(cols, col)
			if !s.skipSpace() {
				return s.w.syntaxError(s.w.abs(s.w.pos), "unexpected end of input in column list")
			}
			c := s.w.buf[s.w.pos]
			s.w.pos++
			if c == ')' {
				break
			}
			if c != ',' {
				return s.w.syntaxError(s.w.abs(s.w.pos-1), "expected ',' or ')' in column list")
			}
		}
		s.stmt.Columns = cols
		if !s.skipSpace() {
			return s.w.syntaxError(s.w.abs(s.w.pos), "unexpected end of input, expected VALUES")
		}
	}
	at := s.w.abs(s.w.pos)
	kw := s.word()
	if !bytes.EqualFold(kw, []byte("values")) && !bytes.EqualFold(kw, []byte("value")) {
		return s.w.syntaxError(at, "expected VALUES (only INSERT ... VALUES is supported)")
	}
	s.state = stateInValues
	s.afterComma = false
	return nil
}

// qualifiedName reads `name` or `db`.`name` and returns the last part.
func (s *SQLReader) qualifiedName() (string, bool) {
	name, ok := s.identifier()
	if !ok {
		return "", false
	}
	for {
		b := s.peek(1)
		if len(b) == 0 || b[0] != '.' {
			return name, true
		}
		s.w.pos++
		name, ok = s.identifier()
		if !ok {
			return "", false
		}
	}
}

// setStatement notes SET NAMES and SET TIME_ZONE, then skips to the end.
func (s *SQLReader) setStatement(start int64) error {
	var toks []string
	if err := s.skipStatement(start, &toks); err != nil {
		return err
	}
	if len(toks) >= 2 && strings.EqualFold(toks[0], "names") {
		s.names = strings.ToLower(toks[1])
	}
	for i := 0; i+2 < len(toks); i++ {
		name := strings.ToLower(toks[i])
		name = strings.TrimPrefix(name, "@@")
		name = strings.TrimPrefix(name, "session.")
		if (name == "time_zone" || (i > 0 && name == "time_zone" && strings.EqualFold(toks[i-1], "session"))) && toks[i+1] == "=" {
			s.timeZone = toks[i+2]
		}
	}
	return nil
}

// skipStatement skips to just after the next ';' outside strings and
// comments (or to the end of input), collecting up to 16 tokens when toks
// is not nil.
func (s *SQLReader) skipStatement(start int64, toks *[]string) error {
	w := &s.w
	for {
		if !s.skipSpace() {
			if s.err != nil {
				return s.err
			}
			return nil
		}
		w.pin = w.pos
		c := w.buf[w.pos]
		var tok string
		switch {
		case c == ';':
			w.pos++
			return nil
		case c == '\'' || c == '"':
			a, b, ok := s.lexString()
			if !ok {
				return s.err
			}
			tok = string(w.buf[w.idx(a):w.idx(b)])
		case c == '`':
			id, ok := s.identifier()
			if !ok {
				return s.err
			}
			tok = id
		case isIdentByte(c) || c == '@':
			i := w.abs(w.pos)
			for {
				b := s.peek(1)
				if len(b) == 0 || !(isIdentByte(b[0]) || b[0] == '@' || b[0] == '.') {
					break
				}
				w.pos++
			}
			tok = string(w.buf[w.idx(i):w.pos])
		default:
			w.pos++
			tok = string(c)
		}
		if toks != nil && len(*toks) < 16 {
			*toks = append(*toks, tok)
		}
	}
}
