package jsonbin

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// Document-building functions of TiDB's binary JSON (pkg/types/
// json_binary_modify.go, json_binary_functions.go): JSON_SET/INSERT/REPLACE,
// JSON_ARRAY_APPEND, JSON_MERGE_PATCH and the walk behind JSON_SEARCH. They
// decode the document into a tree of nodes, change it and lay it out again.

// ModifyMode selects the JSON_SET, JSON_INSERT or JSON_REPLACE rule.
type ModifyMode int

// The modify modes (types.JSONModifyType).
const (
	// ModifySet replaces an existing value and inserts a missing one.
	ModifySet ModifyMode = iota
	// ModifyInsert only inserts missing values.
	ModifyInsert
	// ModifyReplace only replaces existing values.
	ModifyReplace
)

// ErrPathWildcard is TiDB's ErrInvalidJSONPathMultipleSelection: a path
// that changes a document must name one value.
var ErrPathWildcard = errors.New("in this situation, path expressions may not contain the * and ** tokens or an array range")

// Depth returns JSON_DEPTH of a document (types.BinaryJSON.GetElemDepth): a
// scalar or an empty container is 1, a container one more than its deepest
// member.
func Depth(bin []byte) (int, error) {
	v, err := split(bin)
	if err != nil {
		return 0, err
	}
	return depthOf(v, 0)
}

func depthOf(v value, level int) (int, error) {
	if v.typ != TypeArray && v.typ != TypeObject {
		return 1, nil
	}
	if level > 2*(MaxDepth+2) {
		return 0, corrupt("nesting")
	}
	n, err := v.count()
	if err != nil {
		return 0, err
	}
	best := 0
	for i := range n {
		e, err := v.elem(i, n)
		if err != nil {
			return 0, err
		}
		d, err := depthOf(e, level+1)
		if err != nil {
			return 0, err
		}
		best = max(best, d)
	}
	return best + 1, nil
}

// CheckDepth is TiDB's rule for every document it builds
// (CreateBinaryJSONWithCheck, BinaryJSON.Modify): GetElemDepth()-1 may not
// exceed MaxDepth, so 101 nested arrays are accepted and 102 are not.
func CheckDepth(bin []byte) error {
	d, err := Depth(bin)
	if err != nil {
		return err
	}
	if d-1 > MaxDepth {
		return fmt.Errorf("depth %d: %w", d-1, ErrTooDeep)
	}
	return nil
}

// decode turns a binary value into a node tree whose scalars keep their
// encoded bodies.
func decode(bin []byte) (node, error) {
	v, err := split(bin)
	if err != nil {
		return node{}, err
	}
	return decodeValue(v, 0)
}

func decodeValue(v value, level int) (node, error) {
	if v.typ != TypeArray && v.typ != TypeObject {
		size, err := bodySize(v.typ, v.body)
		if err != nil {
			return node{}, err
		}
		return node{typ: v.typ, body: v.body[:size]}, nil
	}
	if level > 2*(MaxDepth+2) {
		return node{}, corrupt("nesting")
	}
	n, err := v.count()
	if err != nil {
		return node{}, err
	}
	out := node{typ: v.typ, children: make([]node, 0, n)}
	for i := range n {
		if v.typ == TypeObject {
			k, err := v.key(i, n)
			if err != nil {
				return node{}, err
			}
			out.keys = append(out.keys, string(k))
		}
		e, err := v.elem(i, n)
		if err != nil {
			return node{}, err
		}
		c, err := decodeValue(e, level+1)
		if err != nil {
			return node{}, err
		}
		out.children = append(out.children, c)
	}
	return out, nil
}

func (n *node) encode() []byte {
	return n.appendBody([]byte{n.typ})
}

func (n *node) keyIndex(k string) int {
	for i, mk := range n.keys {
		if mk == k {
			return i
		}
	}
	return -1
}

// locate returns the value a path without wildcards names, nil if none:
// [0] and [last] of a non-array name the value itself (TiDB's extractTo).
func locate(n *node, legs []leg) *node {
	for _, l := range legs {
		switch l.kind {
		case legKey:
			if n.typ != TypeObject {
				return nil
			}
			i := n.keyIndex(l.key)
			if i < 0 {
				return nil
			}
			n = &n.children[i]
		case legIndex:
			if n.typ != TypeArray {
				if l.index == 0 {
					continue
				}
				return nil
			}
			i := l.index
			if l.fromLast {
				i = len(n.children) - 1 - l.index
			}
			if i < 0 || i >= len(n.children) {
				return nil
			}
			n = &n.children[i]
		default:
			return nil
		}
	}
	return n
}

