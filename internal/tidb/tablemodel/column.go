package tablemodel

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// restoreFlags are the flags TiDB restores generated-column and index
// expressions with (pkg/ddl columnDefToCol).
const restoreFlags = format.RestoreStringSingleQuotes | format.RestoreKeyWordLowercase | format.RestoreNameBackQuotes |
	format.RestoreSpacesAroundBinaryOperation | format.RestoreWithoutSchemaName | format.RestoreWithoutTableName

// The blob size classes TiDB converts TEXT(n)/BLOB(n) into
// (pkg/ddl adjustBlobTypesFlen).
const (
	tinyBlobMaxLength   = 255
	blobMaxLength       = 65535
	mediumBlobMaxLength = 16777215
	longBlobMaxLength   = 4294967295
)

// TypeNeedsCharset reports whether values of the type carry a charset
// (pkg/ddl typesNeedCharset); all others are charset binary.
func TypeNeedsCharset(tp byte) bool {
	switch tp {
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeBlob, mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob,
		mysql.TypeEnum, mysql.TypeSet:
		return true
	}
	return false
}

func isStringType(tp byte) bool {
	switch tp {
	case mysql.TypeString, mysql.TypeVarchar, mysql.TypeVarString,
		mysql.TypeBlob, mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		return true
	}
	return false
}

// IsIntegerType reports whether tp is one of TINYINT..BIGINT.
func IsIntegerType(tp byte) bool {
	switch tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		return true
	}
	return false
}

// column builds one column the way pkg/ddl buildColumnAndConstraint does and
// returns the constraints its options declare.
func (b *builder) column(cd *ast.ColumnDef, offset int, t *Table) (*Column, []*ast.Constraint, error) {
	name := cd.Name.Name.O
	if strings.EqualFold(name, "_tidb_rowid") {
		return nil, nil, fmt.Errorf("%w: column name _tidb_rowid is reserved", ErrUnsupported)
	}
	tp := cd.Tp
	col := &Column{
		ID:       int64(offset + 1),
		Name:     name,
		Offset:   offset,
		Tp:       tp.GetType(),
		Flen:     tp.GetFlen(),
		Decimal:  tp.GetDecimal(),
		Unsigned: mysql.HasUnsignedFlag(tp.GetFlag()),
		Elems:    append([]string(nil), tp.GetElems()...),
	}
	if u, ok := b.unsupported[strings.ToLower(name)]; ok {
		col.Unsupported = u
		col.Tp = mysql.TypeGeometry
		b.warnf("column %s: type %s is not supported by TiDB; its values are skipped", name, u)
	}

	// Charset and collation: column, then table (pkg/ddl
	// getCharsetAndCollateInColumnDef, ResolveCharsetCollation,
	// OverwriteCollationWithBinaryFlag).
	if TypeNeedsCharset(col.Tp) && col.Unsupported == "" {
		cs, co := strings.ToLower(tp.GetCharset()), strings.ToLower(tp.GetCollate())
		hasCollateOpt := false
		for _, o := range cd.Options {
			if o.Tp == ast.ColumnOptionCollate {
				hasCollateOpt = true
				info, err := charset.GetCollationByName(o.StrValue)
				if err != nil {
					return nil, nil, fmt.Errorf("collation %q: %w", o.StrValue, err)
				}
				if cs == "" {
					cs = info.CharsetName
				} else if cs != info.CharsetName {
					return nil, nil, fmt.Errorf("collation %s does not belong to charset %s", info.Name, cs)
				}
				co = info.Name
			}
		}
		var err error
		col.Charset, col.Collate, err = b.resolveCharset([][2]string{{cs, co}, {t.Charset, t.Collate}})
		if err != nil {
			return nil, nil, err
		}
		ignoreBin := tp.GetCharset() != "" && (tp.GetCollate() != "" || hasCollateOpt)
		if !ignoreBin && isStringType(col.Tp) && mysql.HasBinaryFlag(tp.GetFlag()) {
			if co, err := b.defaultCollation(col.Charset); err == nil {
				col.Collate = co
			}
		}
	} else {
		col.Charset, col.Collate = charset.CharsetBin, charset.CharsetBin
	}

	// Unspecified length and scale take the type's defaults
	// (pkg/ddl setCharsetCollationFlenDecimal).
	defFlen, defDec := mysql.GetDefaultFieldLengthAndDecimal(col.Tp)
	if col.Decimal == -1 {
		col.Decimal = defDec
	}
	if col.Flen == -1 {
		col.Flen = defFlen
		if col.Unsigned && col.Tp != mysql.TypeLonglong && IsIntegerType(col.Tp) {
			col.Flen--
		}
	} else if col.Tp == mysql.TypeBlob {
		maxLen := 1
		if cs, err := charset.GetCharsetInfo(col.Charset); err == nil {
			maxLen = cs.Maxlen
		}
		switch l := int64(col.Flen) * int64(maxLen); {
		case l <= tinyBlobMaxLength:
			col.Tp, col.Flen = mysql.TypeTinyBlob, tinyBlobMaxLength
		case l <= blobMaxLength:
			col.Flen = blobMaxLength
		case l <= mediumBlobMaxLength:
			col.Tp, col.Flen = mysql.TypeMediumBlob, mediumBlobMaxLength
		default:
			col.Tp, col.Flen = mysql.TypeLongBlob, longBlobMaxLength
		}
	}

	var cts []*ast.Constraint
	keys := []*ast.IndexPartSpecification{{Column: cd.Name, Length: -1}}
	hasPK, hasUnique := false, false
	for _, o := range cd.Options {
		switch o.Tp {
		case ast.ColumnOptionNotNull:
			col.NotNull = true
		case ast.ColumnOptionNull:
			col.NotNull = false
		case ast.ColumnOptionAutoIncrement:
			col.AutoIncrement, col.NotNull = true, true
		case ast.ColumnOptionAutoRandom:
			col.AutoRandom = true
			shard, rng := o.AutoRandOpt.ShardBits, o.AutoRandOpt.RangeBits
			if shard == -1 {
				shard = 5 // autoid.DefaultAutoRandomBits
			}
			if rng == -1 {
				rng = 64 // autoid.AutoRandomRangeBitsDefault
			}
			if shard < 1 || shard > 15 || rng < 32 || rng > 64 {
				return nil, nil, fmt.Errorf("invalid AUTO_RANDOM(%d, %d)", shard, rng)
			}
			t.AutoRandomBits, t.AutoRandomRangeBits = shard, rng
		case ast.ColumnOptionPrimaryKey:
			if !hasPK {
				hasPK = true
				col.PrimaryKey, col.NotNull = true, true
				cts = append(cts, &ast.Constraint{Tp: ast.ConstraintPrimaryKey, Keys: keys,
					Option: &ast.IndexOption{PrimaryKeyTp: o.PrimaryKeyTp}})
			}
		case ast.ColumnOptionUniqKey:
			if !hasUnique {
				hasUnique = true
				cts = append(cts, &ast.Constraint{Tp: ast.ConstraintUniqKey, Keys: keys})
			}
		case ast.ColumnOptionDefaultValue:
			if err := setDefault(col, o.Expr); err != nil {
				return nil, nil, err
			}
		case ast.ColumnOptionOnUpdate:
			col.OnUpdateNow = true
		case ast.ColumnOptionGenerated:
			var sb strings.Builder
			if err := o.Expr.Restore(format.NewRestoreCtx(restoreFlags, &sb)); err != nil {
				return nil, nil, fmt.Errorf("restore generated expression: %w", err)
			}
			col.GeneratedExpr = sb.String()
			col.GeneratedStored = o.Stored
		case ast.ColumnOptionFulltext:
			b.warnf("column %s: FULLTEXT ignored (TiDB cannot handle FULLTEXT indexes)", name)
		case ast.ColumnOptionCheck:
			// tidb_enable_check_constraint is OFF by default: TiDB only warns.
			b.warnf("column %s: CHECK constraint ignored", name)
		}
	}
	return col, cts, nil
}

