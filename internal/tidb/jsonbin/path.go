package jsonbin

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadPath reports an invalid JSON path expression.
var ErrBadPath = errors.New("invalid JSON path expression")

type legKind int

const (
	legKey      legKind = iota // .key or ."key"
	legKeyAny                  // .*
	legIndex                   // [n] or [last] / [last-n]
	legIndexAny                // [*]
	legDeep                    // **
)

type leg struct {
	kind     legKind
	key      string
	index    int  // for legIndex
	fromLast bool // index counts back from the last element
}

// selects reports whether the leg selects element i of n: any element for
// [*], the indexed one (counted from the end for [last-k]) for [n].
func (l leg) selects(i, n int) bool {
	if l.kind != legIndex {
		return true
	}
	if l.fromLast {
		return i == n-1-l.index
	}
	return i == l.index
}

// Path is a parsed MySQL JSON path ($, .key, ."quoted key", .*, [n],
// [last], [last-n], [*], **), TiDB pkg/types/json_path_expr.go.
type Path struct {
	legs []leg
	text string
}

// String returns the path text as given.
func (p Path) String() string { return p.text }

// HasWildcard reports whether the path can match several values.
func (p Path) HasWildcard() bool {
	for _, l := range p.legs {
		if l.kind == legKeyAny || l.kind == legIndexAny || l.kind == legDeep {
			return true
		}
	}
	return false
}

// ParsePath parses a MySQL JSON path expression.
func ParsePath(expr string) (Path, error) {
	bad := func(at int, msg string) (Path, error) {
		return Path{}, fmt.Errorf("path %q at %d: %s: %w", expr, at, msg, ErrBadPath)
	}
	s := expr
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	skip()
	if i >= len(s) || s[i] != '$' {
		return bad(i, "must start with $")
	}
	i++
	p := Path{text: expr}
	for {
		skip()
		if i >= len(s) {
			break
		}
		switch {
		case s[i] == '.':
			i++
			skip()
			if i >= len(s) {
				return bad(i, "missing key")
			}
			switch {
			case s[i] == '*':
				i++
				p.legs = append(p.legs, leg{kind: legKeyAny})
			case s[i] == '"':
				j := i + 1
				for j < len(s) && s[j] != '"' {
					if s[j] == '\\' {
						j++
					}
					j++
				}
				if j >= len(s) {
					return bad(i, "unterminated quoted key")
				}
				var sp parser
				sp.s = []byte(s[i : j+1])
				k, err := sp.str()
				if err != nil {
					return bad(i, "bad quoted key")
				}
				p.legs = append(p.legs, leg{kind: legKey, key: k})
				i = j + 1
			default:
				j := i
				for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != '*' && s[j] != ' ' && s[j] != '\t' {
					j++
				}
				key := s[i:j]
				if key == "" || !validIdentifier(key) {
					return bad(i, "bad key")
				}
				p.legs = append(p.legs, leg{kind: legKey, key: key})
				i = j
			}
		case s[i] == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return bad(i, "unterminated [")
			}
			inner := strings.TrimSpace(s[i+1 : i+j])
			switch {
			case inner == "*":
				p.legs = append(p.legs, leg{kind: legIndexAny})
			case inner == "last":
				p.legs = append(p.legs, leg{kind: legIndex, fromLast: true})
			case strings.HasPrefix(inner, "last"):
				rest := strings.TrimSpace(inner[4:])
				if !strings.HasPrefix(rest, "-") {
					return bad(i, "bad index")
				}
				n, err := strconv.Atoi(strings.TrimSpace(rest[1:]))
				if err != nil || n < 0 {
					return bad(i, "bad index")
				}
				p.legs = append(p.legs, leg{kind: legIndex, index: n, fromLast: true})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return bad(i, "bad index")
				}
				p.legs = append(p.legs, leg{kind: legIndex, index: n})
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "**"):
			i += 2
			p.legs = append(p.legs, leg{kind: legDeep})
		default:
			return bad(i, "unexpected character")
		}
	}
	if n := len(p.legs); n > 0 && p.legs[n-1].kind == legDeep {
		return bad(len(s), "path may not end with **")
	}
	return p, nil
}

// validIdentifier accepts an ECMAScript-like identifier (unquoted keys).
func validIdentifier(k string) bool {
	for i, r := range k {
		switch {
		case r == '_' || r == '$' || r >= 0x80:
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Extract implements JSON_EXTRACT(bin, paths...): a single path without
// wildcards returns the value itself; several paths or a wildcard wrap all
// matches in an array. found is false when nothing matched.
func Extract(bin []byte, paths ...Path) (result []byte, found bool, err error) {
	root, err := split(bin)
	if err != nil {
		return nil, false, err
	}
	var matches []value
	for _, p := range paths {
		if matches, err = walk(root, p.legs, matches); err != nil {
			return nil, false, err
		}
	}
	if len(matches) == 0 {
		return nil, false, nil
	}
	if len(paths) == 1 && !paths[0].HasWildcard() {
		m := matches[0]
		return append([]byte{m.typ}, m.body...), true, nil
	}
	return buildArray(matches), true, nil
}

func walk(v value, legs []leg, out []value) ([]value, error) {
	return walkAt(v, legs, out, 0)
}

// walkAt bounds recursion: a corrupt offset can make a container contain itself.
func walkAt(v value, legs []leg, out []value, level int) ([]value, error) {
	if level > 2*(MaxDepth+2) {
		return out, corrupt("nesting")
	}
	if len(legs) == 0 {
		return append(out, v), nil
	}
	l, rest := legs[0], legs[1:]
	switch l.kind {
	case legKey, legKeyAny:
		if v.typ != TypeObject {
			return out, nil
		}
		n, err := v.count()
		if err != nil {
			return out, err
		}
		for i := 0; i < n; i++ {
			if l.kind == legKey {
				k, err := v.key(i, n)
				if err != nil {
					return out, err
				}
				if string(k) != l.key {
					continue
				}
			}
			e, err := v.elem(i, n)
			if err != nil {
				return out, err
			}
			if out, err = walkAt(e, rest, out, level+1); err != nil {
				return out, err
			}
		}
		return out, nil
	case legIndex, legIndexAny:
		if v.typ != TypeArray {
			// MySQL auto-wraps a scalar/object as a one-element array for [0]/[last].
			if l.kind == legIndexAny || l.index != 0 {
				return out, nil
			}
			return walkAt(v, rest, out, level+1)
		}
		n, err := v.count()
		if err != nil {
			return out, err
		}
		for i := 0; i < n; i++ {
			if !l.selects(i, n) {
				continue
			}
			e, err := v.elem(i, n)
			if err != nil {
				return out, err
			}
			if out, err = walkAt(e, rest, out, level+1); err != nil {
				return out, err
			}
		}
		return out, nil
	case legDeep:
		// ** matches v itself and every descendant, then the rest applies.
		var err error
		if out, err = walkAt(v, rest, out, level+1); err != nil {
			return out, err
		}
		if v.typ != TypeArray && v.typ != TypeObject {
			return out, nil
		}
		n, err := v.count()
		if err != nil {
			return out, err
		}
		for i := 0; i < n; i++ {
			e, err := v.elem(i, n)
			if err != nil {
				return out, err
			}
			if out, err = walkAt(e, legs, out, level+1); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return out, nil
}
