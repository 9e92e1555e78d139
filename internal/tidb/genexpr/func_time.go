package genexpr

import (
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/mydecimal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
)

// Date and time functions (pkg/expression/builtin_time.go). An invalid
// date argument gives NULL, as MySQL does with a warning.
func init() {
	register(map[string]funcDef{
		"date":           {1, 1, fnDate},
		"time":           {1, 1, fnTime},
		"timestamp":      {1, 1, fnTimestamp},
		"year":           {1, 1, datePart(func(t mytime.Time) int64 { return int64(t.Year) }, false)},
		"month":          {1, 1, datePart(func(t mytime.Time) int64 { return int64(t.Month) }, false)},
		"day":            {1, 1, datePart(func(t mytime.Time) int64 { return int64(t.Day) }, false)},
		"dayofmonth":     {1, 1, datePart(func(t mytime.Time) int64 { return int64(t.Day) }, false)},
		"quarter":        {1, 1, datePart(func(t mytime.Time) int64 { return int64(t.Month+2) / 3 }, false)},
		"dayofweek":      {1, 1, datePart(func(t mytime.Time) int64 { return int64(mytime.DayOfWeek(t)) }, true)},
		"weekday":        {1, 1, datePart(func(t mytime.Time) int64 { return int64(mytime.WeekDay(t)) }, true)},
		"dayofyear":      {1, 1, datePart(func(t mytime.Time) int64 { return int64(mytime.DayOfYear(t)) }, true)},
		"weekofyear":     {1, 1, datePart(func(t mytime.Time) int64 { return int64(mytime.Week(t, 3)) }, true)},
		"to_days":        {1, 1, datePart(mytime.ToDays, true)},
		"to_seconds":     {1, 1, datePart(toSeconds, true)},
		"hour":           {1, 1, clockPart(func(ns int64) int64 { return ns / 3600e9 })},
		"minute":         {1, 1, clockPart(func(ns int64) int64 { return ns / 60e9 % 60 })},
		"second":         {1, 1, clockPart(func(ns int64) int64 { return ns / 1e9 % 60 })},
		"microsecond":    {1, 1, clockPart(func(ns int64) int64 { return ns / 1e3 % 1e6 })},
		"time_to_sec":    {1, 1, fnTimeToSec},
		"week":           {1, 2, fnWeek},
		"yearweek":       {1, 2, fnYearWeek},
		"dayname":        {1, 1, nameFn(dayNames, func(t mytime.Time) int { return mytime.WeekDay(t) })},
		"monthname":      {1, 1, nameFn(monthNames, func(t mytime.Time) int { return t.Month - 1 })},
		"date_format":    {2, 2, fnDateFormat},
		"date_add":       {3, 3, dateArith(false)},
		"adddate":        {3, 3, dateArith(false)},
		"date_sub":       {3, 3, dateArith(true)},
		"subdate":        {3, 3, dateArith(true)},
		"datediff":       {2, 2, fnDateDiff},
		"timestampdiff":  {3, 3, fnTimestampDiff},
		"from_days":      {1, 1, fnFromDays},
		"unix_timestamp": {1, 1, fnUnixTimestamp},
		"from_unixtime":  {1, 2, fnFromUnixtime},
		"last_day":       {1, 1, fnLastDay},
		"makedate":       {2, 2, fnMakeDate},
		"extract":        {2, 2, fnExtract},
		"str_to_date":    {2, 2, fnStrToDate},
	})
}

