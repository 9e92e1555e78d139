package kvenc

import (
	"fmt"
	"slices"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// DecodeRecord turns a record pair back into a row indexed by column
// offset. Columns absent from the value come back from the handle where
// they live there (the int PK handle; clustered PK columns stored only in
// the key, whose key bytes equal the value because their collation is
// binary-like); every other absent column (NULL skipped, virtual,
// unsupported) comes back as NULL: filling defaults is the caller's job.
// Byte datums alias key and value.
func (e *Encoder) DecodeRecord(key, value []byte) ([]datum.Datum, tidbcodec.Handle, error) {
	tableID, h, err := tidbcodec.DecodeRecordKey(key)
	if err != nil {
		return nil, h, err
	}
	if !slices.Contains(e.physIDs, tableID) {
		return nil, h, fmt.Errorf("kvenc: record of table %d decoded as table %s (%d)", tableID, e.t.Name, e.t.ID)
	}
	row := make([]datum.Datum, len(e.cols))
	present := make([]bool, len(e.cols))
	byID := make(map[int64]int, len(e.cols))
	for i := range e.cols {
		if e.cols[i].kind != datum.Null {
			byID[e.cols[i].id] = i
		}
	}
	if len(value) > 0 && value[0] == tidbcodec.RowV2CodecVer {
		var r tidbcodec.RowV2
		if err := tidbcodec.ParseRowV2(value, &r); err != nil {
			return nil, h, err
		}
		for i := range e.cols {
			ci := &e.cols[i]
			if ci.kind == datum.Null {
				continue
			}
			raw, found, isNull := r.Value(ci.id)
			if !found {
				continue
			}
			present[i] = true
			if isNull {
				continue
			}
			if row[i], err = tidbcodec.DecodeValueV2(raw, ci.kind, ci.frac); err != nil {
				return nil, h, fmt.Errorf("kvenc: column %s: %w", e.t.Columns[i].Name, err)
			}
		}
	} else {
		cols, err := tidbcodec.DecodeRowV1(value, nil)
		if err != nil {
			return nil, h, err
		}
		for _, c := range cols {
			i, ok := byID[c.ID]
			if !ok {
				continue
			}
			present[i] = true
			if row[i], err = tidbcodec.Recast(c.Datum, e.cols[i].kind, e.cols[i].frac); err != nil {
				return nil, h, fmt.Errorf("kvenc: column %s: %w", e.t.Columns[i].Name, err)
			}
		}
	}
	switch {
	case e.t.PKIsHandle:
		if !h.IsInt() {
			return nil, h, fmt.Errorf("kvenc: table %s expects an int handle: %w", e.t.Name, tidbcodec.ErrCorrupt)
		}
		off := e.t.HandleOffset
		if e.cols[off].kind == datum.Uint64 {
			row[off] = datum.NewUint(uint64(h.IntValue()))
		} else {
			row[off] = datum.NewInt(h.IntValue())
		}
	case e.t.IsCommonHandle:
		if h.IsInt() {
			return nil, h, fmt.Errorf("kvenc: table %s expects a common handle: %w", e.t.Name, tidbcodec.ErrCorrupt)
		}
		rest := h.Encoded()
		for _, ic := range e.pk.Columns {
			var d datum.Datum
			if d, rest, err = tidbcodec.DecodeKeyDatum(rest, nil); err != nil {
				return nil, h, fmt.Errorf("kvenc: common handle: %w", err)
			}
			if present[ic.Offset] {
				continue
			}
			ci := &e.cols[ic.Offset]
			if row[ic.Offset], err = tidbcodec.Recast(d, ci.kind, ci.frac); err != nil {
				return nil, h, fmt.Errorf("kvenc: common handle column %s: %w", e.t.Columns[ic.Offset].Name, err)
			}
		}
	}
	return row, h, nil
}
