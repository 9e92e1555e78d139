package genexpr

import (
	"fmt"

	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
)

// JSON functions that build documents (pkg/expression/builtin_json.go):
// JSON_SET, JSON_INSERT, JSON_REPLACE, JSON_ARRAY_APPEND, JSON_MERGE_PATCH
// and JSON_SEARCH. Value arguments are SQL values made JSON as
// JSON_OBJECT does (a string stays a JSON string: TiDB disables the
// parse-JSON flag for them); document arguments are parsed.
func init() {
	register(map[string]funcDef{
		"json_set":          {3, -1, jsonModifyFn(jsonbin.ModifySet)},
		"json_insert":       {3, -1, jsonModifyFn(jsonbin.ModifyInsert)},
		"json_replace":      {3, -1, jsonModifyFn(jsonbin.ModifyReplace)},
		"json_array_append": {3, -1, fnJSONArrayAppend},
		"json_merge_patch":  {2, -1, fnJSONMergePatch},
		"json_search":       {3, -1, fnJSONSearch},
	})
	// TiDB checks these pair counts when it builds the function
	// (ErrIncorrectParameterCount): a document then path/value pairs.
	argCountRules["json_set"] = oddArgs
	argCountRules["json_insert"] = oddArgs
	argCountRules["json_replace"] = oddArgs
	argCountRules["json_array_append"] = oddArgs
}

func oddArgs(n int) bool { return n%2 == 1 }

func jsonErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %v", ErrEval, err)
}

// jsonModifyFn is JSON_SET / JSON_INSERT / JSON_REPLACE (TiDB's
// jsonModify): NULL document or path gives NULL, a NULL value is JSON null,
// a wildcard path is an error, and so is a result nested too deep.
func jsonModifyFn(mode jsonbin.ModifyMode) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		doc, err := jsonDoc(a[0])
		if err != nil {
			return Null, err
		}
		n := (len(a) - 1) / 2
		paths := make([]jsonbin.Path, 0, n)
		vals := make([][]byte, 0, n)
		for i := 1; i+1 < len(a); i += 2 {
			if a[i].IsNull() {
				return Null, nil
			}
			p, err := jsonPath(a[i])
			if err != nil {
				return Null, err
			}
			paths = append(paths, p)
			vals = append(vals, toJSONValue(a[i+1]))
		}
		out, err := jsonbin.Modify(doc, paths, vals, mode)
		if err != nil {
			return Null, jsonErr(err)
		}
		return JSONValue(out), nil
	}
}

// fnJSONArrayAppend is JSON_ARRAY_APPEND(doc, path, val[, path, val]...):
// the pairs apply left to right; a NULL path makes the result NULL.
func fnJSONArrayAppend(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	doc, err := jsonDoc(a[0])
	if err != nil {
		return Null, err
	}
	for i := 1; i+1 < len(a); i += 2 {
		if a[i].IsNull() {
			return Null, nil
		}
		p, err := jsonPath(a[i])
		if err != nil {
			return Null, err
		}
		if doc, err = jsonbin.ArrayAppend(doc, p, toJSONValue(a[i+1])); err != nil {
			return Null, jsonErr(err)
		}
	}
	return JSONValue(doc), nil
}

// strictJSONDoc is a document argument of a function that accepts only
// JSON or strings (TiDB's verifyJSONArgsType: "Invalid data type for JSON
// data in argument N to function F; a JSON string or JSON type is
// required.").
func strictJSONDoc(v Value, arg int, fn string) ([]byte, error) {
	if v.Kind != KindJSON && v.Kind != KindString {
		return nil, fmt.Errorf("%w: invalid data type for JSON data in argument %d to function %s; a JSON string or JSON type is required", ErrEval, arg, fn)
	}
	return jsonDoc(v)
}

// fnJSONMergePatch is JSON_MERGE_PATCH (RFC 7396 as
// types.MergePatchBinaryJSON): NULL arguments take part (a NULL patch
// makes NULL, unless a later non-object argument replaces it).
func fnJSONMergePatch(_ *evalCtx, a []Value) (Value, error) {
	docs := make([][]byte, len(a))
	for i, v := range a {
		if v.IsNull() {
			continue
		}
		d, err := strictJSONDoc(v, i+1, "json_merge_patch")
		if err != nil {
			return Null, err
		}
		docs[i] = d
	}
	out, err := jsonbin.MergePatch(docs)
	if err != nil {
		return Null, jsonErr(err)
	}
	if out == nil {
		return Null, nil
	}
	return JSONValue(out), nil
}

// fnJSONSearch is JSON_SEARCH(doc, 'one'|'all', search_str[, escape_char[,
// path]...]) as TiDB's builtinJSONSearchSig: search_str is a LIKE pattern
// matched case-sensitively against string values; one path gives a JSON
// string, several a JSON array, none NULL.
func fnJSONSearch(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() || a[1].IsNull() {
		return Null, nil
	}
	doc, err := strictJSONDoc(a[0], 1, "json_search")
	if err != nil {
		return Null, err
	}
	var one bool
	switch mode := string(toText(a[1])); {
	case equalFoldASCII(mode, "one"):
		one = true
	case equalFoldASCII(mode, "all"):
	default:
		return Null, fmt.Errorf("%w: the oneOrAll argument to json_search may take these values: 'one' or 'all'", ErrEval)
	}
	if a[2].IsNull() {
		return Null, nil
	}
	pattern := []rune(string(toText(a[2])))
	esc := '\\'
	if len(a) >= 4 && !a[3].IsNull() {
		switch e := toText(a[3]); len(e) {
		case 0:
		case 1:
			esc = rune(e[0])
		default:
			return Null, fmt.Errorf("%w: incorrect arguments to ESCAPE", ErrEval)
		}
	}
	var paths []jsonbin.Path
	for _, pv := range a[min(len(a), 4):] {
		if pv.IsNull() {
			return Null, nil
		}
		p, err := jsonPath(pv)
		if err != nil {
			return Null, err
		}
		paths = append(paths, p)
	}
	exact := func(x, y rune) bool { return x == y }
	match := func(s []byte) bool { return likeRunes([]rune(string(s)), pattern, esc, exact) }
	found, err := jsonbin.Search(doc, one, match, paths)
	if err != nil {
		return Null, jsonErr(err)
	}
	switch len(found) {
	case 0:
		return Null, nil
	case 1:
		return JSONValue(jsonbin.FromString(found[0])), nil
	}
	return JSONValue(jsonArrayOf(found)), nil
}
