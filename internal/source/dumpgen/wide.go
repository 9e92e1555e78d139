package dumpgen

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// wideDef covers TiDB's column types, with NULLs in every nullable column,
// a unique index (c_bigint: a bijection of id, so unique, NULL allowed) and
// a composite index.
var wideDef = &tableDef{
	name: "wide",
	columns: []string{"id", "c_tinyint", "c_utinyint", "c_smallint", "c_usmallint",
		"c_mediumint", "c_umediumint", "c_int", "c_uint", "c_bigint", "c_ubigint",
		"c_decimal", "c_float", "c_double", "c_date", "c_datetime", "c_timestamp",
		"c_time", "c_year", "c_char", "c_varchar", "c_text", "c_blob", "c_binary",
		"c_enum", "c_set", "c_bit", "c_json"},
	create: "CREATE TABLE `wide` (\n" +
		"  `id` bigint NOT NULL,\n" +
		"  `c_tinyint` tinyint DEFAULT NULL,\n" +
		"  `c_utinyint` tinyint unsigned DEFAULT NULL,\n" +
		"  `c_smallint` smallint DEFAULT NULL,\n" +
		"  `c_usmallint` smallint unsigned DEFAULT NULL,\n" +
		"  `c_mediumint` mediumint DEFAULT NULL,\n" +
		"  `c_umediumint` mediumint unsigned DEFAULT NULL,\n" +
		"  `c_int` int DEFAULT NULL,\n" +
		"  `c_uint` int unsigned DEFAULT NULL,\n" +
		"  `c_bigint` bigint DEFAULT NULL,\n" +
		"  `c_ubigint` bigint unsigned DEFAULT NULL,\n" +
		"  `c_decimal` decimal(20,6) DEFAULT NULL,\n" +
		"  `c_float` float DEFAULT NULL,\n" +
		"  `c_double` double DEFAULT NULL,\n" +
		"  `c_date` date DEFAULT NULL,\n" +
		"  `c_datetime` datetime(6) DEFAULT NULL,\n" +
		"  `c_timestamp` timestamp NULL DEFAULT NULL,\n" +
		"  `c_time` time(3) DEFAULT NULL,\n" +
		"  `c_year` year(4) DEFAULT NULL,\n" +
		"  `c_char` char(32) DEFAULT NULL,\n" +
		"  `c_varchar` varchar(255) DEFAULT NULL,\n" +
		"  `c_text` text DEFAULT NULL,\n" +
		"  `c_blob` blob DEFAULT NULL,\n" +
		"  `c_binary` binary(8) DEFAULT NULL,\n" +
		"  `c_enum` enum('red','green','blue','x''y','绿色') DEFAULT NULL,\n" +
		"  `c_set` set('a','b','c','d') DEFAULT NULL,\n" +
		"  `c_bit` bit(10) DEFAULT NULL,\n" +
		"  `c_json` json DEFAULT NULL,\n" +
		"  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */,\n" +
		"  UNIQUE KEY `uk_bigint` (`c_bigint`),\n" +
		"  KEY `idx_varchar_date` (`c_varchar`,`c_date`)" + tableTail,
	avgRow:    900,
	newSource: func(rng *rand.Rand, _ int64) rowSource { return &wideSource{rng: rng} },
}

var (
	wideEnum = []string{"red", "green", "blue", "x'y", "绿色"}
	wideSet  = []string{"a", "b", "c", "d"}
	// wideWords mixes ASCII, Latin-1, CJK and emoji, and characters that
	// need escaping in SQL and CSV.
	wideWords = []string{"alpha", "beta", "gamma", "delta", "O'Brien", `say "hi"`,
		`C:\temp`, "naïve", "Ünïcödé", "数据库", "東京", "데이터", "🚀", "😀", "tab\there",
		"line\nbreak", "a,b", "100%", "_under_", "ß", "Ωmega", "x"}
)

type wideSource struct {
	rng *rand.Rand
	id  int64
}

