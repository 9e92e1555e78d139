package genexpr

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
)

// JSON functions (pkg/expression/builtin_json.go).
func init() {
	register(map[string]funcDef{
		"json_extract":       {2, -1, fnJSONExtract},
		"json_unquote":       {1, 1, fnJSONUnquote},
		"json_type":          {1, 1, fnJSONType},
		"json_length":        {1, 2, fnJSONLength},
		"json_contains":      {2, 3, fnJSONContains},
		"json_keys":          {1, 2, fnJSONKeys},
		"json_contains_path": {3, -1, fnJSONContainsPath},
		"json_valid":         {1, 1, fnJSONValid},
		"json_object":        {0, -1, fnJSONObject},
		"json_array":         {0, -1, fnJSONArray},
		"json_quote":         {1, 1, fnJSONQuote},
		"json_memberof":      {2, 2, fnJSONMemberOf},
		"json_depth":         {1, 1, fnJSONDepth},
	})
}

// jsonDoc is a JSON document argument: JSON as is, a string parsed as JSON
// text (an error when it is not JSON, as in TiDB), other values converted.
func jsonDoc(v Value) ([]byte, error) {
	if v.Kind == KindString {
		bin, err := jsonbin.Parse(v.S, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid JSON text %q: %v", ErrEval, excerpt(v.S), err)
		}
		return bin, nil
	}
	return toJSONValue(v), nil
}

// toJSONValue is a SQL value as a JSON value inside JSON_OBJECT/JSON_ARRAY
// (expression.builtinCast*AsJSON): strings become JSON strings, booleans
// true/false, decimals doubles, temporals their text as strings.
func toJSONValue(v Value) []byte {
	switch v.Kind {
	case KindNull:
		return jsonbin.Null()
	case KindJSON:
		return v.S
	case KindInt:
		if v.Bool {
			return jsonbin.FromBool(v.I != 0)
		}
		return jsonbin.FromInt64(v.I)
	case KindUint:
		return jsonbin.FromUint64(v.U)
	case KindFloat:
		return jsonbin.FromFloat64(v.F)
	case KindDecimal:
		return jsonbin.FromFloat64(v.D.ToFloat64())
	}
	return jsonbin.FromString(string(v.AppendText(nil)))
}