var (
	dayNames   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

func fnDate(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok {
		return Null, nil
	}
	return TimeValue(t.T.Date(), mytime.Date, 0), nil
}

func fnTimestamp(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok {
		return Null, nil
	}
	t.TimeType = mytime.Datetime
	return t, nil
}

func fnTime(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	ns, fsp, ok := toDuration(a[0])
	if !ok {
		return Null, nil
	}
	return DurationValue(ns, fsp), nil
}

// datePart extracts a field of a date; nullOnZero makes a zero month or
// day NULL (functions that need a real calendar date).
func datePart(f func(mytime.Time) int64, nullOnZero bool) evalFn {
	return func(c *evalCtx, a []Value) (Value, error) {
		t, ok := toTime(c, a[0])
		if !ok {
			return Null, nil
		}
		if nullOnZero && t.T.HasZeroInDate() {
			return Null, nil
		}
		return IntValue(f(t.T)), nil
	}
}

// clockPart extracts a field of the time of day; its argument is read as
// a TIME (HOUR('10:05:03') is 10, HOUR of a TIME may exceed 23).
func clockPart(f func(ns int64) int64) evalFn {
	return func(_ *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() {
			return Null, nil
		}
		ns, _, ok := toDuration(a[0])
		if !ok {
			return Null, nil
		}
		if ns < 0 {
			ns = -ns
		}
		return IntValue(f(ns)), nil
	}
}

func fnTimeToSec(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	ns, _, ok := toDuration(a[0])
	if !ok {
		return Null, nil
	}
	return IntValue(ns / 1e9), nil
}

func fnWeek(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok || t.T.HasZeroInDate() {
		return Null, nil
	}
	mode := 0
	if len(a) == 2 {
		if a[1].IsNull() {
			return Null, nil
		}
		mode = int(toInt64(a[1]))
	}
	return IntValue(int64(mytime.Week(t.T, mode))), nil
}

func fnYearWeek(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok || t.T.HasZeroInDate() {
		return Null, nil
	}
	mode := 0
	if len(a) == 2 {
		if a[1].IsNull() {
			return Null, nil
		}
		mode = int(toInt64(a[1]))
	}
	y, w := mytime.YearWeek(t.T, mode)
	return IntValue(int64(y*100 + w)), nil
}

func nameFn(names []string, idx func(mytime.Time) int) evalFn {
	return func(c *evalCtx, a []Value) (Value, error) {
		t, ok := toTime(c, a[0])
		if !ok || t.T.HasZeroInDate() {
			return Null, nil
		}
		i := idx(t.T)
		if i < 0 || i >= len(names) {
			return Null, nil
		}
		return StringValue(names[i]), nil
	}
}

func fnDateFormat(c *evalCtx, a []Value) (Value, error) {
	if a[1].IsNull() {
		return Null, nil
	}
	t, ok := toTime(c, a[0])
	if !ok {
		return Null, nil
	}
	s, err := mytime.DateFormat(t.T, string(toText(a[1])))
	if err != nil {
		return Null, nil
	}
	return StringValue(s), nil
}

// interval is a parsed INTERVAL expr unit: a month count or a microsecond
// count, and the fsp it brings.
type interval struct {
	months bool
	n      int64
	fsp    int
}

// unitFields lists, for composite units, the fields from the largest and
// their size in microseconds (0 for months).
var unitFields = map[string][]int64{
	"SECOND_MICROSECOND": {1e6, 1},
	"MINUTE_MICROSECOND": {60e6, 1e6, 1},
	"MINUTE_SECOND":      {60e6, 1e6},
	"HOUR_MICROSECOND":   {3600e6, 60e6, 1e6, 1},
	"HOUR_SECOND":        {3600e6, 60e6, 1e6},
	"HOUR_MINUTE":        {3600e6, 60e6},
	"DAY_MICROSECOND":    {86400e6, 3600e6, 60e6, 1e6, 1},
	"DAY_SECOND":         {86400e6, 3600e6, 60e6, 1e6},
	"DAY_MINUTE":         {86400e6, 3600e6, 60e6},
	"DAY_HOUR":           {86400e6, 3600e6},
}

var unitMicros = map[string]int64{
	"MICROSECOND": 1, "SECOND": 1e6, "MINUTE": 60e6, "HOUR": 3600e6, "DAY": 86400e6, "WEEK": 7 * 86400e6,
}

// parseInterval reads INTERVAL v unit (types.ExtractDurationValue and
// builtin_time.go getIntervalFrom*): single units take the (rounded)
// number, SECOND keeps a fraction as microseconds, composite units split
// the string on any non-digit.
func parseInterval(v Value, unit string) (interval, bool) {
	unit = strings.ToUpper(unit)
	switch unit {
	case "MONTH", "QUARTER", "YEAR":
		n := intervalInt(v)
		switch unit {
		case "QUARTER":
			n *= 3
		case "YEAR":
			n *= 12
		}
		return interval{months: true, n: n}, true
	case "SECOND":
		d := toDecimal(v)
		if v.Kind == KindString {
			p := floatPrefix(v.S)
			d, _ = mydecimal.Parse(p)
		}
		fsp := min(d.Frac(), 6)
		us, err := mydecimal.Mul(d, mydecimal.FromInt(1e6))
		if err != nil {
			return interval{}, false
		}
		n, err := us.ToInt64()
		if err != nil {
			return interval{}, false
		}
		return interval{n: n, fsp: fsp}, true
	case "MICROSECOND":
		return interval{n: intervalInt(v), fsp: 6}, true
	}
	if m, ok := unitMicros[unit]; ok {
		return interval{n: intervalInt(v) * m}, true
	}
	s := toText(v)
	neg := false
	for _, ch := range s {
		if ch == '-' {
			neg = true
			break
		}
		if isDigit(ch) {
			break
		}
	}
	var groups []string
	cur := ""
	for _, ch := range s {
		if isDigit(ch) {
			cur += string(ch)
		} else if cur != "" {
			groups = append(groups, cur)
			cur = ""
		}
	}
	if cur != "" {
		groups = append(groups, cur)
	}
	if unit == "YEAR_MONTH" {
		if len(groups) > 2 {
			return interval{}, false
		}
		var n int64
		for i, g := range groups {
			x, _ := strconv.ParseInt(g, 10, 64)
			if len(groups) == 2 && i == 0 {
				x *= 12
			}
			n += x
		}
		if neg {
			n = -n
		}
		return interval{months: true, n: n}, true
	}
	fields, ok := unitFields[unit]
	if !ok || len(groups) > len(fields) {
		return interval{}, false
	}
	var n int64
	fsp := 0
	off := len(fields) - len(groups)
	for i, g := range groups {
		f := fields[off+i]
		if f == 1 {
			// A microsecond field is a fraction: '1.5' is 500000 µs.
			if len(g) > 6 {
				g = g[:6]
			}
			fsp = 6
			g += strings.Repeat("0", 6-len(g))
		}
		x, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return interval{}, false
		}
		n += x * f
	}
	if neg {
		n = -n
	}
	return interval{n: n, fsp: fsp}, true
}

