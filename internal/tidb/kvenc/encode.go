package kvenc

import (
	"fmt"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// Encode appends the KV pairs of one row to dst: the record pair, then one
// pair per index in index order (the clustered PRIMARY index excepted).
//
// row is indexed by column offset and holds converted values (generated
// columns computed; unsupported columns ignored). rowID is the row's
// _tidb_rowid, also used as the handle of a NULL AUTO_INCREMENT or
// AUTO_RANDOM primary key. row is not modified. On error dst is left as
// it was.
func (e *Encoder) Encode(row []datum.Datum, rowID int64, dst *Pairs) error {
	if len(row) != len(e.cols) {
		return fmt.Errorf("kvenc: table %s: row has %d values, table %d columns", e.t.Name, len(row), len(e.cols))
	}
	mark := dst.Len()
	if err := e.encode(row, rowID, dst); err != nil {
		dst.truncate(mark)
		return fmt.Errorf("kvenc: table %s row %d: %w", e.t.Name, rowID, err)
	}
	return nil
}

func (e *Encoder) encode(row []datum.Datum, rowID int64, dst *Pairs) error {
	if e.autoRandom && !e.t.PKIsHandle && row[e.arOffset].Kind == datum.Null {
		// An AUTO_RANDOM column of a clustered composite key with no
		// value: Lightning's getActualDatum gives it AutoIDFn(rowID), the
		// shard over the row ID, like an int handle.
		copy(e.rowCopy, row)
		row = e.rowCopy
		v := e.autoRandomHandle(rowID)
		if e.t.Columns[e.arOffset].Unsigned {
			row[e.arOffset] = datum.NewUint(uint64(v))
		} else {
			row[e.arOffset] = datum.NewInt(v)
		}
	}
	var h tidbcodec.Handle
	switch {
	case e.t.PKIsHandle:
		off := e.t.HandleOffset
		d := &row[off]
		switch d.Kind {
		case datum.Int64:
			h = tidbcodec.IntHandle(d.I)
		case datum.Uint64:
			h = tidbcodec.IntHandle(int64(d.U)) // unsigned PKs are reinterpreted (SPEC §1.2)
		case datum.Null:
			c := e.t.Columns[off]
			var v int64
			switch {
			case e.autoRandom:
				v = e.autoRandomHandle(rowID)
			case c.AutoIncrement:
				v = rowID
			default:
				return ErrNullHandle
			}
			copy(e.rowCopy, row)
			row = e.rowCopy
			if c.Unsigned {
				row[off] = datum.NewUint(uint64(v))
			} else {
				row[off] = datum.NewInt(v)
			}
			h = tidbcodec.IntHandle(v)
		default:
			return fmt.Errorf("handle column holds a %v", d.Kind)
		}
	case e.t.IsCommonHandle:
		buf := e.handleBuf[:0]
		for _, ic := range e.pk.Columns {
			ci := &e.cols[ic.Offset]
			d := truncatePrefix(row[ic.Offset], ci, ic.Length)
			var err error
			if buf, err = tidbcodec.AppendKeyDatum(buf, &d, ci.coll); err != nil {
				return fmt.Errorf("primary key column %s: %w", e.t.Columns[ic.Offset].Name, err)
			}
		}
		e.handleBuf = buf
		h = tidbcodec.CommonHandle(buf)
	default:
		h = tidbcodec.IntHandle(e.rowIDHandle(rowID))
	}

	if e.part != nil {
		// After the handle: a NULL auto-increment key partitions by the
		// value it was given.
		i, err := e.part.Locate(row)
		if err != nil {
			return err
		}
		e.usePhysicalID(e.t.Partition.Defs[i].ID)
	}

	// Record pair.
	dst.buf = append(dst.buf, e.recPrefix...)
	if h.IsInt() {
		dst.buf = tidbcodec.AppendCmpInt(dst.buf, h.IntValue())
	} else {
		dst.buf = append(dst.buf, h.Encoded()...)
	}
	dst.endKey()
	ids, vals, whole := e.rowIDs, row[:len(e.cols)], e.rowIDs != nil
	for _, i := range e.nullSkips {
		if !whole {
			break
		}
		whole = row[i].Kind != datum.Null
	}
	if !whole {
		ids, vals = e.ids[:0], e.vals[:0]
		for i := range e.cols {
			ci := &e.cols[i]
			if ci.skipRow || (ci.nullSkip && row[i].Kind == datum.Null) {
				continue
			}
			ids = append(ids, ci.id)
			vals = append(vals, row[i])
		}
		e.ids, e.vals = ids, vals
	}
	var err error
	if e.opts.RowFormatV1 {
		dst.buf, err = tidbcodec.AppendRowV1(dst.buf, ids, vals)
	} else {
		dst.buf, err = e.rowEnc.Encode(dst.buf, ids, vals)
	}
	if err != nil {
		return fmt.Errorf("record value: %w", err)
	}
	dst.endValue()

	for k := range e.indexes {
		if err := e.encodeIndex(&e.indexes[k], row, h, dst); err != nil {
			return fmt.Errorf("index %s: %w", e.indexes[k].meta.Name, err)
		}
	}
	return nil
}

func (e *Encoder) encodeIndex(ix *indexInfo, row []datum.Datum, h tidbcodec.Handle, dst *Pairs) error {
	meta := ix.meta
	distinct := meta.Unique
	vals := e.vals[:0]
	ids := e.ids[:0]
	for _, ic := range meta.Columns {
		d := row[ic.Offset]
		if d.Kind == datum.Null {
			distinct = false // a NULL makes a unique index non-distinct
		}
		vals = append(vals, truncatePrefix(d, &e.cols[ic.Offset], ic.Length))
		ids = append(ids, e.cols[ic.Offset].id)
	}
	// Key.
	dst.buf = append(dst.buf, ix.prefix...)
	var err error
	for j, ic := range meta.Columns {
		if dst.buf, err = tidbcodec.AppendKeyDatum(dst.buf, &vals[j], e.cols[ic.Offset].coll); err != nil {
			return err
		}
	}
	global := meta.Global && e.part != nil
	if !distinct {
		if global && meta.GlobalIndexVersion >= 1 {
			// The handle is unique within a partition only.
			dst.buf = tidbcodec.AppendCmpInt(append(dst.buf, tidbcodec.PartitionIDFlag), e.physID)
		}
		dst.buf = tidbcodec.AppendIndexHandleSuffix(dst.buf, h)
	}
	dst.endKey()

	// Value.
	iv := tidbcodec.IndexValue{Distinct: distinct, Handle: h, Global: global, PartitionID: e.physID}
	var layout tidbcodec.IndexLayout
	if e.commonV1 {
		layout = tidbcodec.LayoutClusteredV1
		needRestore := !e.opts.DisableNewCollation && (ix.needRestore || len(e.pkRestore) > 0)
		dst.buf = tidbcodec.AppendIndexValue(dst.buf, layout, &iv)
		if needRestore {
			ids, vals = e.clusteredRestored(ix, row, vals, ids[:0])
			if dst.buf, err = e.rowEnc.Encode(dst.buf, ids, vals); err != nil {
				return fmt.Errorf("restored data: %w", err)
			}
		}
	} else {
		layout = tidbcodec.ChooseIndexLayout(false, distinct, !h.IsInt(), global, ix.needRestore)
		if ix.needRestore {
			// Version 0 restored data is a row of ALL index columns with
			// their (prefix-truncated) values. Build it first, then the
			// value around it.
			start := len(dst.buf)
			dst.buf = append(dst.buf, 0)
			if distinct && !h.IsInt() {
				dst.buf = append(dst.buf, tidbcodec.CommonHandleFlag, byte(len(h.Encoded())>>8), byte(len(h.Encoded())))
				dst.buf = append(dst.buf, h.Encoded()...)
			}
			if global {
				dst.buf = tidbcodec.AppendCmpInt(append(dst.buf, tidbcodec.PartitionIDFlag), e.physID)
			}
			if dst.buf, err = e.rowEnc.Encode(dst.buf, ids, vals); err != nil {
				return fmt.Errorf("restored data: %w", err)
			}
			dst.buf = finishVersion0(dst.buf, start, distinct, h)
		} else {
			dst.buf = tidbcodec.AppendIndexValue(dst.buf, layout, &iv)
		}
	}
	e.ids, e.vals = ids, vals
	dst.endValue()
	return nil
}

// finishVersion0 writes the tail of a version 0 value whose options start
// at buf[start+1:] (TiDB genIndexValueVersion0): the int handle of a
// distinct index, or zero padding up to 10 bytes.
func finishVersion0(buf []byte, start int, distinct bool, h tidbcodec.Handle) []byte {
	tail := 0
	if h.IsInt() && distinct {
		tail = 8
		v := uint64(h.IntValue())
		buf = append(buf, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	} else if n := len(buf) - start; n < 10 {
		tail = 10 - n
		for i := 0; i < tail; i++ {
			buf = append(buf, 0)
		}
	}
	buf[start] = byte(tail)
	return buf
}

// clusteredRestored builds the restored data of a CommonHandleVersion 1
// index (TiDB GenIndexValueForClusteredIndexVersion1 and tables.go
// TryGetHandleRestoredDataWrapper): non-PK index columns needing it (a
// *_bin one as its trailing-space count, unsigned), then every PK column
// needing it (a *_bin one as its trailing-space count, signed).
func (e *Encoder) clusteredRestored(ix *indexInfo, row []datum.Datum, idxVals []datum.Datum, ids []int64) ([]int64, []datum.Datum) {
	// idxVals aliases e.vals; the restored datums go after them.
	n := len(idxVals)
	out := idxVals
	for j, ic := range ix.meta.Columns {
		ci := &e.cols[ic.Offset]
		if ci.pk || !ci.needRestore {
			continue
		}
		ids = append(ids, ci.id)
		d := idxVals[j]
		if ci.binColl && d.Kind != datum.Null {
			d = datum.NewUint(uint64(tailSpaces(d.B)))
		}
		out = append(out, d)
	}
	for _, j := range e.pkRestore {
		pic := e.pk.Columns[j]
		ci := &e.cols[pic.Offset]
		length := pic.Length
		for _, ic := range ix.meta.Columns {
			if ic.Offset == pic.Offset {
				length = maxIndexLen(pic, ic)
				break
			}
		}
		d := truncatePrefix(row[pic.Offset], ci, length)
		if ci.binColl && d.Kind != datum.Null {
			d = datum.NewInt(int64(tailSpaces(d.B)))
		}
		ids = append(ids, ci.id)
		out = append(out, d)
	}
	e.vals = out
	return ids, out[n:]
}

// maxIndexLen is TiDB tables.go maxIndexLen: the longer prefix, whole
// value (-1) winning.
func maxIndexLen(a, b tablemodel.IndexColumn) int {
	if a.Length < 0 || b.Length < 0 {
		return -1
	}
	return max(a.Length, b.Length)
}