// setDefault records a DEFAULT clause (pkg/ddl getDefaultValue): literal
// text, NULL, CURRENT_TIMESTAMP[(fsp)] and its synonyms, or an expression.
func setDefault(col *Column, e ast.ExprNode) error {
	col.HasDefault = true
	col.Default, col.DefaultIsNull, col.DefaultIsNow, col.DefaultIsExpr = "", false, false, false
	neg := false
	if u, ok := e.(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Minus || u.Op == opcode.Plus) {
		if _, lit := u.V.(*test_driver.ValueExpr); lit {
			neg = u.Op == opcode.Minus
			e = u.V
		}
	}
	switch v := e.(type) {
	case *test_driver.ValueExpr:
		text, isNull := literalText(col, v)
		if isNull {
			col.DefaultIsNull = true
			return nil
		}
		if neg {
			text = "-" + text
		}
		col.Default = text
		return nil
	case *ast.FuncCallExpr:
		switch v.FnName.L {
		case ast.CurrentTimestamp, ast.Now, ast.LocalTime, ast.LocalTimestamp, ast.CurrentDate:
			col.DefaultIsNow = true
			return nil
		}
	}
	var sb strings.Builder
	if err := e.Restore(format.NewRestoreCtx(restoreFlags, &sb)); err != nil {
		return fmt.Errorf("restore default expression: %w", err)
	}
	col.Default, col.DefaultIsExpr = sb.String(), true
	return nil
}

func literalText(col *Column, v *test_driver.ValueExpr) (string, bool) {
	switch v.Kind() {
	case test_driver.KindNull:
		return "", true
	case test_driver.KindInt64:
		return strconv.FormatInt(v.GetInt64(), 10), false
	case test_driver.KindUint64:
		return strconv.FormatUint(v.GetUint64(), 10), false
	case test_driver.KindFloat32, test_driver.KindFloat64:
		return strconv.FormatFloat(v.GetFloat64(), 'g', -1, 64), false
	case test_driver.KindMysqlDecimal:
		return v.GetMysqlDecimal().String(), false
	case test_driver.KindBinaryLiteral, test_driver.KindMysqlBit:
		bs := v.GetBytes()
		if TypeNeedsCharset(col.Tp) || col.Charset == charset.CharsetBin && isStringType(col.Tp) {
			return string(bs), false
		}
		// A hex/bit literal default of a numeric column is its unsigned value.
		var u uint64
		for _, c := range bs {
			u = u<<8 | uint64(c)
		}
		return strconv.FormatUint(u, 10), false
	default:
		return v.GetString(), false
	}
}