func intervalInt(v Value) int64 {
	if v.Kind == KindString && !v.HasNum {
		p := intPrefix(v.S)
		n, _ := strconv.ParseInt(string(p), 10, 64)
		return n
	}
	return toInt64(v)
}

func isDateUnit(unit string) bool {
	switch strings.ToUpper(unit) {
	case "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "YEAR_MONTH":
		return true
	}
	return false
}

// dateArith is DATE_ADD/DATE_SUB/ADDDATE/SUBDATE with an INTERVAL. A DATE
// operand with a date unit gives a DATE, a TIME operand a TIME, anything
// else a DATETIME with the larger fsp of the operand and the interval.
func dateArith(sub bool) evalFn {
	return func(c *evalCtx, a []Value) (Value, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return Null, nil
		}
		unit := string(toText(a[2]))
		iv, ok := parseInterval(a[1], unit)
		if !ok {
			return Null, nil
		}
		if sub {
			iv.n = -iv.n
		}
		if a[0].Kind == KindDuration && !iv.months {
			ns := a[0].I + iv.n*1000
			if ns > mytime.MaxDuration || ns < mytime.MinDuration {
				return Null, nil
			}
			return DurationValue(ns, max(a[0].Fsp, iv.fsp)), nil
		}
		t, ok := toTime(c, a[0])
		if !ok {
			return Null, nil
		}
		var r mytime.Time
		var err error
		if iv.months {
			r, err = mytime.AddInterval(t.T, iv.n, "MONTH")
		} else {
			r, err = mytime.AddInterval(t.T, iv.n, "MICROSECOND")
		}
		if err != nil {
			return Null, nil
		}
		if t.TimeType == mytime.Date && isDateUnit(unit) {
			return TimeValue(r, mytime.Date, 0), nil
		}
		fsp := max(t.Fsp, iv.fsp)
		if r.Microsecond != 0 && fsp == 0 && a[0].Kind == KindString {
			fsp = 6
		}
		return TimeValue(r, mytime.Datetime, fsp), nil
	}
}

