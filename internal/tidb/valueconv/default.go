package valueconv

import (
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/jsonbin"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/mytime"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// Default fills dst with the value an omitted column gets
// (pkg/table/column.go GetColDefaultValue): its DEFAULT literal, NULL,
// CURRENT_TIMESTAMP from Session.Now rounded to the column fsp; a NOT NULL
// column without a default is an error in strict mode (in non-strict mode
// it gets the type's zero value).
func (c *Converter) Default(offset int, dst *datum.Datum) error {
	if offset < 0 || offset >= len(c.cols) {
		return fmt.Errorf("column offset %d out of range (table %s has %d columns)", offset, c.t.Name, len(c.cols))
	}
	cc := &c.cols[offset]
	col := cc.col
	switch {
	case col.Unsupported != "" || col.IsGenerated():
		setNull(dst)
		return nil
	case col.DefaultIsNow:
		return c.now(col, dst)
	case col.DefaultIsExpr:
		return valueErr(col.Name, []byte(col.Default), ErrUnsupported, "expression defaults cannot be evaluated")
	case col.HasDefault && !col.DefaultIsNull:
		f := literal.Field{Kind: literal.FieldString, Bytes: []byte(col.Default)}
		if col.Tp == mysql.TypeBit {
			f.Kind = literal.FieldNumber
		}
		if col.Tp == mysql.TypeTimestamp && col.DefaultInUTC {
			return c.convertTimeIn(col, f, time.UTC, dst)
		}
		return c.Convert(offset, f, dst)
	case col.HasDefault || !col.NotNull:
		setNull(dst)
		return nil
	case col.Tp == mysql.TypeEnum && len(col.Elems) > 0:
		// A NOT NULL ENUM without a default takes its first member, in
		// every mode (getColDefaultValueFromNil).
		reset(dst, datum.Enum)
		dst.U = 1
		return nil
	case col.AutoIncrement:
		return c.zero(cc, dst)
	}
	if err := c.bad(valueErr(col.Name, nil, ErrInvalidValue, "field doesn't have a default value")); err != nil {
		return err
	}
	return c.zero(cc, dst)
}

// now is CURRENT_TIMESTAMP in the session zone, rounded to the column fsp
// (TIMESTAMP stored in UTC).
func (c *Converter) now(col *tablemodel.Column, dst *datum.Datum) error {
	fsp := fspOf(col)
	var t mytime.Time
	if col.Tp == mysql.TypeTimestamp {
		t = mytime.FromGoTime(c.s.Now.UTC(), fsp)
	} else {
		t = mytime.FromGoTime(c.s.Now.In(c.s.Loc), fsp)
	}
	if col.Tp == mysql.TypeDate {
		t = t.Date()
	}
	reset(dst, datum.Time)
	dst.U, dst.Frac = t.Pack(), int8(fsp)
	return nil
}

// zero is the type's zero value (table.GetZeroValue): what a NOT NULL
// column without a default, or given NULL, holds in non-strict mode.
func (c *Converter) zero(cc *colConv, dst *datum.Datum) error {
	col := cc.col
	switch col.Tp {
	case mysql.TypeEnum:
		reset(dst, datum.Enum)
		return nil
	case mysql.TypeSet:
		reset(dst, datum.Set)
		return nil
	case mysql.TypeBit:
		reset(dst, datum.Bit)
		return nil
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString, mysql.TypeTinyBlob, mysql.TypeBlob,
		mysql.TypeMediumBlob, mysql.TypeLongBlob:
		return c.convertString(col, literal.Field{Kind: literal.FieldString}, dst)
	case mysql.TypeJSON:
		reset(dst, datum.JSON)
		dst.B = append(dst.B, jsonbin.TypeLiteral, jsonbin.LiteralNull)
		return nil
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp:
		reset(dst, datum.Time)
		dst.Frac = int8(fspOf(col))
		return nil
	case mysql.TypeDuration:
		reset(dst, datum.Duration)
		dst.Frac = int8(fspOf(col))
		return nil
	case mysql.TypeYear:
		reset(dst, datum.Int64)
		return nil
	}
	return c.Convert(col.Offset, literal.Field{Kind: literal.FieldNumber, Bytes: zeroText}, dst)
}

var zeroText = []byte("0")
