package mydecimal

import "fmt"

// ConvertToColumn converts dump text to a DECIMAL(prec, frac) [UNSIGNED]
// column value and appends its decimal2bin, as TiDB does in strict mode
// (pkg/types/datum.go ConvertToMysqlDecimal + ProduceDecWithSpecifiedTp):
// the text is parsed (garbage is an error, ErrBadNumber or ErrTruncated),
// rounded half-up to frac (dropping digits is only a warning in TiDB, so not
// an error here), and an integer part wider than prec-frac after rounding is
// ErrOverflow; a negative value for UNSIGNED is ErrOverflow too.
func ConvertToColumn(s []byte, prec, frac int, unsigned bool, dst []byte) ([]byte, error) {
	if out, ok := fastToBin(s, prec, frac, unsigned, dst); ok {
		return out, nil
	}
	d, garbage, err := parse(s)
	if err == nil && garbage {
		err = ErrTruncated
	}
	if err != nil && !(err == ErrTruncated && !garbage) {
		return dst, fmt.Errorf("incorrect DECIMAL value %q: %w", s, err)
	}
	return ConvertDecimalToColumn(d, prec, frac, unsigned, dst)
}

// ConvertDecimalToColumn is ConvertToColumn for a value that is already a
// Decimal (from an expression, an integer, a float...).
func ConvertDecimalToColumn(d Decimal, prec, frac int, unsigned bool, dst []byte) ([]byte, error) {
	if err := checkPrecFrac(prec, frac); err != nil {
		return dst, err
	}
	r, err := AdjustToColumn(d, prec, frac, unsigned)
	if err != nil {
		return dst, err
	}
	return r.ToBin(prec, frac, dst)
}

// AdjustToColumn rounds d half-up to frac and checks it fits DECIMAL(prec,
// frac) [UNSIGNED]; the result has scale frac. On ErrOverflow it also returns
// the value MySQL's non-strict mode would store (the column's max/min, or 0
// for a negative UNSIGNED value).
func AdjustToColumn(d Decimal, prec, frac int, unsigned bool) (Decimal, error) {
	if err := checkPrecFrac(prec, frac); err != nil {
		return Decimal{}, err
	}
	r := d.Round(frac)
	if int(r.nint) > prec-frac {
		if unsigned && r.neg {
			return Decimal{frac: int8(frac)}, fmt.Errorf("value %s out of range for DECIMAL(%d,%d) UNSIGNED: %w", d, prec, frac, ErrOverflow)
		}
		return maxValue(r.neg, prec, frac), fmt.Errorf("value %s out of range for DECIMAL(%d,%d): %w", d, prec, frac, ErrOverflow)
	}
	if unsigned && r.neg {
		return Decimal{frac: int8(frac)}, fmt.Errorf("value %s out of range for DECIMAL(%d,%d) UNSIGNED: %w", d, prec, frac, ErrOverflow)
	}
	return r, nil
}