func fnDateDiff(c *evalCtx, a []Value) (Value, error) {
	x, ok1 := toTime(c, a[0])
	y, ok2 := toTime(c, a[1])
	if !ok1 || !ok2 || x.T.HasZeroInDate() || y.T.HasZeroInDate() {
		return Null, nil
	}
	return IntValue(mytime.DateDiff(x.T, y.T)), nil
}

func fnTimestampDiff(c *evalCtx, a []Value) (Value, error) {
	x, ok1 := toTime(c, a[1])
	y, ok2 := toTime(c, a[2])
	if !ok1 || !ok2 || x.T.HasZeroInDate() || y.T.HasZeroInDate() {
		return Null, nil
	}
	return IntValue(mytime.TimestampDiff(string(toText(a[0])), x.T, y.T)), nil
}

func fnFromDays(_ *evalCtx, a []Value) (Value, error) {
	if a[0].IsNull() {
		return Null, nil
	}
	return TimeValue(mytime.FromDays(toInt64(a[0])), mytime.Date, 0), nil
}

// fnUnixTimestamp is UNIX_TIMESTAMP(t) in the session zone: an integer,
// or a decimal with the fsp of t.
func fnUnixTimestamp(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok {
		return Null, nil
	}
	sec, micro := mytime.UnixTimestamp(t.T, c.loc)
	if t.Fsp == 0 {
		return IntValue(sec), nil
	}
	text := strconv.AppendInt(nil, sec, 10)
	text = appendFrac(text, micro, t.Fsp)
	d, err := mydecimal.Parse(text)
	if err != nil {
		return Null, nil
	}
	return DecimalValue(d), nil
}

// fnFromUnixtime is FROM_UNIXTIME(n[, format]) in the session zone.
func fnFromUnixtime(c *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	d := toDecimal(a[0])
	if d.IsNegative() {
		return Null, nil
	}
	fsp := 0
	if a[0].Kind == KindDecimal || a[0].Kind == KindFloat || a[0].Kind == KindString {
		fsp = min(d.Frac(), 6)
	}
	d = d.Round(fsp)
	text := d.AppendText(nil)
	secText, fracText, _ := strings.Cut(string(text), ".")
	sec, err := strconv.ParseInt(secText, 10, 64)
	if err != nil || sec > 32536771199 {
		return Null, nil
	}
	micro := 0
	if fracText != "" {
		micro, _ = strconv.Atoi((fracText + "000000")[:6])
	}
	g := unixToLocal(sec, micro, c)
	v := TimeValue(g, mytime.Datetime, fsp)
	if len(a) == 2 {
		s, err := mytime.DateFormat(g, string(toText(a[1])))
		if err != nil {
			return Null, nil
		}
		return StringValue(s), nil
	}
	return v, nil
}

func fnLastDay(c *evalCtx, a []Value) (Value, error) {
	t, ok := toTime(c, a[0])
	if !ok || t.T.HasZeroInDate() {
		return Null, nil
	}
	r := mytime.Time{Year: t.T.Year, Month: t.T.Month, Day: mytime.LastDay(t.T.Year, t.T.Month)}
	return TimeValue(r, mytime.Date, 0), nil
}

