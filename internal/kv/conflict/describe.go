package conflict

import (
	"fmt"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// DescribeKey names a table key for people: "PRIMARY (handle)" for a
// record key, "index <name> (values)" for an index key. indexName maps an
// index id to its name (nil or "": the id is shown).
func DescribeKey(key []byte, indexName func(id int64) string) string {
	if tidbcodec.IsRecordKey(key) {
		if _, h, err := tidbcodec.DecodeRecordKey(key); err == nil {
			return fmt.Sprintf("PRIMARY (%s)", h)
		}
	}
	if _, id, rest, err := tidbcodec.DecodeIndexKeyPrefix(key); err == nil {
		name := ""
		if indexName != nil {
			name = indexName(id)
		}
		if name == "" {
			name = fmt.Sprint(id)
		}
		var vals []string
		for len(rest) > 0 {
			d, r, err := tidbcodec.DecodeKeyDatum(rest, nil)
			if err != nil {
				vals = append(vals, fmt.Sprintf("%x", rest))
				break
			}
			vals = append(vals, keyValue(d))
			rest = r
		}
		return fmt.Sprintf("index %s (%s)", name, strings.Join(vals, ", "))
	}
	return fmt.Sprintf("key %x", key)
}

// keyValue shows a value decoded from a key (memcomparable form: strings
// of a _ci collation are their sort keys, not the text).
func keyValue(d datum.Datum) string {
	switch d.Kind {
	case datum.Null:
		return "NULL"
	case datum.Int64, datum.Duration:
		return fmt.Sprint(d.I)
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		return fmt.Sprint(d.U)
	case datum.Float32, datum.Float64:
		return fmt.Sprint(d.F)
	case datum.String, datum.Bytes:
		return fmt.Sprintf("%q", d.B)
	}
	return fmt.Sprintf("%x", d.B)
}