func jsonPath(v Value) (jsonbin.Path, error) {
	p, err := jsonbin.ParsePath(string(toText(v)))
	if err != nil {
		return p, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return p, nil
}

func fnJSONExtract(_ *evalCtx, a []Value) (Value, error) {
	for _, v := range a {
		if v.IsNull() {
			return Null, nil
		}
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	paths := make([]jsonbin.Path, len(a)-1)
	for i, v := range a[1:] {
		if paths[i], err = jsonPath(v); err != nil {
			return Null, err
		}
	}
	res, found, err := jsonbin.Extract(doc, paths...)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	if !found {
		return Null, nil
	}
	return JSONValue(res), nil
}

func fnJSONUnquote(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	switch v.Kind {
	case KindNull:
		return Null, nil
	case KindJSON:
		s, err := jsonbin.Unquote(v.S)
		if err != nil {
			return Null, fmt.Errorf("%w: %v", ErrEval, err)
		}
		return Value{Kind: KindString, S: []byte(s), Coll: "utf8mb4_bin"}, nil
	}
	// A string argument: a quoted JSON string is unquoted, anything else
	// is returned unchanged (types.UnquoteString).
	s := toText(v)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		bin, err := jsonbin.Parse(s, nil)
		if err != nil {
			return Null, fmt.Errorf("%w: invalid JSON text %q: %v", ErrEval, excerpt(s), err)
		}
		u, err := jsonbin.Unquote(bin)
		if err != nil {
			return Null, fmt.Errorf("%w: %v", ErrEval, err)
		}
		return Value{Kind: KindString, S: []byte(u), Coll: "utf8mb4_bin"}, nil
	}
	return Value{Kind: KindString, S: append([]byte(nil), s...), Coll: "utf8mb4_bin"}, nil
}

func fnJSONType(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	return Value{Kind: KindString, S: []byte(jsonbin.Type(doc)), Coll: "utf8mb4_bin"}, nil
}

// atPath applies an optional path argument: found is false when the path
// matches nothing (the function then returns NULL).
func atPath(doc []byte, a []Value) (res []byte, found bool, err error) {
	if len(a) < 2 {
		return doc, true, nil
	}
	p, err := jsonPath(a[1])
	if err != nil {
		return nil, false, err
	}
	if p.HasWildcard() {
		return nil, false, fmt.Errorf("%w: path %s: wildcards are not allowed here", ErrEval, p.String())
	}
	res, found, err = jsonbin.Extract(doc, p)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return res, found, nil
}

func fnJSONLength(_ *evalCtx, a []Value) (Value, error) {
	for _, v := range a {
		if v.IsNull() {
			return Null, nil
		}
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	res, found, err := atPath(doc, a)
	if err != nil || !found {
		return Null, err
	}
	n, err := jsonbin.Length(res)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return IntValue(int64(n)), nil
}

func fnJSONKeys(_ *evalCtx, a []Value) (Value, error) {
	for _, v := range a {
		if v.IsNull() {
			return Null, nil
		}
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	res, found, err := atPath(doc, a)
	if err != nil || !found || len(res) == 0 || res[0] != jsonbin.TypeObject {
		return Null, err
	}
	keys, err := jsonbin.Keys(res)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return JSONValue(jsonArrayOf(keys)), nil
}

// jsonArrayOf builds a JSON array of strings through its text form.
func jsonArrayOf(items []string) []byte {
	text := []byte{'['}
	for i, k := range items {
		if i > 0 {
			text = append(text, ',')
		}
		text = strconv.AppendQuote(text, k)
	}
	text = append(text, ']')
	bin, err := jsonbin.Parse(text, nil)
	if err != nil {
		// strconv quoting of invalid UTF-8 may not be JSON: fall back per item.
		parts := make([][]byte, len(items))
		for i, k := range items {
			parts[i] = jsonbin.FromString(k)
		}
		if arr, err := buildArray(parts); err == nil {
			return arr
		}
		return jsonbin.Null()
	}
	return bin
}

func fnJSONContainsPath(_ *evalCtx, a []Value) (Value, error) {
	for _, v := range a {
		if v.IsNull() {
			return Null, nil
		}
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	mode := string(toText(a[1]))
	var all bool
	switch {
	case equalFoldASCII(mode, "one"):
	case equalFoldASCII(mode, "all"):
		all = true
	default:
		return Null, fmt.Errorf("%w: the oneOrAll argument to json_contains_path may take these values: 'one' or 'all'", ErrEval)
	}
	for _, pv := range a[2:] {
		p, err := jsonPath(pv)
		if err != nil {
			return Null, err
		}
		_, found, err := jsonbin.Extract(doc, p)
		if err != nil {
			return Null, fmt.Errorf("%w: %v", ErrEval, err)
		}
		if found && !all {
			return IntValue(1), nil
		}
		if !found && all {
			return IntValue(0), nil
		}
	}
	if all {
		return IntValue(1), nil
	}
	return IntValue(0), nil
}

func fnJSONValid(_ *evalCtx, a []Value) (Value, error) {
	v := a[0]
	switch v.Kind {
	case KindNull:
		return Null, nil
	case KindJSON:
		return IntValue(1), nil
	case KindString:
		_, err := jsonbin.Parse(v.S, nil)
		return boolValue(err == nil), nil
	}
	return IntValue(0), nil
}

func fnJSONObject(_ *evalCtx, a []Value) (Value, error) {
	if len(a)%2 != 0 {
		return Null, fmt.Errorf("%w: incorrect parameter count in the call to json_object", ErrEval)
	}
	type kv struct {
		k string
		v []byte
	}
	m := map[string][]byte{}
	for i := 0; i < len(a); i += 2 {
		if a[i].IsNull() {
			return Null, fmt.Errorf("%w: JSON documents may not contain NULL member names", ErrEval)
		}
		m[string(toText(a[i]))] = toJSONValue(a[i+1])
	}
	items := make([]kv, 0, len(m))
	for k, v := range m {
		items = append(items, kv{k, v})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].k < items[j].k })
	// Build through text: the parser sorts keys and lays the binary out.
	text := []byte{'{'}
	for i, it := range items {
		if i > 0 {
			text = append(text, ',')
		}
		kt, _ := jsonbin.ToText(jsonbin.FromString(it.k), nil)
		text = append(text, kt...)
		text = append(text, ':')
		vt, err := jsonbin.ToText(it.v, nil)
		if err != nil {
			return Null, fmt.Errorf("%w: %v", ErrEval, err)
		}
		text = append(text, vt...)
	}
	text = append(text, '}')
	bin, err := jsonbin.Parse(text, nil)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return JSONValue(bin), nil
}

func fnJSONArray(_ *evalCtx, a []Value) (Value, error) {
	parts := make([][]byte, len(a))
	for i, v := range a {
		parts[i] = toJSONValue(v)
	}
	arr, err := buildArray(parts)
	if err != nil {
		return Null, err
	}
	return JSONValue(arr), nil
}

// buildArray builds a JSON array from binary elements through text; an
// array nested too deep is TiDB's ErrJSONDocumentTooDeep
// (CreateBinaryJSONWithCheck).
func buildArray(parts [][]byte) ([]byte, error) {
	text := []byte{'['}
	for i, p := range parts {
		if i > 0 {
			text = append(text, ',')
		}
		t, err := jsonbin.ToText(p, nil)
		if err != nil {
			t = []byte("null")
		}
		text = append(text, t...)
	}
	text = append(text, ']')
	bin, err := jsonbin.Parse(text, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return bin, nil
}

func fnJSONQuote(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	t, err := jsonbin.ToText(jsonbin.FromString(string(toText(a[0]))), nil)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return Value{Kind: KindString, S: t, Coll: "utf8mb4_bin"}, nil
}

// fnJSONMemberOf is value MEMBER OF(array): a scalar equal to an element
// (a non-array target is compared as a whole).
func fnJSONMemberOf(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() || a[1].IsNull() {
		return Null, nil
	}
	target, err := jsonDoc(a[1])
	if err != nil {
		return Null, err
	}
	needle := JSONValue(toJSONValue(a[0]))
	if len(target) > 0 && target[0] == jsonbin.TypeArray {
		n, err := jsonbin.Length(target)
		if err != nil {
			return Null, fmt.Errorf("%w: %v", ErrEval, err)
		}
		for i := 0; i < n; i++ {
			p, err := jsonbin.ParsePath(fmt.Sprintf("$[%d]", i))
			if err != nil {
				return Null, err
			}
			el, found, err := jsonbin.Extract(target, p)
			if err != nil || !found {
				continue
			}
			if compareJSON(needle, JSONValue(el)) == 0 && sameJSONClass(needle.S, el) {
				return boolValue(true), nil
			}
		}
		return boolValue(false), nil
	}
	return boolValue(compareJSON(needle, JSONValue(target)) == 0 && sameJSONClass(needle.S, target)), nil
}

func sameJSONClass(a, b []byte) bool {
	if isJSONNumber(a) && isJSONNumber(b) {
		return true
	}
	return len(a) > 0 && len(b) > 0 && a[0] == b[0]
}

func fnJSONDepth(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	return IntValue(int64(jsonDepth(doc))), nil
}

func jsonDepth(doc []byte) int {
	if len(doc) == 0 || (doc[0] != jsonbin.TypeArray && doc[0] != jsonbin.TypeObject) {
		return 1
	}
	n, err := jsonbin.Length(doc)
	if err != nil || n == 0 {
		return 1
	}
	best := 0
	if doc[0] == jsonbin.TypeArray {
		for i := 0; i < n; i++ {
			p, _ := jsonbin.ParsePath(fmt.Sprintf("$[%d]", i))
			el, _, _ := jsonbin.Extract(doc, p)
			if d := jsonDepth(el); d > best {
				best = d
			}
		}
	} else {
		keys, _ := jsonbin.Keys(doc)
		for _, k := range keys {
			p, err := jsonbin.ParsePath("$." + strconv.Quote(k))
			if err != nil {
				continue
			}
			el, _, _ := jsonbin.Extract(doc, p)
			if d := jsonDepth(el); d > best {
				best = d
			}
		}
	}
	return 1 + best
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// fnJSONContains is JSON_CONTAINS(target, candidate[, path]): 1 if the
// document (at path) contains candidate (jsonbin.Contains); NULL if an
// argument is NULL or the path selects nothing.
func fnJSONContains(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	cand, err := jsonDoc(a[1])
	if err != nil {
		return Null, err
	}
	if len(a) == 3 {
		var found bool
		if doc, found, err = atPath(doc, []Value{a[0], a[2]}); err != nil || !found {
			return Null, err
		}
	}
	ok, err := jsonbin.Contains(doc, cand)
	if err != nil {
		return Null, fmt.Errorf("%w: %v", ErrEval, err)
	}
	return boolValue(ok), nil
}
