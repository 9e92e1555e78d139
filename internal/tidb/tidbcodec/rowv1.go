package tidbcodec

import (
	"fmt"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
)

// AppendRowV1 appends an old-format (v1) row value: for every column,
// varint(colID) then the value datum (TiDB tablecodec EncodeOldRow).
// Columns keep the caller's order; an empty row is the single byte 00.
func AppendRowV1(dst []byte, colIDs []int64, datums []datum.Datum) ([]byte, error) {
	if len(colIDs) != len(datums) {
		return dst, fmt.Errorf("row v1: %d column ids for %d datums", len(colIDs), len(datums))
	}
	if len(colIDs) == 0 {
		return append(dst, FlagNil), nil
	}
	for i := range datums {
		id := datum.NewInt(colIDs[i])
		var err error
		if dst, err = AppendValueDatum(dst, &id); err != nil {
			return dst, err
		}
		if dst, err = AppendValueDatum(dst, &datums[i]); err != nil {
			return dst, fmt.Errorf("row v1 column %d: %w", colIDs[i], err)
		}
	}
	return dst, nil
}

// RowV1Column is one column of a v1 row: the flag-typed datum as stored
// (re-kind it with Recast).
type RowV1Column struct {
	ID    int64
	Datum datum.Datum
}

// DecodeRowV1 decodes an old-format row value, appending to dst.
func DecodeRowV1(b []byte, dst []RowV1Column) ([]RowV1Column, error) {
	if len(b) == 1 && b[0] == FlagNil {
		return dst, nil
	}
	for len(b) > 0 {
		id, rest, err := DecodeDatum(b, nil)
		if err != nil {
			return dst, fmt.Errorf("row v1 column id: %w", err)
		}
		if id.Kind != datum.Int64 {
			return dst, fmt.Errorf("row v1 column id of kind %v: %w", id.Kind, ErrCorrupt)
		}
		d, rest, err := DecodeDatum(rest, nil)
		if err != nil {
			return dst, fmt.Errorf("row v1 column %d: %w", id.I, err)
		}
		dst = append(dst, RowV1Column{ID: id.I, Datum: d})
		b = rest
	}
	return dst, nil
}
