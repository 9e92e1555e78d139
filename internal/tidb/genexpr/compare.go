package genexpr

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

var binaryOps = map[opcode.Op]evalFn{
	opcode.Plus:       fnPlus,
	opcode.Minus:      fnMinus,
	opcode.Mul:        fnMul,
	opcode.Div:        fnDivide,
	opcode.IntDiv:     fnIntDiv,
	opcode.Mod:        fnMod,
	opcode.EQ:         cmpFn(func(r int) bool { return r == 0 }),
	opcode.NE:         cmpFn(func(r int) bool { return r != 0 }),
	opcode.LT:         cmpFn(func(r int) bool { return r < 0 }),
	opcode.LE:         cmpFn(func(r int) bool { return r <= 0 }),
	opcode.GT:         cmpFn(func(r int) bool { return r > 0 }),
	opcode.GE:         cmpFn(func(r int) bool { return r >= 0 }),
	opcode.NullEQ:     fnNullEQ,
	opcode.LogicXor:   fnXor,
	opcode.And:        bitOp(func(x, y uint64) uint64 { return x & y }),
	opcode.Or:         bitOp(func(x, y uint64) uint64 { return x | y }),
	opcode.Xor:        bitOp(func(x, y uint64) uint64 { return x ^ y }),
	opcode.LeftShift:  bitOp(shl),
	opcode.RightShift: bitOp(shr),
}

func cmpFn(ok func(int) bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		r, null := compareValues(a[0], a[1])
		if null {
			return Null, nil
		}
		return boolValue(ok(r)), nil
	}
}

func fnNullEQ(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() || a[1].IsNull() {
		return boolValue(a[0].IsNull() && a[1].IsNull()), nil
	}
	r, _ := compareValues(a[0], a[1])
	return boolValue(r == 0), nil
}

func fnXor(c *evalCtx, a []Value) (Value, error) {
	x, xn := truth(c, a[0])
	y, yn := truth(c, a[1])
	if xn || yn {
		return Null, nil
	}
	return boolValue(x != y), nil
}

func fnNot(c *evalCtx, a []Value) (Value, error) {
	t, null := truth(c, a[0])
	if null {
		return Null, nil
	}
	return boolValue(!t), nil
}

func isNullFn(not bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		return boolValue(a[0].IsNull() != not), nil
	}
}

// isTruthFn is IS [NOT] TRUE / IS [NOT] FALSE: never NULL.
func isTruthFn(wantTrue, not bool) evalFn {
	return func(c *evalCtx, a []Value) (Value, error) {
		t, null := truth(c, a[0])
		r := !null && t == wantTrue
		return boolValue(r != not), nil
	}
}

func inFn(not bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		sawNull := false
		for _, e := range a[1:] {
			r, null := compareValues(a[0], e)
			if null {
				sawNull = true
				continue
			}
			if r == 0 {
				return boolValue(!not), nil
			}
		}
		if sawNull {
			return Null, nil
		}
		return boolValue(not), nil
	}
}

func betweenFn(not bool) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		lo, lnull := compareValues(a[0], a[1])
		hi, hnull := compareValues(a[0], a[2])
		// x BETWEEN l AND r is x >= l AND x <= r with three-valued logic.
		geFalse := !lnull && lo < 0
		leFalse := !hnull && hi > 0
		if geFalse || leFalse {
			return boolValue(not), nil
		}
		if lnull || hnull {
			return Null, nil
		}
		return boolValue(!not), nil
	}
}