// nullRate is the share of NULLs in each nullable column, in 1/100.
const nullRate = 5

// uniqueMix is an odd constant: multiplying by it is a bijection on 64-bit
// integers, so c_bigint stays unique while covering the whole range.
const uniqueMix = 0x9E3779B97F4A7C15

func (s *wideSource) next(r *row) {
	s.id++
	rng := s.rng
	r.int(s.id)
	nul := func() bool { return s.nul(r) }
	for _, bits := range [...]uint{8, 16, 24, 32} {
		s.signed(r, bits)
		s.unsigned(r, bits)
	}
	if !nul() {
		r.int(int64(uint64(s.id) * uniqueMix))
	}
	s.unsigned(r, 64)

	if !nul() { // decimal(20,6)
		st := r.begin()
		r.buf = appendDecimal(r.buf, rng, 20, 6, true)
		r.end(kindNumber, st)
	}
	if !nul() { // float: a float32 printed in its shortest form
		st := r.begin()
		f := float32((rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(12)-4)))
		r.buf = strconv.AppendFloat(r.buf, float64(f), 'g', -1, 32)
		r.end(kindNumber, st)
	}
	if !nul() { // double
		st := r.begin()
		f := (rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(60)-20))
		r.buf = strconv.AppendFloat(r.buf, f, 'g', -1, 64)
		r.end(kindNumber, st)
	}
	if !nul() { // date: 1000-01-01 .. 9999-12-31
		st := r.begin()
		r.buf = appendDate(r.buf, dateMin+rng.Int64N(dateMax-dateMin+1))
		r.end(kindString, st)
	}
	if !nul() { // datetime(6)
		st := r.begin()
		secs := dateMin*86400 + rng.Int64N((dateMax-dateMin+1)*86400)
		r.buf = appendDateTime(r.buf, secs, rng.Uint64N(1e6), 6)
		r.end(kindString, st)
	}
	if !nul() { // timestamp: 1971 .. 2037 keeps clear of the range ends in any time zone
		st := r.begin()
		r.buf = appendDateTime(r.buf, 365*86400+rng.Int64N(66*365*86400), 0, 0)
		r.end(kindString, st)
	}
	if !nul() { // time(3): -838:59:59.000 .. 838:59:59.000
		st := r.begin()
		ms := rng.Int64N(2*timeMaxMillis+1) - timeMaxMillis
		if ms < 0 {
			r.buf = append(r.buf, '-')
			ms = -ms
		}
		secs := uint64(ms / 1000)
		r.buf = appendClock(r.buf, secs/3600, secs/60%60, secs%60)
		r.buf = append(r.buf, '.')
		r.buf = appendPadded(r.buf, uint64(ms%1000), 3)
		r.end(kindString, st)
	}
	if !nul() { // year: 1901 .. 2155
		r.int(1901 + rng.Int64N(255))
	}
	if !nul() { // char(32), no trailing spaces (CHAR strips them)
		st := r.begin()
		r.buf = appendAlnum(r.buf, rng, rng.IntN(33))
		r.end(kindString, st)
	}
	if !nul() { // varchar(255)
		st := r.begin()
		r.buf = appendWords(r.buf, rng, wideWords, " ", rng.IntN(120), 255, 1<<20)
		r.end(kindString, st)
	}
	if !nul() { // text: at most 65535 bytes; keep rows small
		st := r.begin()
		r.buf = appendWords(r.buf, rng, wideWords, " ", rng.IntN(400), 1<<20, 2000)
		r.end(kindString, st)
	}
	if !nul() { // blob
		st := r.begin()
		r.buf = appendRandomBytes(r.buf, rng, rng.IntN(200))
		r.end(kindBytes, st)
	}
	if !nul() { // binary(8): always 8 bytes, as the server returns it padded
		st := r.begin()
		r.buf = appendRandomBytes(r.buf, rng, 8)
		r.end(kindBytes, st)
	}
	if !nul() {
		r.str(wideEnum[rng.IntN(len(wideEnum))])
	}
	if !nul() { // set: members in definition order, as MySQL prints them
		st := r.begin()
		mask := rng.IntN(1 << len(wideSet))
		first := true
		for i, m := range wideSet {
			if mask&(1<<i) != 0 {
				if !first {
					r.buf = append(r.buf, ',')
				}
				r.buf = append(r.buf, m...)
				first = false
			}
		}
		r.end(kindString, st)
	}
	if !nul() { // bit(10): 2 bytes big-endian, as the server returns it
		v := rng.Uint64N(1 << 10)
		st := r.begin()
		r.buf = append(r.buf, byte(v>>8), byte(v))
		r.end(kindBytes, st)
	}
	if !nul() {
		st := r.begin()
		r.buf = appendJSON(r.buf, rng, s.id)
		r.end(kindString, st)
	}
}

