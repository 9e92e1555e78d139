package kvenc

import (
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// colInfo is what encoding needs per column, computed once per table.
type colInfo struct {
	id   int64
	kind datum.Kind // stored datum kind; Null for columns never encoded
	frac int8
	// coll is the sort-key collator for non-binary strings; nil = raw bytes.
	coll collate.Collator
	// skipRow: left out of the row value whatever the value (TiDB
	// tables.go CanSkip rules 1, 2 and 4; unsupported types).
	skipRow bool
	// nullSkip: a NULL is left out too (default NULL, CanSkip rule 3).
	nullSkip bool
	// needRestore is types.NeedRestoredData for this column.
	needRestore bool
	// binColl: a *_bin PAD SPACE collation (collate.IsBinCollation).
	binColl bool
	// byteLen: prefix lengths count bytes (charset binary or ascii).
	byteLen bool
	pk      bool
}

// columnKind maps a MySQL type code to the datum kind TiDB stores.
func columnKind(c *tablemodel.Column) (datum.Kind, bool) {
	switch c.Tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		if c.Unsigned {
			return datum.Uint64, true
		}
		return datum.Int64, true
	case mysql.TypeYear:
		return datum.Int64, true
	case mysql.TypeFloat:
		return datum.Float32, true
	case mysql.TypeDouble:
		return datum.Float64, true
	case mysql.TypeNewDecimal:
		return datum.Decimal, true
	case mysql.TypeDate, mysql.TypeDatetime, mysql.TypeTimestamp, mysql.TypeNewDate:
		return datum.Time, true
	case mysql.TypeDuration:
		return datum.Duration, true
	case mysql.TypeEnum:
		return datum.Enum, true
	case mysql.TypeSet:
		return datum.Set, true
	case mysql.TypeBit:
		return datum.Bit, true
	case mysql.TypeJSON:
		return datum.JSON, true
	case mysql.TypeVarchar, mysql.TypeVarString, mysql.TypeString,
		mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob, mysql.TypeBlob:
		if isBinaryCharset(c) {
			return datum.Bytes, true
		}
		return datum.String, true
	}
	return datum.Null, false
}

func isBinaryCharset(c *tablemodel.Column) bool {
	return strings.EqualFold(c.Charset, "binary") || strings.EqualFold(c.Collate, "binary")
}

// isStringType is TiDB types.IsString: CHAR, VARCHAR, BLOB/TEXT types.
func isStringType(tp byte) bool {
	switch tp {
	case mysql.TypeVarchar, mysql.TypeVarString, mysql.TypeString,
		mysql.TypeTinyBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob, mysql.TypeBlob:
		return true
	}
	return false
}

// isBinCollation is TiDB collate.IsBinCollation: the PAD SPACE *_bin ones.
func isBinCollation(name string) bool {
	switch strings.ToLower(name) {
	case "utf8mb4_bin", "utf8_bin", "ascii_bin", "latin1_bin", "gbk_bin", "gb18030_bin":
		return true
	}
	return false
}

// needRestoredData is TiDB types.NeedRestoredData: with new collation on,
// a non-binary string whose collation is not a *_bin one, or a VARCHAR with
// a *_bin one; utf8mb4_0900_bin never.
func needRestoredData(c *tablemodel.Column, newCollation bool) bool {
	if !newCollation || !isStringType(c.Tp) || isBinaryCharset(c) {
		return false
	}
	if strings.EqualFold(c.Collate, "utf8mb4_0900_bin") {
		return false
	}
	isVarchar := c.Tp == mysql.TypeVarchar || c.Tp == mysql.TypeVarString
	return !isBinCollation(c.Collate) || isVarchar
}

// defaultIsNull says TiDB's col.GetDefaultValue() is nil.
func defaultIsNull(c *tablemodel.Column) bool {
	return (!c.HasDefault || c.DefaultIsNull) && !c.DefaultIsNow
}
