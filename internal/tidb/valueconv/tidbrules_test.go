package valueconv

import (
	"errors"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// The tests in this file hold each family of column types to the values
// TiDB stores for a dump value (Lightning hands quoted values over as
// strings, unquoted integers as integers; table.CastValue casts them). Each
// case names the TiDB function whose rule gives the value. Not strict
// (TiDB Lightning's default sql-mode), a value TiDB adjusts is stored
// adjusted with one warning; strict, the same value is an error naming
// the column, and a value TiDB stores without a warning is the same in
// both modes.

const rulesSchema = `create table t (
 ti tinyint, tu tinyint unsigned, i int, iu int unsigned, bi bigint, bu bigint unsigned,
 d double, f float, f2 float(7,3), fu double unsigned,
 dec1 decimal(6,2), du decimal(5,1) unsigned,
 dt datetime, da date, ts timestamp, tm time, y year,
 c char(3), vc varchar(4), tx tinytext, l1 varchar(1) charset latin1, asc1 varchar(4) charset ascii,
 u3 varchar(3) charset utf8, g varchar(2) charset gbk,
 bn binary(4), vb varbinary(3), bl tinyblob,
 b bit(10), b64 bit(64), e enum('a','b'), st set('p','q'), j json)`

type ruleCase struct {
	col  string
	in   literal.Field
	want string // the value stored when not strict, in MySQL's text form
	warn bool   // adjusted: a warning when not strict, an error when strict
	mode sqlmode.Mode
	rule string
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		var warned []string
		loose := convFor(t, rulesSchema, Session{Mode: tc.mode, Loc: time.UTC,
			Warn: func(col string, err error) { warned = append(warned, col) }})
		strict := convFor(t, rulesSchema, Session{Mode: tc.mode | sqlmode.StrictAll, Loc: time.UTC})
		col := loose.Table().Column(tc.col)
		if col == nil {
			t.Fatalf("no column %s", tc.col)
		}
		var d datum.Datum
		if err := loose.Convert(col.Offset, tc.in, &d); err != nil {
			t.Errorf("%s %q (%s): not strict: %v", tc.col, tc.in.Bytes, tc.rule, err)
			continue
		}
		if got := string(FormatText(col, &d, time.UTC, nil)); got != tc.want {
			t.Errorf("%s %q (%s): stored %q, want %q", tc.col, tc.in.Bytes, tc.rule, got, tc.want)
		}
		if tc.warn && (len(warned) != 1 || warned[0] != tc.col) {
			t.Errorf("%s %q (%s): warnings for %q, want one for %s", tc.col, tc.in.Bytes, tc.rule, warned, tc.col)
		}
		if !tc.warn && len(warned) != 0 {
			t.Errorf("%s %q (%s): unexpected warnings for %q", tc.col, tc.in.Bytes, tc.rule, warned)
		}
		var sd datum.Datum
		err := strict.Convert(col.Offset, tc.in, &sd)
		if tc.warn {
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Column != tc.col {
				t.Errorf("%s %q (%s): strict: err %v, want an error naming the column", tc.col, tc.in.Bytes, tc.rule, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q (%s): strict: %v", tc.col, tc.in.Bytes, tc.rule, err)
		} else if got := string(FormatText(col, &sd, time.UTC, nil)); got != tc.want {
			t.Errorf("%s %q (%s): strict stored %q, want %q", tc.col, tc.in.Bytes, tc.rule, got, tc.want)
		}
	}
}

func TestTiDBIntegerRules(t *testing.T) {
	const (
		strToInt  = "types.StrToInt: getValidFloatPrefix + floatStrToIntStr"
		strToUint = "types.StrToUint"
		intToInt  = "types.ConvertIntToInt"
	)
	runRuleCases(t, []ruleCase{
		{col: "ti", in: str("NaN"), want: "0", warn: true, rule: strToInt},
		{col: "ti", in: str("abc"), want: "0", warn: true, rule: strToInt},
		{col: "i", in: str("inf"), want: "0", warn: true, rule: strToInt},
		{col: "i", in: str("0x10"), want: "0", warn: true, rule: strToInt},
		{col: "i", in: str(""), want: "0", warn: true, rule: strToInt},
		{col: "i", in: str("12abc"), want: "12", warn: true, rule: strToInt},
		{col: "i", in: str("1e"), want: "1", warn: true, rule: strToInt},
		{col: "i", in: str("1.2.3"), want: "1", warn: true, rule: strToInt},
		{col: "i", in: str(" 12"), want: "12", rule: strToInt + " (strings.TrimSpace)"},
		{col: "i", in: str("\t12\v"), want: "12", rule: strToInt + " (strings.TrimSpace)"},
		{col: "i", in: str("12\x00abc"), want: "12", rule: "getValidFloatPrefix: NUL ends the string"},
		{col: "i", in: str("1e3"), want: "1000", rule: "floatStrToIntStr: exponent"},
		{col: "i", in: str("1.e2"), want: "100", rule: "floatStrToIntStr: exponent"},
		{col: "i", in: str("15e-1"), want: "2", rule: "floatStrToIntStr: roundIntStr"},
		{col: "i", in: str("1.5"), want: "2", rule: "floatStrToIntStr: roundIntStr"},
		{col: "i", in: str("-2.5"), want: "-3", rule: "floatStrToIntStr: roundIntStr"},
		{col: "i", in: str(".5"), want: "1", rule: "floatStrToIntStr: roundIntStr"},
		{col: "i", in: str("-0.4"), want: "0", rule: "floatStrToIntStr"},
		{col: "i", in: str("+7"), want: "7", rule: strToInt},
		{col: "ti", in: str("300"), want: "127", warn: true, rule: intToInt},
		{col: "ti", in: num("-300"), want: "-128", warn: true, rule: intToInt},
		{col: "ti", in: str("99abc"), want: "99", warn: true, rule: strToInt},
		{col: "ti", in: str("1e3"), want: "127", warn: true, rule: intToInt},
		{col: "i", in: str("2147483648"), want: "2147483647", warn: true, rule: intToInt},
		{col: "bi", in: str("9223372036854775808"), want: "9223372036854775807", warn: true, rule: strToInt + ": ParseInt range"},
		{col: "bi", in: num("-9223372036854775809"), want: "-9223372036854775808", warn: true, rule: strToInt + ": ParseInt range"},
		{col: "bi", in: str("1e30"), want: "9223372036854775807", warn: true, rule: "floatStrToIntStr: intCnt > 21"},
		{col: "bi", in: str("-1e30"), want: "-9223372036854775808", warn: true, rule: "floatStrToIntStr: intCnt > 21"},
		{col: "bi", in: str("1e-99999999999999999999"), want: "9223372036854775807", warn: true, rule: "floatStrToIntStr: exponent not an int"},
		{col: "tu", in: str("-1"), want: "0", warn: true, rule: strToUint + ": negative"},
		{col: "tu", in: num("-1"), want: "0", warn: true, rule: "types.ConvertIntToUint"},
		{col: "tu", in: str("-0"), want: "0", rule: strToUint + ": -000 is 0"},
		{col: "tu", in: str("-0.4"), want: "0", rule: strToUint},
		{col: "tu", in: str("256"), want: "255", warn: true, rule: "types.ConvertUintToUint"},
		{col: "iu", in: str("abc"), want: "0", warn: true, rule: strToUint},
		{col: "bu", in: str("18446744073709551616"), want: "18446744073709551615", warn: true, rule: strToUint + ": ParseUint range"},
		{col: "bu", in: str("1.8446744073709551615e19"), want: "18446744073709551615", rule: "floatStrToIntStr: exact, no float"},
		{col: "bu", in: str("1e19"), want: "10000000000000000000", rule: "floatStrToIntStr"},
		{col: "bu", in: str("1e21"), want: "18446744073709551615", warn: true, rule: strToUint + ": ParseUint range"},
		{col: "i", in: hexf(0x01, 0x00), want: "256", rule: "BinaryLiteral.ToInt"},
		{col: "ti", in: hexf(0xff), want: "127", warn: true, rule: "BinaryLiteral.ToInt + ConvertUintToInt"},
	})
}

func TestTiDBFloatRules(t *testing.T) {
	const strToFloat = "types.StrToFloat: getValidFloatPrefix"
	runRuleCases(t, []ruleCase{
		{col: "d", in: str("NaN"), want: "0", warn: true, rule: strToFloat},
		{col: "d", in: str("-Infinity"), want: "0", warn: true, rule: strToFloat},
		{col: "d", in: str("0x10"), want: "0", warn: true, rule: strToFloat},
		{col: "d", in: str("1_0"), want: "1", warn: true, rule: strToFloat},
		{col: "d", in: str("1.5e3xyz"), want: "1500", warn: true, rule: strToFloat},
		{col: "d", in: str(" 2.5 "), want: "2.5", rule: strToFloat + " (strings.TrimSpace)"},
		{col: "d", in: str("1e400"), want: "1.7976931348623157e308", warn: true, rule: "StrToFloat: ErrRange -> MaxFloat64"},
		{col: "d", in: str("-1e400"), want: "-1.7976931348623157e308", warn: true, rule: "StrToFloat: ErrRange -> -MaxFloat64"},
		{col: "f", in: str("1e39"), want: "3.4028235e38", warn: true, rule: "ProduceFloatWithSpecifiedTp: FLOAT range"},
		{col: "f2", in: str("12345.6789"), want: "9999.999", warn: true, rule: "types.TruncateFloat: GetMaxFloat(7,3)"},
		{col: "f2", in: str("-12345"), want: "-9999.999", warn: true, rule: "types.TruncateFloat"},
		{col: "f2", in: str("1.23456"), want: "1.235", rule: "types.TruncateFloat: Round, no warning"},
		{col: "fu", in: str("-1.5"), want: "0", warn: true, rule: "ProduceFloatWithSpecifiedTp: unsigned"},
	})
}

func TestTiDBDecimalRules(t *testing.T) {
	const produce = "types.ProduceDecWithSpecifiedTp"
	runRuleCases(t, []ruleCase{
		{col: "dec1", in: str("3.14159abc"), want: "3.14", warn: true, rule: "MyDecimal.FromString prefix"},
		{col: "dec1", in: str("x"), want: "0.00", warn: true, rule: "MyDecimal.FromString"},
		{col: "dec1", in: str("NaN"), want: "0.00", warn: true, rule: "MyDecimal.FromString"},
		{col: "dec1", in: num("10000"), want: "9999.99", warn: true, rule: produce + ": NewMaxOrMinDec"},
		{col: "dec1", in: num("-123456"), want: "-9999.99", warn: true, rule: produce + ": NewMaxOrMinDec"},
		{col: "dec1", in: str("9999.995"), want: "9999.99", warn: true, rule: produce + ": rounding overflows"},
		{col: "dec1", in: str("1.005"), want: "1.01", rule: produce + ": Round ModeHalfUp"},
		{col: "dec1", in: str("-1.005"), want: "-1.01", rule: produce + ": Round ModeHalfUp"},
		{col: "dec1", in: str("1e3"), want: "1000.00", rule: "MyDecimal.FromString exponent"},
		{col: "dec1", in: str(" 12.5 "), want: "12.50", rule: "MyDecimal.FromString"},
		{col: "du", in: str("-1"), want: "0.0", warn: true, rule: "convertToMysqlDecimal: unsigned"},
	})
}

func TestTiDBTimeRules(t *testing.T) {
	const zero = "table.handleZeroDatetime"
	runRuleCases(t, []ruleCase{
		{col: "dt", in: str("2006-02-30"), want: "0000-00-00 00:00:00", warn: true, rule: "types.ParseTime: invalid date"},
		{col: "dt", in: str("not a date"), want: "0000-00-00 00:00:00", warn: true, rule: "types.ParseTime"},
		{col: "dt", in: str("0000-00-00"), want: "0000-00-00 00:00:00", rule: zero + ": zero date allowed"},
		{col: "dt", in: str("0000-00-00"), want: "0000-00-00 00:00:00", warn: true, mode: sqlmode.NoZeroDate, rule: zero + ": NO_ZERO_DATE"},
		{col: "dt", in: str("2020-00-01"), want: "2020-00-01 00:00:00", rule: zero + ": zero in date allowed"},
		{col: "da", in: str("2020-01-00"), want: "0000-00-00", warn: true, mode: sqlmode.NoZeroInDate, rule: zero + ": NO_ZERO_IN_DATE"},
		{col: "da", in: str("2020-01-02 10:11:12"), want: "2020-01-02", rule: "convertToMysqlTime: DATE drops the time"},
		{col: "ts", in: str("1900-01-01 00:00:00"), want: "0000-00-00 00:00:00", warn: true, rule: zero + ": invalid TIMESTAMP"},
		{col: "ts", in: str("0000-00-00 00:00:00"), want: "0000-00-00 00:00:00", rule: zero + ": zero TIMESTAMP"},
		{col: "tm", in: str("839:00:00"), want: "838:59:59", warn: true, rule: "types.ParseDuration: clamped"},
		{col: "y", in: num("1900"), want: "1901", warn: true, rule: "types.AdjustYear"},
		{col: "y", in: str("1e3"), want: "1901", warn: true, rule: "ConvertToMysqlYear: StrToInt then AdjustYear"},
		{col: "y", in: str("12abc"), want: "2012", warn: true, rule: "ConvertToMysqlYear: StrToInt prefix, adjustYear"},
		{col: "y", in: str("abc"), want: "0000", warn: true, rule: "ConvertToMysqlYear: StrToInt 0, not adjusted"},
		{col: "y", in: str("0"), want: "2000", rule: "ConvertToMysqlYear: '0' is 2000"},
		{col: "y", in: str("0000"), want: "0000", rule: "ConvertToMysqlYear: '0000' is 0"},
		{col: "y", in: num("0"), want: "0000", rule: "AdjustYear(0, false)"},
		{col: "y", in: str("2155.5"), want: "2155", warn: true, rule: "StrToInt rounds, AdjustYear clamps"},
		{col: "y", in: str("70"), want: "1970", rule: "adjustYear"},
	})
}

func TestTiDBStringRules(t *testing.T) {
	const produce = "types.ProduceStrWithSpecifiedTp"
	const replace = "Datum.GetStringWithCheck: Transform(OpReplace)"
	runRuleCases(t, []ruleCase{
		{col: "vc", in: str("abcdef"), want: "abcd", warn: true, rule: produce + ": ErrDataTooLong"},
		{col: "vc", in: str("abcd   "), want: "abcd", rule: produce + ": VARCHAR overflow of spaces is a note"},
		{col: "vc", in: str("ab\t\t\t"), want: "ab\t\t", rule: produce + ": white space overflow"},
		{col: "vc", in: str("日本語です。"), want: "日本語で", warn: true, rule: produce + ": characters"},
		{col: "c", in: str("abc   "), want: "abc", rule: "castColumnValue: truncateTrailingSpaces"},
		{col: "c", in: str("abcd "), want: "abc", warn: true, rule: produce},
		{col: "tx", in: str(string(make([]byte, 256))), want: string(make([]byte, 255)), warn: true, rule: produce + ": TINYTEXT bytes"},
		{col: "tx", in: str(repeat("a", 254) + "é"), want: repeat("a", 254), warn: true, rule: produce + ": TEXT cut on a character"},
		{col: "l1", in: str("😀"), want: "😀", rule: "latin1 takes any bytes, length in characters"},
		{col: "l1", in: str("😀😀"), want: "😀", warn: true, rule: produce},
		{col: "asc1", in: str("xé"), want: "x?", warn: true, rule: replace},
		{col: "asc1", in: str("abcdé"), want: "abcd?", warn: true, rule: replace + ", length not applied"},
		{col: "u3", in: str("a😀"), want: "a?", warn: true, rule: replace + " (utf8mb3 strict)"},
		{col: "vc", in: str("a\xffb"), want: "a?b", warn: true, rule: replace + " (utf8mb4)"},
		{col: "g", in: str("a😀b"), want: "a?b", warn: true, rule: replace + " (gbk)"},
		{col: "bn", in: str("ab"), want: "ab\x00\x00", rule: produce + ": BINARY padding"},
		{col: "bn", in: str("abcde"), want: "abcd", warn: true, rule: produce},
		{col: "vb", in: str("ab  "), want: "ab ", warn: true, rule: produce + ": binary, spaces count"},
		{col: "bl", in: str(string(make([]byte, 256))), want: string(make([]byte, 255)), warn: true, rule: produce},
	})
}

func TestTiDBOtherTypeRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{col: "b", in: hexf(0x04, 0x00), want: "\x03\xff", warn: true, rule: "convertToMysqlBit: ErrDataTooLong"},
		{col: "b", in: num("1024"), want: "\x03\xff", warn: true, rule: "convertToMysqlBit"},
		{col: "b", in: num("-1"), want: "\x03\xff", warn: true, rule: "convertToMysqlBit: a negative int is its uint64"},
		{col: "b64", in: num("-1"), want: "\xff\xff\xff\xff\xff\xff\xff\xff", rule: "convertToMysqlBit: a negative int is its uint64"},
		{col: "b", in: str("a"), want: "\x00a", rule: "convertToMysqlBit: a string is its bytes"},
		{col: "e", in: str("zz"), want: "", warn: true, rule: "types.ParseEnum"},
		{col: "e", in: num("3"), want: "", warn: true, rule: "types.ParseEnumValue"},
		{col: "st", in: str("p,x"), want: "", warn: true, rule: "types.ParseSet"},
		{col: "st", in: str("q,p"), want: "p,q", rule: "types.ParseSet"},
	})
	// Invalid JSON is an error in every mode: ErrInvalidJSONText is not one
	// of the codes types.Context.HandleTruncate turns into a warning.
	for _, mode := range []sqlmode.Mode{sqlmode.Default, sqlmode.StrictAll} {
		c := convFor(t, rulesSchema, Session{Mode: mode})
		var d datum.Datum
		if err := c.Convert(c.Table().Column("j").Offset, str("{"), &d); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("mode %b: invalid JSON: %v", mode, err)
		}
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}