// compareValues compares two operands as MySQL does
// (pkg/expression/builtin_compare.go GetCmpTp4MinMax / getBaseCmpType):
// strings as strings under their collation, temporals as temporals
// (a string operand is parsed), integers as integers, decimals as decimals,
// anything else as doubles. null reports a NULL operand.
func compareValues(a, b Value) (r int, null bool) {
	if a.IsNull() || b.IsNull() {
		return 0, true
	}
	ak, bk := a.Kind, b.Kind
	switch {
	case ak == KindJSON || bk == KindJSON:
		return compareJSON(a, b), false
	case ak == KindString && bk == KindString && !(a.HasNum && b.HasNum):
		return compareStrings(a, b), false
	case ak == KindTime && bk == KindTime:
		return a.T.Compare(b.T), false
	case ak == KindDuration && bk == KindDuration:
		return cmpInt64(a.I, b.I), false
	case ak == KindTime && bk == KindString, ak == KindString && bk == KindTime:
		x, y := a, b
		if ak == KindString {
			x, y = b, a
		}
		t, ok := toTime(&evalCtx{}, y)
		if !ok {
			break
		}
		r := x.T.Compare(t.T)
		if ak == KindString {
			r = -r
		}
		return r, false
	case ak == KindDuration && bk == KindString, ak == KindString && bk == KindDuration:
		x, y := a, b
		if ak == KindString {
			x, y = b, a
		}
		ns, _, ok := toDuration(y)
		if !ok {
			break
		}
		r := cmpInt64(x.I, ns)
		if ak == KindString {
			r = -r
		}
		return r, false
	}
	ca, cb := classOf(a), classOf(b)
	if a.Kind == KindTime || a.Kind == KindDuration || b.Kind == KindTime || b.Kind == KindDuration {
		// A temporal against a number compares as numbers (decimal keeps
		// the fraction exact).
		return mydecimal.Compare(toDecimal(a), toDecimal(b)), false
	}
	switch {
	case ca == clsInt && cb == clsInt:
		x, xu := intOperand(a)
		y, yu := intOperand(b)
		return cmpIntU(x, xu, y, yu), false
	case ca != clsReal && cb != clsReal:
		return mydecimal.Compare(toDecimal(a), toDecimal(b)), false
	}
	x, y := toFloat(a), toFloat(b)
	switch {
	case x < y:
		return -1, false
	case x > y:
		return 1, false
	}
	return 0, false
}

func cmpInt64(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func cmpIntU(x int64, xu bool, y int64, yu bool) int {
	switch {
	case xu && yu:
		ux, uy := uint64(x), uint64(y)
		if ux < uy {
			return -1
		} else if ux > uy {
			return 1
		}
		return 0
	case xu:
		if y < 0 || uint64(x) > 1<<63-1 {
			return 1
		}
		return cmpInt64(x, y)
	case yu:
		return -cmpIntU(y, yu, x, xu)
	}
	return cmpInt64(x, y)
}

// collationOf picks the collation of a comparison: a binary string makes
// it binary; a column's collation (implicit) wins over a literal's
// (coercible); two literals use the connection collation utf8mb4_bin.
func collationOf(a, b Value) string {
	if a.Binary || b.Binary {
		return "binary"
	}
	if a.Coll != "" {
		return a.Coll
	}
	if b.Coll != "" {
		return b.Coll
	}
	return "utf8mb4_bin"
}

func compareStrings(a, b Value) int {
	coll := collationOf(a, b)
	if coll == "binary" {
		return bytes.Compare(a.S, b.S)
	}
	c, _ := collate.Get(coll)
	return collate.Compare(c, a.S, b.S)
}

func compareJSON(a, b Value) int {
	// TiDB compares JSON by type precedence then value
	// (types.CompareBinaryJSON); we cover the common scalar cases:
	// numbers numerically, strings bytewise, otherwise the text forms.
	ja, jb := toJSONValue(a), toJSONValue(b)
	na, nb := isJSONNumber(ja), isJSONNumber(jb)
	if na && nb {
		x, y := jsonToFloat(ja), jsonToFloat(jb)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if len(ja) > 0 && len(jb) > 0 && ja[0] == jsonbin.TypeString && jb[0] == jsonbin.TypeString {
		sa, _ := jsonbin.Unquote(ja)
		sb, _ := jsonbin.Unquote(jb)
		return strings.Compare(sa, sb)
	}
	ta, _ := jsonbin.ToText(ja, nil)
	tb, _ := jsonbin.ToText(jb, nil)
	return bytes.Compare(ta, tb)
}

func isJSONNumber(bin []byte) bool {
	return len(bin) > 0 && (bin[0] == jsonbin.TypeInt64 || bin[0] == jsonbin.TypeUint64 || bin[0] == jsonbin.TypeFloat64)
}

// likeFn is [NOT] LIKE / ILIKE with an escape character. Under a _ci
// collation characters match when their collation weights are equal
// (TiDB's collator Pattern), under binary collations bytewise.
func likeFn(not, ilike bool, esc byte) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return Null, nil
		}
		s, p := toText(a[0]), toText(a[1])
		coll := collationOf(a[0], a[1])
		var eq func(x, y rune) bool
		switch {
		case ilike:
			eq = func(x, y rune) bool { return x == y || strings.EqualFold(string(x), string(y)) }
		case coll == "binary":
			return boolValue(likeBytes(s, p, esc) != not), nil
		case strings.HasSuffix(coll, "_ci"):
			c, _ := collate.Get(coll)
			eq = func(x, y rune) bool {
				if x == y {
					return true
				}
				kx := c.Key(nil, []byte(string(x)))
				ky := c.Key(nil, []byte(string(y)))
				return len(kx) > 0 && bytes.Equal(kx, ky)
			}
		default:
			eq = func(x, y rune) bool { return x == y }
		}
		return boolValue(likeRunes([]rune(string(s)), []rune(string(p)), rune(esc), eq) != not), nil
	}
}