// insertKey adds a member to an object, keeping the keys in byte order.
func (n *node) insertKey(k string, v node) {
	i, _ := slices.BinarySearchFunc(n.keys, k, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	n.keys = slices.Insert(n.keys, i, k)
	n.children = slices.Insert(n.children, i, v)
}

// Modify is JSON_SET, JSON_INSERT or JSON_REPLACE (types.BinaryJSON.Modify):
// each path/value pair applies in turn to the result of the previous one. A
// missing value is inserted when its parent exists: a key into an object,
// an array cell appended to an array (a non-array parent is first wrapped
// in one). The result must respect the depth limit.
func Modify(bin []byte, paths []Path, vals [][]byte, mode ModifyMode) ([]byte, error) {
	if len(paths) != len(vals) {
		return nil, fmt.Errorf("%d paths for %d values", len(paths), len(vals))
	}
	for _, p := range paths {
		if p.HasWildcard() {
			return nil, fmt.Errorf("path %s: %w", p.text, ErrPathWildcard)
		}
	}
	root, err := decode(bin)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		nv, err := decode(vals[i])
		if err != nil {
			return nil, err
		}
		if target := locate(&root, p.legs); target != nil {
			if mode != ModifyInsert {
				*target = nv
			}
			continue
		}
		if mode == ModifyReplace || len(p.legs) == 0 {
			continue
		}
		parent := locate(&root, p.legs[:len(p.legs)-1])
		if parent == nil {
			continue
		}
		switch last := p.legs[len(p.legs)-1]; last.kind {
		case legIndex:
			if parent.typ != TypeArray {
				*parent = node{typ: TypeArray, children: []node{*parent, nv}}
			} else {
				parent.children = append(parent.children, nv)
			}
		case legKey:
			if parent.typ == TypeObject {
				parent.insertKey(last.key, nv)
			}
		}
	}
	out := root.encode()
	if err := CheckDepth(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ArrayAppend is one path/value step of JSON_ARRAY_APPEND (TiDB's
// builtinJSONArrayAppendSig.appendJSONArray): the value becomes the last
// element of the array the path names; a non-array there is first wrapped
// in an array; a path that names nothing leaves the document unchanged.
func ArrayAppend(bin []byte, p Path, val []byte) ([]byte, error) {
	if p.HasWildcard() {
		return nil, fmt.Errorf("path %s: %w", p.text, ErrPathWildcard)
	}
	root, err := decode(bin)
	if err != nil {
		return nil, err
	}
	nv, err := decode(val)
	if err != nil {
		return nil, err
	}
	target := locate(&root, p.legs)
	if target == nil {
		return bin, nil
	}
	if target.typ == TypeArray {
		target.children = append(target.children, nv)
	} else {
		*target = node{typ: TypeArray, children: []node{*target, nv}}
	}
	out := root.encode()
	if err := CheckDepth(out); err != nil {
		return nil, err
	}
	return out, nil
}

// MergePatch is JSON_MERGE_PATCH (RFC 7396, types.MergePatchBinaryJSON);
// a nil document is SQL NULL and so is a nil result. Merging starts at the
// last argument that is not an object: everything before it is replaced.
func MergePatch(docs [][]byte) ([]byte, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	start := 0
	for i := len(docs) - 1; i >= 0; i-- {
		if docs[i] == nil || docs[i][0] != TypeObject {
			start = i
			break
		}
	}
	nodes := make([]*node, 0, len(docs)-start)
	for _, d := range docs[start:] {
		if d == nil {
			nodes = append(nodes, nil)
			continue
		}
		n, err := decode(d)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, &n)
	}
	target := nodes[0]
	for _, patch := range nodes[1:] {
		target = mergePatch(target, patch)
	}
	if target == nil {
		return nil, nil
	}
	return target.encode(), nil
}

func mergePatch(target, patch *node) *node {
	if patch == nil {
		return nil
	}
	if patch.typ != TypeObject {
		return patch
	}
	if target == nil {
		return nil
	}
	out := &node{typ: TypeObject}
	if target.typ == TypeObject {
		out.keys = slices.Clone(target.keys)
		out.children = slices.Clone(target.children)
	}
	for i, k := range patch.keys {
		pv := &patch.children[i]
		j := out.keyIndex(k)
		if pv.typ == TypeLiteral && len(pv.body) == 1 && pv.body[0] == LiteralNull {
			if j >= 0 {
				out.keys = slices.Delete(out.keys, j, j+1)
				out.children = slices.Delete(out.children, j, j+1)
			}
			continue
		}
		// A member the target lacks merges into a non-object, which makes
		// an object patch drop its null members (as TiDB passes an empty
		// BinaryJSON there).
		var cur node
		if j >= 0 {
			cur = out.children[j]
		}
		merged := *mergePatch(&cur, pv)
		if j >= 0 {
			out.children[j] = merged
		} else {
			out.insertKey(k, merged)
		}
	}
	return out
}

// Search walks the document as JSON_SEARCH does (types.BinaryJSON.Search
// and Walk) and returns the paths of the string values match accepts, in
// document order, each once; with one set it stops at the first. Without
// paths the whole document is searched; with paths, each value they select
// and everything below it ([0] does not select a non-array here).
func Search(bin []byte, one bool, match func([]byte) bool, paths []Path) ([]string, error) {
	root, err := split(bin)
	if err != nil {
		return nil, err
	}
	s := searcher{one: one, match: match, seen: map[string]bool{}}
	if len(paths) == 0 {
		_, err := s.walk(root, "$", 0)
		return s.found, err
	}
	for _, p := range paths {
		stop, err := s.select_(root, p.legs, "$", 0)
		if err != nil || stop {
			return s.found, err
		}
	}
	return s.found, nil
}

type searcher struct {
	one   bool
	match func([]byte) bool
	seen  map[string]bool
	found []string
}

// walk visits v (at path) and every value below it.
func (s *searcher) walk(v value, path string, level int) (bool, error) {
	if level > 2*(MaxDepth+2) {
		return true, corrupt("nesting")
	}
	if s.seen[path] {
		return false, nil
	}
	s.seen[path] = true
	if v.typ == TypeString {
		str, err := Unquote(append([]byte{v.typ}, v.body...))
		if err != nil {
			return true, err
		}
		if s.match([]byte(str)) {
			s.found = append(s.found, path)
			if s.one {
				return true, nil
			}
		}
		return false, nil
	}
	return eachChild(v, path, func(e value, sub string) (bool, error) { return s.walk(e, sub, level+1) })
}

// eachChild calls fn with every element or member of v (an array or an
// object; nothing for a scalar) and its path, until fn says stop.
func eachChild(v value, path string, fn func(e value, sub string) (bool, error)) (bool, error) {
	if v.typ != TypeArray && v.typ != TypeObject {
		return false, nil
	}
	n, err := v.count()
	if err != nil {
		return true, err
	}
	for i := range n {
		sub, err := childPath(v, path, i, n)
		if err != nil {
			return true, err
		}
		e, err := v.elem(i, n)
		if err != nil {
			return true, err
		}
		if stop, err := fn(e, sub); stop || err != nil {
			return stop, err
		}
	}
	return false, nil
}

func childPath(v value, path string, i, n int) (string, error) {
	if v.typ == TypeArray {
		return fmt.Sprintf("%s[%d]", path, i), nil
	}
	k, err := v.key(i, n)
	if err != nil {
		return "", err
	}
	return path + "." + pathKey(string(k)), nil
}

// pathKey is a key as TiDB prints it in a path (quoteJSONString): bare
// when it is an identifier, else a JSON string.
func pathKey(k string) string {
	if k != "" && validIdentifier(k) {
		return k
	}
	return string(appendQuoted(nil, []byte(k)))
}

// select_ follows legs from v (TiDB's extractToCallback) and walks what
// they select.
func (s *searcher) select_(v value, legs []leg, path string, level int) (bool, error) {
	if level > 2*(MaxDepth+2) {
		return true, corrupt("nesting")
	}
	if len(legs) == 0 {
		return s.walk(v, path, level)
	}
	l, rest := legs[0], legs[1:]
	switch l.kind {
	case legIndex, legIndexAny:
		if v.typ != TypeArray {
			return false, nil
		}
		n, err := v.count()
		if err != nil {
			return true, err
		}
		for i := range n {
			if !l.selects(i, n) {
				continue
			}
			e, err := v.elem(i, n)
			if err != nil {
				return true, err
			}
			if stop, err := s.select_(e, rest, fmt.Sprintf("%s[%d]", path, i), level+1); stop || err != nil {
				return stop, err
			}
		}
	case legKey, legKeyAny:
		if v.typ != TypeObject {
			return false, nil
		}
		n, err := v.count()
		if err != nil {
			return true, err
		}
		for i := range n {
			k, err := v.key(i, n)
			if err != nil {
				return true, err
			}
			if l.kind == legKey && string(k) != l.key {
				continue
			}
			e, err := v.elem(i, n)
			if err != nil {
				return true, err
			}
			if stop, err := s.select_(e, rest, path+"."+pathKey(string(k)), level+1); stop || err != nil {
				return stop, err
			}
		}
	case legDeep:
		if stop, err := s.select_(v, rest, path, level+1); stop || err != nil {
			return stop, err
		}
		return eachChild(v, path, func(e value, sub string) (bool, error) { return s.select_(e, legs, sub, level+1) })
	}
	return false, nil
}