// fnMakeDate is MAKEDATE(year, dayofyear): two-digit years map as in
// dates (0-69 -> 20xx, 70-99 -> 19xx); a day of year below 1 is NULL.
func fnMakeDate(_ *evalCtx, a []Value) (Value, error) {
	if anyNull(a) {
		return Null, nil
	}
	year, doy := toInt64(a[0]), toInt64(a[1])
	if doy <= 0 || year < 0 || year > 9999 {
		return Null, nil
	}
	switch {
	case year < 70:
		year += 2000
	case year < 100:
		year += 1900
	}
	start := mytime.ToDays(mytime.Time{Year: int(year), Month: 1, Day: 1})
	r := mytime.FromDays(start + doy - 1)
	if r.IsZero() || r.Year > 9999 {
		return Null, nil
	}
	return TimeValue(r, mytime.Date, 0), nil
}

// fnExtract is EXTRACT(unit FROM t).
func fnExtract(c *evalCtx, a []Value) (Value, error) {
	if a[1].IsNull() {
		return Null, nil
	}
	unit := strings.ToUpper(string(toText(a[0])))
	var t mytime.Time
	if a[1].Kind == KindDuration {
		ns := a[1].I
		if ns < 0 {
			ns = -ns
		}
		t = mytime.Time{Hour: int(ns / 3600e9), Minute: int(ns / 60e9 % 60), Second: int(ns / 1e9 % 60), Microsecond: int(ns / 1e3 % 1e6)}
	} else {
		tv, ok := toTime(c, a[1])
		if !ok {
			return Null, nil
		}
		t = tv.T
	}
	var n int64
	switch unit {
	case "YEAR":
		n = int64(t.Year)
	case "QUARTER":
		n = int64(t.Month+2) / 3
	case "MONTH":
		n = int64(t.Month)
	case "WEEK":
		n = int64(mytime.Week(t, 0))
	case "DAY":
		n = int64(t.Day)
	case "HOUR":
		n = int64(t.Hour)
	case "MINUTE":
		n = int64(t.Minute)
	case "SECOND":
		n = int64(t.Second)
	case "MICROSECOND":
		n = int64(t.Microsecond)
	case "YEAR_MONTH":
		n = int64(t.Year*100 + t.Month)
	case "DAY_HOUR":
		n = int64(t.Day*100 + t.Hour)
	case "DAY_MINUTE":
		n = int64(t.Day*10000 + t.Hour*100 + t.Minute)
	case "DAY_SECOND":
		n = int64(t.Day)*1000000 + int64(t.Hour*10000+t.Minute*100+t.Second)
	case "HOUR_MINUTE":
		n = int64(t.Hour*100 + t.Minute)
	case "HOUR_SECOND":
		n = int64(t.Hour*10000 + t.Minute*100 + t.Second)
	case "MINUTE_SECOND":
		n = int64(t.Minute*100 + t.Second)
	case "SECOND_MICROSECOND":
		n = int64(t.Second)*1000000 + int64(t.Microsecond)
	case "MINUTE_MICROSECOND":
		n = int64(t.Minute*100+t.Second)*1000000 + int64(t.Microsecond)
	case "HOUR_MICROSECOND":
		n = int64(t.Hour*10000+t.Minute*100+t.Second)*1000000 + int64(t.Microsecond)
	case "DAY_MICROSECOND":
		n = (int64(t.Day)*1000000+int64(t.Hour*10000+t.Minute*100+t.Second))*1000000 + int64(t.Microsecond)
	default:
		return Null, nil
	}
	return IntValue(n), nil
}

// toSeconds is TO_SECONDS: seconds since year 0 (TO_DAYS * 86400 plus the
// time of day; the fraction is dropped).
func toSeconds(t mytime.Time) int64 {
	return mytime.ToDays(t)*86400 + int64(t.Hour)*3600 + int64(t.Minute)*60 + int64(t.Second)
}
