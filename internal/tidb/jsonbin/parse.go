// Package jsonbin implements TiDB's binary JSON: parsing JSON text into the
// type-code + body layout TiDB stores (SPEC §3.4, TiDB pkg/types/
// json_binary.go and json_binary_encode.go), printing it back in MySQL's
// text form, and the JSON path subset generated columns need.
package jsonbin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Type codes of TiDB binary JSON (pkg/types/json_constants.go).
const (
	TypeObject    byte = 0x01
	TypeArray     byte = 0x03
	TypeLiteral   byte = 0x04
	TypeInt64     byte = 0x09
	TypeUint64    byte = 0x0a
	TypeFloat64   byte = 0x0b
	TypeString    byte = 0x0c
	TypeOpaque    byte = 0x0d
	TypeDate      byte = 0x0e
	TypeDatetime  byte = 0x0f
	TypeTimestamp byte = 0x10
	TypeDuration  byte = 0x11

	LiteralNull  byte = 0x00
	LiteralTrue  byte = 0x01
	LiteralFalse byte = 0x02
)

// MaxDepth is TiDB's/MySQL's nesting limit: a document whose depth (a scalar
// or empty container counts 1) minus one exceeds it is rejected.
const MaxDepth = 100

const (
	headerSize   = 8 // element count + body size
	keyEntrySize = 6 // key offset u32 + key length u16
	valEntrySize = 5 // type byte + offset u32 (or inlined literal)
)

// Errors callers branch on.
var (
	// ErrTooDeep reports a document nested deeper than MaxDepth.
	ErrTooDeep = errors.New("JSON document exceeds the maximum depth")
	// ErrKeyTooLong reports an object key of 65536 bytes or more.
	ErrKeyTooLong = errors.New("JSON object key too long")
	// ErrCorrupt reports a binary JSON value that does not decode.
	ErrCorrupt = errors.New("corrupt binary JSON")
)

// SyntaxError reports invalid JSON text at a byte offset.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON text at offset %d: %s", e.Offset, e.Msg)
}

// Parse parses JSON text and appends the binary value (type code byte, then
// body) to dst. Numbers with '.', 'e' or 'E' are doubles; other numbers are
// int64, else uint64, else double (an out-of-range double is an error).
// Object keys are sorted bytewise and a duplicate key keeps its last value;
// invalid UTF-8 in strings becomes U+FFFD (all as TiDB's
// parseBinaryJSONFromBytes does).
func Parse(text []byte, dst []byte) ([]byte, error) {
	p := parser{s: text}
	p.skipSpace()
	if p.i >= len(p.s) {
		return dst, &SyntaxError{Offset: p.i, Msg: "the document is empty"}
	}
	v, err := p.value()
	if err != nil {
		return dst, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return dst, &SyntaxError{Offset: p.i, Msg: "the document root must not be followed by other values"}
	}
	if v.depth-1 > MaxDepth {
		return dst, fmt.Errorf("parse JSON: depth %d: %w", v.depth-1, ErrTooDeep)
	}
	dst = append(dst, v.typ)
	return v.appendBody(dst), nil
}

// node is a parsed value; bodies of scalars are stored encoded.
type node struct {
	typ      byte
	depth    int
	body     []byte // scalars: encoded body
	children []node // containers
	keys     []string
	raw      bool // body already holds the encoded body (containers too)
}

type parser struct {
	s     []byte
	i     int
	level int // containers open around the current position
}

// enter counts a container; a nesting level over MaxDepth+1 already makes
// the document too deep, so parsing stops there instead of recursing on.
func (p *parser) enter() error {
	p.level++
	if p.level > MaxDepth+1 {
		return fmt.Errorf("parse JSON at offset %d: %w", p.i, ErrTooDeep)
	}
	return nil
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) errf(format string, a ...any) error {
	return &SyntaxError{Offset: p.i, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) value() (node, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return node{}, p.errf("unexpected end of text")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return node{}, err
		}
		return node{typ: TypeString, depth: 1, body: appendString(nil, s)}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", LiteralTrue)
	case c == 'f':
		return p.literal("false", LiteralFalse)
	case c == 'n':
		return p.literal("null", LiteralNull)
	default:
		return node{}, p.errf("invalid value")
	}
}

func (p *parser) literal(word string, lit byte) (node, error) {
	if len(p.s)-p.i < len(word) || string(p.s[p.i:p.i+len(word)]) != word {
		return node{}, p.errf("invalid literal")
	}
	p.i += len(word)
	return node{typ: TypeLiteral, depth: 1, body: []byte{lit}}, nil
}

func (p *parser) number() (node, error) {
	start := p.i
	isFloat := false
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return node{}, p.errf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		isFloat = true
		p.i++
		if digits() == 0 {
			return node{}, p.errf("invalid number fraction")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return node{}, p.errf("invalid number exponent")
		}
	}
	text := string(p.s[start:p.i])
	if !isFloat {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			return node{typ: TypeInt64, depth: 1, body: binary.LittleEndian.AppendUint64(nil, uint64(v))}, nil
		}
		if v, err := strconv.ParseUint(text, 10, 64); err == nil {
			return node{typ: TypeUint64, depth: 1, body: binary.LittleEndian.AppendUint64(nil, v)}, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return node{}, &SyntaxError{Offset: start, Msg: "number out of range"}
	}
	return node{typ: TypeFloat64, depth: 1, body: binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))}, nil
}

