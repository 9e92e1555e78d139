package genexpr

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// String functions (pkg/expression/builtin_string.go). Positions and
// lengths count characters for non-binary strings and bytes for binary
// ones, as TiDB's *UTF8Sig and plain Sig variants do.
func init() {
	register(map[string]funcDef{
		"concat":           {1, -1, fnConcat},
		"to_base64":        {1, 1, fnToBase64},
		"regexp_like":      {2, 3, fnRegexpLike},
		"ord":              {1, 1, fnOrd},
		"concat_ws":        {2, -1, fnConcatWS},
		"substring":        {2, 3, fnSubstring},
		"substr":           {2, 3, fnSubstring},
		"mid":              {3, 3, fnSubstring},
		"left":             {2, 2, fnLeft},
		"right":            {2, 2, fnRight},
		"upper":            {1, 1, caseFn(strings.ToUpper)},
		"ucase":            {1, 1, caseFn(strings.ToUpper)},
		"lower":            {1, 1, caseFn(strings.ToLower)},
		"lcase":            {1, 1, caseFn(strings.ToLower)},
		"length":           {1, 1, fnLength},
		"octet_length":     {1, 1, fnLength},
		"char_length":      {1, 1, fnCharLength},
		"character_length": {1, 1, fnCharLength},
		"bit_length":       {1, 1, fnBitLength},
		"trim":             {1, 3, fnTrim},
		"ltrim":            {1, 1, fnLTrim},
		"rtrim":            {1, 1, fnRTrim},
		"replace":          {3, 3, fnReplace},
		"reverse":          {1, 1, fnReverse},
		"lpad":             {3, 3, padFn(true)},
		"rpad":             {3, 3, padFn(false)},
		"instr":            {2, 2, fnInstr},
		"locate":           {2, 3, fnLocate},
		"position":         {2, 2, fnLocate},
		"repeat":           {2, 2, fnRepeat},
		"space":            {1, 1, fnSpace},
		"md5":              {1, 1, fnMD5},
		"sha1":             {1, 1, fnSHA1},
		"sha":              {1, 1, fnSHA1},
		"sha2":             {2, 2, fnSHA2},
		"crc32":            {1, 1, fnCRC32},
		"hex":              {1, 1, fnHex},
		"unhex":            {1, 1, fnUnhex},
		"substring_index":  {3, 3, fnSubstringIndex},
		"elt":              {2, -1, fnElt},
		"field":            {2, -1, fnField},
		"format":           {2, 3, fnFormat},
		"ascii":            {1, 1, fnASCII},
		"strcmp":           {2, 2, fnStrcmp},
		"convert":          {2, 2, fnConvertUsing},
		"bin":              {1, 1, fnBin},
		"oct":              {1, 1, fnOct},
		"insert":           {4, 4, fnInsert},
		"insert_func":      {4, 4, fnInsert},
	})
}

// strResult is a string result that keeps the binary-ness and collation
// of the arguments it derives from.
func strResult(s []byte, from ...Value) Value {
	v := Value{Kind: KindString, S: s}
	for _, a := range from {
		if a.Kind == KindString && a.Binary {
			v.Binary, v.Coll = true, "binary"
			return v
		}
		if a.Kind == KindString && v.Coll == "" {
			v.Coll = a.Coll
		}
	}
	return v
}

func anyNull(a []Value) bool {
	for _, v := range a {
		if v.IsNull() {
			return true
		}
	}
	return false
}

// chars splits a string into characters, or bytes for a binary string.
type chars struct {
	s      []byte
	binary bool
}

func charsOf(v Value) chars { return chars{s: toText(v), binary: v.Kind == KindString && v.Binary} }

func (c chars) count() int {
	if c.binary {
		return len(c.s)
	}
	return utf8.RuneCount(c.s)
}

// offset returns the byte offset of character i (clamped to the end).
func (c chars) offset(i int) int {
	if i <= 0 {
		return 0
	}
	if c.binary {
		if i > len(c.s) {
			return len(c.s)
		}
		return i
	}
	off := 0
	for n := 0; n < i && off < len(c.s); n++ {
		_, sz := utf8.DecodeRune(c.s[off:])
		off += sz
	}
	return off
}

// slice returns characters [from, to).
func (c chars) slice(from, to int) []byte {
	if from < 0 {
		from = 0
	}
	if to <= from {
		return []byte{}
	}
	a := c.offset(from)
	b := c.offset(to)
	return append([]byte(nil), c.s[a:b]...)
}

func fnConcat(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	var out []byte
	for _, v := range a {
		out = append(out, toText(v)...)
	}
	if out == nil {
		out = []byte{}
	}
	return strResult(out, a...), nil
}

