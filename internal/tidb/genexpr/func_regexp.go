package genexpr

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// REGEXP_SUBSTR, REGEXP_INSTR and REGEXP_REPLACE (pkg/expression/
// builtin_regexp.go): Go's RE2 syntax, case-insensitive under a _ci
// collation, match types as REGEXP_LIKE; positions count characters. TiDB
// refuses them on binary strings ("Not support binary collation so far").
func init() {
	register(map[string]funcDef{
		"regexp_substr":  {2, 5, fnRegexpSubstr},
		"regexp_instr":   {2, 6, fnRegexpInstr},
		"regexp_replace": {3, 6, fnRegexpReplace},
	})
}

// regexpFor compiles pat with the collation's case rule and match type.
func regexpFor(expr, pat Value, matchType []byte) (*regexp.Regexp, error) {
	ci := strings.HasSuffix(collationOf(expr, pat), "_ci")
	flags := map[byte]bool{'i': ci}
	for _, c := range matchType {
		switch c {
		case 'c':
			flags['i'] = false
		case 'i', 'm', 's':
			flags[c] = true
		default:
			return nil, fmt.Errorf("%w: regexp: invalid match type %q", ErrEval, c)
		}
	}
	prefix := ""
	for _, f := range []byte{'i', 'm', 's'} {
		if flags[f] {
			prefix += string(f)
		}
	}
	p := string(toText(pat))
	if p == "" {
		return nil, fmt.Errorf("%w: regexp: empty pattern is invalid", ErrEval)
	}
	if prefix != "" {
		p = "(?" + prefix + ")" + p
	}
	re, err := compileRegexp(p)
	if err != nil {
		return nil, fmt.Errorf("%w: regexp %q: %v", ErrEval, toText(pat), err)
	}
	return re, nil
}

var errRegexpIndex = fmt.Errorf("%w: index out of bounds in regular expression search", ErrEval)

// regexpArgs checks the common arguments: NULL anywhere gives NULL (ok
// false), a binary subject is refused, pos must name a character of the
// subject (1 is allowed on an empty one).
func regexpArgs(a []Value, posIdx int) (subject string, pos int64, ok bool, err error) {
	if anyNull(a) {
		return "", 0, false, nil
	}
	if a[0].Kind == KindString && a[0].Binary {
		return "", 0, false, fmt.Errorf("%w: regexp: not support binary collation so far", ErrEval)
	}
	subject = string(toText(a[0]))
	pos = 1
	if len(a) > posIdx {
		pos = toInt64(a[posIdx])
		n := int64(utf8.RuneCountInString(subject))
		if (pos < 1 || pos > n) && !(n == 0 && pos == 1) {
			return "", 0, false, errRegexpIndex
		}
	}
	return subject, pos, true, nil
}

// charOffset is the byte offset of 1-based character pos.
func charOffset(s string, pos int64) int {
	off := 0
	for n := int64(1); n < pos && off < len(s); n++ {
		_, sz := utf8.DecodeRuneInString(s[off:])
		off += sz
	}
	return off
}

func optArg(a []Value, i int) []byte {
	if len(a) > i {
		return toText(a[i])
	}
	return nil
}

// fnRegexpSubstr is REGEXP_SUBSTR(expr, pat[, pos[, occurrence[,
// match_type]]]): the occurrence-th match (1 when below 1) searching from
// pos, NULL when there is none.
func fnRegexpSubstr(_ *evalCtx, a []Value) (Value, error) {
	s, pos, ok, err := regexpArgs(a, 2)
	if !ok || err != nil {
		return Null, err
	}
	occ := int64(1)
	if len(a) > 3 {
		occ = max(toInt64(a[3]), 1)
	}
	re, err := regexpFor(a[0], a[1], optArg(a, 4))
	if err != nil {
		return Null, err
	}
	m := re.FindAllString(s[charOffset(s, pos):], -1)
	if int64(len(m)) < occ {
		return Null, nil
	}
	return strResult([]byte(m[occ-1]), a[0]), nil
}

// fnRegexpInstr is REGEXP_INSTR(expr, pat[, pos[, occurrence[,
// return_option[, match_type]]]]): the character position of the match's
// start (return_option 0) or of the character after it (1); 0 when none.
func fnRegexpInstr(_ *evalCtx, a []Value) (Value, error) {
	s, pos, ok, err := regexpArgs(a, 2)
	if !ok || err != nil {
		return Null, err
	}
	occ := int64(1)
	if len(a) > 3 {
		occ = max(toInt64(a[3]), 1)
	}
	retOpt := int64(0)
	if len(a) > 4 {
		if retOpt = toInt64(a[4]); retOpt != 0 && retOpt != 1 {
			return Null, fmt.Errorf("%w: incorrect arguments to regexp_instr: return_option must be 1 or 0", ErrEval)
		}
	}
	re, err := regexpFor(a[0], a[1], optArg(a, 5))
	if err != nil {
		return Null, err
	}
	rest := s[charOffset(s, pos):]
	m := re.FindAllStringIndex(rest, -1)
	if int64(len(m)) < occ {
		return IntValue(0), nil
	}
	at := m[occ-1][retOpt]
	return IntValue(int64(utf8.RuneCountInString(rest[:at])) + pos), nil
}

// fnRegexpReplace is REGEXP_REPLACE(expr, pat, repl[, pos[, occurrence[,
// match_type]]]): occurrence 0 (the default) replaces every match from pos
// on, n>0 only the n-th (a negative one counts as 1). In repl, \N inserts
// group N and \x is x (TiDB's getInstructions).
func fnRegexpReplace(_ *evalCtx, a []Value) (Value, error) {
	s, pos, ok, err := regexpArgs(a, 3)
	if !ok || err != nil {
		return Null, err
	}
	occ := int64(0)
	if len(a) > 4 {
		if occ = toInt64(a[4]); occ < 0 {
			occ = 1
		}
	}
	re, err := regexpFor(a[0], a[1], optArg(a, 5))
	if err != nil {
		return Null, err
	}
	repl := toText(a[2])
	start := charOffset(s, pos)
	rest := s[start:]
	out := []byte(s[:start])
	limit := -1
	if occ > 0 {
		limit = int(min(occ, int64(len(rest))+1))
	}
	matches := re.FindAllStringSubmatchIndex(rest, limit)
	if occ > 0 {
		if int64(len(matches)) < occ {
			return strResult(append(out, rest...), a[0]), nil
		}
		matches = matches[occ-1 : occ]
	}
	last := 0
	for _, m := range matches {
		out = append(out, rest[last:m[0]]...)
		if out, err = appendReplacement(out, repl, rest, m); err != nil {
			return Null, err
		}
		last = m[1]
	}
	out = append(out, rest[last:]...)
	return strResult(out, a[0]), nil
}

func appendReplacement(dst, repl []byte, s string, m []int) ([]byte, error) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(repl) {
			break // a trailing backslash is dropped
		}
		i++
		c = repl[i]
		if c < '0' || c > '9' {
			dst = append(dst, c)
			continue
		}
		g := int(c - '0')
		if 2*g+1 >= len(m) {
			return nil, fmt.Errorf("%w: substitution number is out of range", ErrEval)
		}
		if m[2*g] >= 0 {
			dst = append(dst, s[m[2*g]:m[2*g+1]]...)
		}
	}
	return dst, nil
}