// str reads a JSON string at p.i (the opening quote) and returns its value.
func (p *parser) str() (string, error) {
	p.i++ // opening quote
	var out []byte
	start := p.i
	for {
		if p.i >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			out = append(out, p.s[start:p.i]...)
			p.i++
			return normalizeUTF8(out), nil
		case c < 0x20:
			return "", p.errf("control character in string")
		case c == '\\':
			out = append(out, p.s[start:p.i]...)
			p.i++
			if p.i >= len(p.s) {
				return "", p.errf("unterminated escape")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate followed by an escaped low one is a pair;
					// anything else is a lone surrogate, printed as U+FFFD.
					if r < 0xdc00 && p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						r2, ok := p.hex4()
						if ok && r2 >= 0xdc00 && r2 <= 0xdfff {
							r = utf16.DecodeRune(r, r2)
						} else {
							p.i = save
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				p.i--
				return "", p.errf("invalid escape")
			}
			start = p.i
		default:
			p.i++
		}
	}
}

func (p *parser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// normalizeUTF8 replaces invalid UTF-8 bytes with U+FFFD (TiDB normalizeJSONUTF8).
func normalizeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

func (p *parser) array() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	defer func() { p.level-- }()
	p.i++
	n := node{typ: TypeArray, depth: 1}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		n.children = append(n.children, v)
		n.depth = max(n.depth, v.depth+1)
		p.skipSpace()
		if p.i >= len(p.s) {
			return node{}, p.errf("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return n, nil
		default:
			return node{}, p.errf("expected ',' or ']'")
		}
	}
}

func (p *parser) object() (node, error) {
	if err := p.enter(); err != nil {
		return node{}, err
	}
	defer func() { p.level-- }()
	p.i++
	n := node{typ: TypeObject, depth: 1}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return node{}, p.errf("expected object key")
		}
		keyAt := p.i
		k, err := p.str()
		if err != nil {
			return node{}, err
		}
		if len(k) > math.MaxUint16 {
			return node{}, fmt.Errorf("parse JSON at offset %d: %w", keyAt, ErrKeyTooLong)
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return node{}, p.errf("expected ':'")
		}
		p.i++
		v, err := p.value()
		if err != nil {
			return node{}, err
		}
		n.keys = append(n.keys, k)
		n.children = append(n.children, v)
		n.depth = max(n.depth, v.depth+1)
		p.skipSpace()
		if p.i >= len(p.s) {
			return node{}, p.errf("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			sortDedup(&n)
			return n, nil
		default:
			return node{}, p.errf("expected ',' or '}'")
		}
	}
}

// sortDedup sorts members by key bytes; of duplicate keys the last written wins.
func sortDedup(n *node) {
	idx := make([]int, len(n.keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case n.keys[a] < n.keys[b]:
			return -1
		case n.keys[a] > n.keys[b]:
			return 1
		}
		return 0
	})
	keys := make([]string, 0, len(idx))
	children := make([]node, 0, len(idx))
	for j, i := range idx {
		if j+1 < len(idx) && n.keys[idx[j+1]] == n.keys[i] {
			continue // a later duplicate follows
		}
		keys = append(keys, n.keys[i])
		children = append(children, n.children[i])
	}
	n.keys, n.children = keys, children
}

// appendBody appends the body of n (without its type code).
func (n *node) appendBody(dst []byte) []byte {
	if n.raw {
		return append(dst, n.body...)
	}
	switch n.typ {
	case TypeArray, TypeObject:
	default:
		return append(dst, n.body...)
	}
	start := len(dst)
	count := len(n.children)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(count))
	dst = binary.LittleEndian.AppendUint32(dst, 0) // size, patched below
	keyEntries := len(dst)
	if n.typ == TypeObject {
		dst = append(dst, make([]byte, count*keyEntrySize)...)
	}
	valEntries := len(dst)
	dst = append(dst, make([]byte, count*valEntrySize)...)
	if n.typ == TypeObject {
		for i, k := range n.keys {
			e := keyEntries + i*keyEntrySize
			binary.LittleEndian.PutUint32(dst[e:], uint32(len(dst)-start))
			binary.LittleEndian.PutUint16(dst[e+4:], uint16(len(k)))
			dst = append(dst, k...)
		}
	}
	for i := range n.children {
		c := &n.children[i]
		e := valEntries + i*valEntrySize
		dst[e] = c.typ
		if c.typ == TypeLiteral {
			dst[e+1] = c.body[0]
			continue
		}
		binary.LittleEndian.PutUint32(dst[e+1:], uint32(len(dst)-start))
		dst = c.appendBody(dst)
	}
	binary.LittleEndian.PutUint32(dst[start+4:], uint32(len(dst)-start))
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