func fnConcatWS(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	sep := toText(a[0])
	out := []byte{}
	first := true
	for _, v := range a[1:] {
		if v.IsNull() {
			continue
		}
		if !first {
			out = append(out, sep...)
		}
		first = false
		out = append(out, toText(v)...)
	}
	return strResult(out, a...), nil
}

func fnSubstring(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	c := charsOf(a[0])
	n := c.count()
	pos := toInt64(a[1])
	length := int64(n) + 1
	if len(a) == 3 {
		length = toInt64(a[2])
	}
	var from int64
	switch {
	case pos > 0:
		from = pos - 1
	case pos < 0:
		from = int64(n) + pos
		if from < 0 {
			return strResult([]byte{}, a[0]), nil
		}
	default:
		return strResult([]byte{}, a[0]), nil
	}
	if length <= 0 || from >= int64(n) {
		return strResult([]byte{}, a[0]), nil
	}
	to := from + length
	if to > int64(n) || to < from {
		to = int64(n)
	}
	return strResult(c.slice(int(from), int(to)), a[0]), nil
}

func fnLeft(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	c := charsOf(a[0])
	n := toInt64(a[1])
	if n > int64(c.count()) {
		n = int64(c.count())
	}
	return strResult(c.slice(0, int(max(n, 0))), a[0]), nil
}

func fnRight(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	c := charsOf(a[0])
	total := int64(c.count())
	n := toInt64(a[1])
	if n <= 0 {
		return strResult([]byte{}, a[0]), nil
	}
	if n > total {
		n = total
	}
	return strResult(c.slice(int(total-n), int(total)), a[0]), nil
}

func caseFn(f func(string) string) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		if a[0].Kind == KindString && a[0].Binary {
			// UPPER/LOWER leave binary strings unchanged.
			return a[0], nil
		}
		return strResult([]byte(f(string(toText(a[0])))), a[0]), nil
	}
}

func fnLength(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return IntValue(int64(len(toText(a[0])))), nil
}

func fnBitLength(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return IntValue(int64(len(toText(a[0]))) * 8), nil
}

func fnCharLength(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return IntValue(int64(charsOf(a[0]).count())), nil
}

// The trim directions of ast.TrimDirectionType.
const (
	trimBothDefault = 0
	trimBoth        = 1
	trimLeading     = 2
	trimTrailing    = 3
)

func fnTrim(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	s := toText(a[0])
	rem := []byte(" ")
	dir := int64(trimBothDefault)
	if len(a) >= 2 {
		if a[1].IsNull() {
			return Null, nil
		}
		rem = toText(a[1])
	}
	if len(a) == 3 {
		dir = toInt64(a[2])
	}
	if len(rem) > 0 {
		if dir != trimTrailing {
			for bytes.HasPrefix(s, rem) {
				s = s[len(rem):]
			}
		}
		if dir != trimLeading {
			for bytes.HasSuffix(s, rem) {
				s = s[:len(s)-len(rem)]
			}
		}
	}
	return strResult(append([]byte{}, s...), a[0]), nil
}

func fnLTrim(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return strResult(append([]byte{}, bytes.TrimLeft(toText(a[0]), " ")...), a[0]), nil
}

func fnRTrim(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return strResult(append([]byte{}, bytes.TrimRight(toText(a[0]), " ")...), a[0]), nil
}

func fnReplace(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	s, from, to := toText(a[0]), toText(a[1]), toText(a[2])
	if len(from) == 0 {
		return strResult(append([]byte{}, s...), a...), nil
	}
	return strResult(bytes.ReplaceAll(s, from, to), a...), nil
}

func fnReverse(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	c := charsOf(a[0])
	out := make([]byte, 0, len(c.s))
	if c.binary {
		for i := len(c.s) - 1; i >= 0; i-- {
			out = append(out, c.s[i])
		}
	} else {
		for i := len(c.s); i > 0; {
			_, sz := utf8.DecodeLastRune(c.s[:i])
			out = append(out, c.s[i-sz:i]...)
			i -= sz
		}
	}
	return strResult(out, a[0]), nil
}

// maxPadLength bounds LPAD/RPAD/REPEAT results like max_allowed_packet
// (64 MiB): MySQL returns NULL beyond it.
const maxPadLength = 64 << 20

func padFn(left bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if anyNull(a) {
			return Null, nil
		}
		c := charsOf(a[0])
		n := toInt64(a[1])
		if n < 0 || n > maxPadLength {
			return Null, nil
		}
		cur := int64(c.count())
		if n <= cur {
			return strResult(c.slice(0, int(n)), a[0], a[2]), nil
		}
		pad := charsOf(a[2])
		pc := int64(pad.count())
		if pc == 0 {
			return Null, nil
		}
		need := n - cur
		rep := bytes.Repeat(pad.s, int(need/pc)+1)
		fill := chars{s: rep, binary: pad.binary}.slice(0, int(need))
		var out []byte
		if left {
			out = append(fill, c.s...)
		} else {
			out = append(append([]byte{}, c.s...), fill...)
		}
		return strResult(out, a[0], a[2]), nil
	}
}