// fnRegexpLike is REGEXP / REGEXP_LIKE(expr, pattern[, match_type]) as
// TiDB evaluates it (pkg/expression/builtin_regexp.go): Go's RE2 syntax,
// case-insensitive under a _ci collation, then match_type letters in
// order: c case-sensitive, i case-insensitive, m multi-line, s '.'
// matches newlines; any other letter, or an empty pattern, is an error.
func fnRegexpLike(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	var matchType []byte
	if len(a) > 2 {
		matchType = toText(a[2])
	}
	re, err := regexpFor(a[0], a[1], matchType)
	if err != nil {
		return Null, err
	}
	return boolValue(re.Match(toText(a[0]))), nil
}

// regexps caches compiled patterns: a generated column's pattern is
// usually a constant, evaluated for every row. Patterns taken from column
// values could be all different: the cache stops growing at
// maxCachedRegexps and those are compiled each time.
var (
	regexps       sync.Map
	cachedRegexps atomic.Int32
)

const maxCachedRegexps = 256

func compileRegexp(pat string) (*regexp.Regexp, error) {
	if re, ok := regexps.Load(pat); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, err
	}
	if cachedRegexps.Load() < maxCachedRegexps && cachedRegexps.Add(1) <= maxCachedRegexps {
		regexps.Store(pat, re)
	}
	return re, nil
}

func likeRunes(s, p []rune, esc rune, eq func(x, y rune) bool) bool {
	// Iterative wildcard match with backtracking on the last '%'.
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == '%':
				star, mark = pi, si
				pi++
				continue
			case c == '_':
				si++
				pi++
				continue
			case c == esc && pi+1 < len(p):
				if eq(s[si], p[pi+1]) {
					si++
					pi += 2
					continue
				}
			default:
				if eq(s[si], c) {
					si++
					pi++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark++
		si = mark
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

func likeBytes(s, p []byte, esc byte) bool {
	rs := make([]rune, len(s))
	for i, c := range s {
		rs[i] = rune(c)
	}
	rp := make([]rune, len(p))
	for i, c := range p {
		rp[i] = rune(c)
	}
	return likeRunes(rs, rp, rune(esc), func(x, y rune) bool { return x == y })
}

// Compare compares a and b as MySQL compares two operands (see
// compareValues); null reports that one of them is NULL.
func Compare(a, b Value) (r int, null bool) { return compareValues(a, b) }