// nul writes NULL for nullRate percent of the calls and says whether it did.
func (s *wideSource) nul(r *row) bool {
	if s.rng.IntN(100) < nullRate {
		r.null()
		return true
	}
	return false
}

func (s *wideSource) signed(r *row, bits uint) {
	if s.nul(r) {
		return
	}
	lo := -int64(1) << (bits - 1)
	hi := int64(1)<<(bits-1) - 1
	r.int(edgeOrRandomInt(s.rng, lo, hi))
}

func (s *wideSource) unsigned(r *row, bits uint) {
	if s.nul(r) {
		return
	}
	hi := uint64(math.MaxUint64)
	if bits < 64 {
		hi = uint64(1)<<bits - 1
	}
	switch s.rng.IntN(20) {
	case 0:
		r.uint(0)
	case 1:
		r.uint(hi)
	default:
		if hi == math.MaxUint64 {
			r.uint(s.rng.Uint64())
		} else {
			r.uint(s.rng.Uint64N(hi + 1))
		}
	}
}

const (
	dateMin       = -354285 // 1000-01-01 in days since 1970-01-01
	dateMax       = 2932896 // 9999-12-31
	timeMaxMillis = (838*3600 + 59*60 + 59) * 1000
)

// edgeOrRandomInt returns lo, hi, 0 or -1 now and then and a uniform value
// in [lo, hi] otherwise.
func edgeOrRandomInt(rng *rand.Rand, lo, hi int64) int64 {
	switch rng.IntN(20) {
	case 0:
		return lo
	case 1:
		return hi
	case 2:
		return 0
	case 3:
		return -1
	}
	return lo + int64(rng.Uint64N(uint64(hi-lo)+1))
}

// appendJSON appends a JSON object in MySQL's text form (", " and ": "
// separators), with nested values and strings that need JSON escapes.
func appendJSON(dst []byte, rng *rand.Rand, id int64) []byte {
	dst = append(dst, `{"id": `...)
	dst = strconv.AppendInt(dst, id, 10)
	dst = append(dst, `, "name": `...)
	dst = appendJSONString(dst, wideWords[rng.IntN(len(wideWords))])
	dst = append(dst, `, "ok": `...)
	dst = strconv.AppendBool(dst, rng.IntN(2) == 0)
	dst = append(dst, `, "score": `...)
	dst = strconv.AppendInt(dst, rng.Int64N(2_000_000)-1_000_000, 10)
	dst = append(dst, `, "ratio": `...)
	dst = strconv.AppendFloat(dst, float64(rng.IntN(10000))/64, 'f', -1, 64)
	dst = append(dst, `, "tags": [`...)
	for i, n := 0, rng.IntN(4); i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendJSONString(dst, wideWords[rng.IntN(len(wideWords))])
	}
	dst = append(dst, `], "nested": {"k": null, "v": [1, 2.5, "x"]}}`...)
	return dst
}

// appendJSONString appends s as a JSON string: quote, backslash and
// control characters escaped, other characters (UTF-8) as they are.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