// index finds sub in s from character position start (0-based) and
// returns the 1-based character position, 0 when absent. Under a _ci
// collation the search ignores case.
func index(s, sub Value, start int) int64 {
	c := charsOf(s)
	hay, needle := c.s, toText(sub)
	ci := !c.binary && !sub.Binary && strings.HasSuffix(collationOf(s, sub), "_ci")
	off := c.offset(start)
	if start > c.count() {
		return 0
	}
	var i int
	if ci {
		i = strings.Index(strings.ToLower(string(hay[off:])), strings.ToLower(string(needle)))
		if i >= 0 {
			// Map the lower-cased byte index back by counting characters.
			return int64(start + utf8.RuneCountInString(strings.ToLower(string(hay[off:]))[:i]) + 1)
		}
		return 0
	}
	i = bytes.Index(hay[off:], needle)
	if i < 0 {
		return 0
	}
	if c.binary {
		return int64(off + i + 1)
	}
	return int64(start + utf8.RuneCount(hay[off:off+i]) + 1)
}

func fnInstr(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	return IntValue(index(a[0], a[1], 0)), nil
}

func fnLocate(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	start := int64(0)
	if len(a) == 3 {
		start = toInt64(a[2]) - 1
		if start < 0 {
			return IntValue(0), nil
		}
		if start > int64(charsOf(a[1]).count()) {
			return IntValue(0), nil
		}
	}
	return IntValue(index(a[1], a[0], int(start))), nil
}

func fnRepeat(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	s := toText(a[0])
	n := toInt64(a[1])
	if n <= 0 || len(s) == 0 {
		return strResult([]byte{}, a[0]), nil
	}
	if int64(len(s))*n > maxPadLength || n > maxPadLength {
		return Null, nil
	}
	return strResult(bytes.Repeat(s, int(n)), a[0]), nil
}

func fnSpace(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	n := toInt64(a[0])
	if n > maxPadLength {
		return Null, nil
	}
	if n < 0 {
		n = 0
	}
	return StringValue(strings.Repeat(" ", int(n))), nil
}

func fnSubstringIndex(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	s, delim := toText(a[0]), toText(a[1])
	count := toInt64(a[2])
	if len(delim) == 0 || count == 0 {
		return strResult([]byte{}, a[0]), nil
	}
	parts := bytes.Split(s, delim)
	n := int64(len(parts))
	var out []byte
	switch {
	case count > 0:
		if count >= n {
			out = s
		} else {
			out = bytes.Join(parts[:count], delim)
		}
	default:
		if -count >= n {
			out = s
		} else {
			out = bytes.Join(parts[n+count:], delim)
		}
	}
	return strResult(append([]byte{}, out...), a[0]), nil
}

func fnElt(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	n := toInt64(a[0])
	if n < 1 || n >= int64(len(a)) {
		return Null, nil
	}
	v := a[n]
	if v.IsNull() {
		return Null, nil
	}
	return strResult(toText(v), v), nil
}

// fnField is FIELD(x, a, b, ...): the 1-based index of the first equal
// argument, compared as strings when all are strings, else as doubles.
func fnField(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return IntValue(0), nil
	}
	allStr := true
	for _, v := range a {
		if !v.IsNull() && v.Kind != KindString {
			allStr = false
		}
	}
	for i, v := range a[1:] {
		if v.IsNull() {
			continue
		}
		var eq bool
		if allStr {
			eq = compareStrings(a[0], v) == 0
		} else {
			eq = toFloat(a[0]) == toFloat(v)
		}
		if eq {
			return IntValue(int64(i + 1)), nil
		}
	}
	return IntValue(0), nil
}

func fnStrcmp(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	x, y := a[0], a[1]
	if x.Kind != KindString {
		x = StringValue(string(toText(x)))
	}
	if y.Kind != KindString {
		y = StringValue(string(toText(y)))
	}
	return IntValue(int64(compareStrings(x, y))), nil
}

// fnInsert is INSERT(str, pos, len, newstr).
func fnInsert(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	c := charsOf(a[0])
	n := int64(c.count())
	pos, length := toInt64(a[1]), toInt64(a[2])
	if pos < 1 || pos > n {
		return strResult(append([]byte{}, c.s...), a[0], a[3]), nil
	}
	end := pos - 1 + length
	if length < 0 || end > n || end < pos-1 {
		end = n
	}
	out := append(c.slice(0, int(pos-1)), toText(a[3])...)
	out = append(out, c.slice(int(end), int(n))...)
	return strResult(out, a[0], a[3]), nil
}
