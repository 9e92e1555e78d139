package tidbcodec

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
)

// Row format v2 constants (TiDB pkg/util/rowcodec/common.go).
const (
	// RowV2CodecVer is the first byte of every row v2 value.
	RowV2CodecVer byte = 0x80
	rowFlagLarge  byte = 1
	rowFlagCksum  byte = 2
	rowHeaderLen       = 6
)

// RowEncoder lays out row format v2 values (TiDB rowcodec Encoder). It is
// reusable: after the first rows it allocates nothing. Not safe for
// concurrent use.
type RowEncoder struct {
	order   []int // indexes of not-null datums, sorted by column id
	nullIDs []int64
	ends    []uint32
	data    []byte
}

// Encode appends the row v2 value of the given columns to dst. Null datums
// are listed in the null-id array; callers leave out the columns TiDB
// skips (CanSkip). Ids are sorted here, as TiDB's encoder does.
func (e *RowEncoder) Encode(dst []byte, colIDs []int64, datums []datum.Datum) ([]byte, error) {
	if len(colIDs) != len(datums) {
		return dst, fmt.Errorf("row v2: %d column ids for %d datums", len(colIDs), len(datums))
	}
	large, sorted, prev, nulls := false, true, int64(-1), 0
	for i := range datums {
		id := colIDs[i]
		if id < 0 || id > math.MaxUint32 {
			return dst, fmt.Errorf("row v2: column id %d out of range", id)
		}
		if id > 255 {
			large = true // null ids count too (SPEC §12.9)
		}
		if id < prev {
			sorted = false
		}
		prev = id
		if datums[i].Kind == datum.Null {
			nulls++
		}
	}
	if len(datums)-nulls > math.MaxUint16 || nulls > math.MaxUint16 {
		return dst, fmt.Errorf("row v2: too many columns (%d)", len(datums))
	}
	if sorted && !large {
		// Ids in ascending order (a table's columns in definition order)
		// that fit a byte: the common row, written in place.
		if out, ok, err := encodeSorted(dst, colIDs, datums, nulls); ok || err != nil {
			return out, err
		}
	}
	e.order = e.order[:0]
	e.nullIDs = e.nullIDs[:0]
	for i := range datums {
		if datums[i].Kind == datum.Null {
			e.nullIDs = append(e.nullIDs, colIDs[i])
		} else {
			e.order = append(e.order, i)
		}
	}
	sortByID(e.order, colIDs)
	if len(e.nullIDs) > 1 {
		slices.Sort(e.nullIDs)
	}
	return e.encodeLarge(dst, colIDs, datums, large)
}

// encodeSorted lays out a row whose ids ascend and fit a byte, writing the
// values straight after the header; ok is false, with dst as it was, when
// the data area passes 64 KiB and the row needs the large layout.
func encodeSorted(dst []byte, colIDs []int64, datums []datum.Datum, nulls int) (out []byte, ok bool, err error) {
	nn := len(datums) - nulls
	start := len(dst)
	dst = growCap(dst, rowHeaderLen+nn*3+nulls+8*nn)
	dst = append(dst, RowV2CodecVer, 0, byte(nn), byte(nn>>8), byte(nulls), byte(nulls>>8))
	if nulls == 0 {
		for _, id := range colIDs {
			dst = append(dst, byte(id))
		}
	} else {
		for i := range datums {
			if datums[i].Kind != datum.Null {
				dst = append(dst, byte(colIDs[i]))
			}
		}
		for i := range datums {
			if datums[i].Kind == datum.Null {
				dst = append(dst, byte(colIDs[i]))
			}
		}
	}
	endsAt := len(dst)
	dst = dst[:endsAt+2*nn] // offsets, written below
	dataAt, k := len(dst), 0
	for i := range datums {
		d := &datums[i]
		if d.Kind == datum.Null {
			continue
		}
		if dst, err = appendValueV2(dst, d); err != nil {
			return dst[:start], false, fmt.Errorf("row v2 column %d: %w", colIDs[i], err)
		}
		end := len(dst) - dataAt
		if end > math.MaxUint16 {
			return dst[:start], false, nil
		}
		binary.LittleEndian.PutUint16(dst[endsAt+2*k:], uint16(end))
		k++
	}
	return dst, true, nil
}

// encodeLarge lays out a row in the large layout (ids past 255, or a data
// area past 64 KiB, found as the values are written), through the data
// buffer.
func (e *RowEncoder) encodeLarge(dst []byte, colIDs []int64, datums []datum.Datum, large bool) ([]byte, error) {
	e.data = e.data[:0]
	e.ends = e.ends[:0]
	for _, i := range e.order {
		var err error
		e.data, err = appendValueV2(e.data, &datums[i])
		if err != nil {
			return dst, fmt.Errorf("row v2 column %d: %w", colIDs[i], err)
		}
		if uint64(len(e.data)) > math.MaxUint32 {
			return dst, fmt.Errorf("row v2: data area over 4 GiB")
		}
		e.ends = append(e.ends, uint32(len(e.data)))
	}
	if len(e.data) > math.MaxUint16 {
		large = true
	}
	flags := byte(0)
	idSize, offSize := 1, 2
	if large {
		flags |= rowFlagLarge
		idSize, offSize = 4, 4
	}
	dst = growCap(dst, rowHeaderLen+(len(e.order)+len(e.nullIDs))*idSize+len(e.ends)*offSize+len(e.data))
	dst = append(dst, RowV2CodecVer, flags)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(e.order)))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(e.nullIDs)))
	if large {
		for _, i := range e.order {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(colIDs[i]))
		}
		for _, id := range e.nullIDs {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(id))
		}
		for _, off := range e.ends {
			dst = binary.LittleEndian.AppendUint32(dst, off)
		}
	} else {
		for _, i := range e.order {
			dst = append(dst, byte(colIDs[i]))
		}
		for _, id := range e.nullIDs {
			dst = append(dst, byte(id))
		}
		for _, off := range e.ends {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(off))
		}
	}
	return append(dst, e.data...), nil
}

// sortByID sorts idx by ids[idx[i]]; rows are short, so insertion sort.
func sortByID(idx []int, ids []int64) {
	if len(idx) > 64 {
		slices.SortFunc(idx, func(a, b int) int {
			switch {
			case ids[a] < ids[b]:
				return -1
			case ids[a] > ids[b]:
				return 1
			}
			return 0
		})
		return
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && ids[idx[j-1]] > ids[idx[j]]; j-- {
			idx[j-1], idx[j] = idx[j], idx[j-1]
		}
	}
}

// AppendValueV2 appends the row v2 data-area bytes of one not-null datum
// (TiDB rowcodec encodeValueDatum).
func AppendValueV2(dst []byte, d *datum.Datum) ([]byte, error) { return appendValueV2(dst, d) }

func appendValueV2(dst []byte, d *datum.Datum) ([]byte, error) {
	switch d.Kind {
	case datum.Int64, datum.Duration:
		return appendCompactInt(dst, d.I), nil
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		return appendCompactUint(dst, d.U), nil
	case datum.Float32, datum.Float64:
		return AppendCmpFloat(dst, d.F), nil
	case datum.String, datum.Bytes, datum.JSON:
		return append(dst, d.B...), nil
	case datum.Decimal:
		return appendDecimal(dst, d.Prec, d.Frac, d.B)
	}
	return dst, fmt.Errorf("row v2 value kind %v: %w", d.Kind, ErrUnsupported)
}

// DecodeValueV2 decodes one row v2 data-area value into a datum of kind
// (the column's stored kind); frac is the fsp for Time/Duration. Byte
// results alias b.
func DecodeValueV2(b []byte, kind datum.Kind, frac int8) (d datum.Datum, err error) {
	d.Kind = kind
	switch kind {
	case datum.Int64, datum.Duration:
		d.I, err = DecodeCompactInt(b)
	case datum.Uint64, datum.Time, datum.Enum, datum.Set, datum.Bit:
		d.U, err = DecodeCompactUint(b)
	case datum.Float32, datum.Float64:
		if len(b) != 8 {
			return d, fmt.Errorf("row v2 float of %d bytes: %w", len(b), ErrCorrupt)
		}
		d.F = DecodeCmpUintToFloat(binary.BigEndian.Uint64(b))
	case datum.String, datum.Bytes:
		d.B = b
	case datum.JSON:
		if len(b) == 0 {
			return d, fmt.Errorf("row v2 json empty: %w", ErrCorrupt)
		}
		d.B = b
	case datum.Decimal:
		var rest []byte
		d.Prec, d.Frac, d.B, rest, err = decodeDecimal(b)
		if err == nil && len(rest) != 0 {
			err = fmt.Errorf("row v2 decimal has %d extra bytes: %w", len(rest), ErrCorrupt)
		}
	default:
		return d, fmt.Errorf("row v2 value kind %v: %w", kind, ErrUnsupported)
	}
	if kind == datum.Time || kind == datum.Duration {
		d.Frac = frac
	}
	return d, err
}

// RowV2 is a parsed row v2 value; its slices alias the input or are reused
// across ParseRowV2 calls on the same RowV2.
type RowV2 struct {
	Large bool
	// NotNullIDs are ascending; Ends[i] is the end offset of value i in Data.
	NotNullIDs []int64
	NullIDs    []int64
	Ends       []uint32
	Data       []byte
	// HasChecksum reports a checksum trailer; ChecksumHeader, Checksum and
	// ExtraChecksum (when the header's bit 3 is set) are its fields.
	HasChecksum    bool
	ChecksumHeader byte
	Checksum       uint32
	ExtraChecksum  uint32
}

// ParseRowV2 parses b into r (TiDB rowcodec row.fromBytes), accepting the
// checksum trailer.
func ParseRowV2(b []byte, r *RowV2) error {
	if len(b) < rowHeaderLen || b[0] != RowV2CodecVer {
		return fmt.Errorf("row v2: bad header %x: %w", b[:min(len(b), rowHeaderLen)], ErrCorrupt)
	}
	flags := b[1]
	r.Large = flags&rowFlagLarge != 0
	r.HasChecksum = flags&rowFlagCksum != 0
	nn := int(binary.LittleEndian.Uint16(b[2:]))
	nl := int(binary.LittleEndian.Uint16(b[4:]))
	b = b[rowHeaderLen:]
	idSize, offSize := 1, 2
	if r.Large {
		idSize, offSize = 4, 4
	}
	need := (nn+nl)*idSize + nn*offSize
	if len(b) < need {
		return fmt.Errorf("row v2: %d not-null and %d null columns need %d bytes, have %d: %w", nn, nl, need, len(b), ErrCorrupt)
	}
	r.NotNullIDs = r.NotNullIDs[:0]
	r.NullIDs = r.NullIDs[:0]
	r.Ends = r.Ends[:0]
	for i := 0; i < nn+nl; i++ {
		var id int64
		if r.Large {
			id = int64(binary.LittleEndian.Uint32(b[i*4:]))
		} else {
			id = int64(b[i])
		}
		if i < nn {
			r.NotNullIDs = append(r.NotNullIDs, id)
		} else {
			r.NullIDs = append(r.NullIDs, id)
		}
	}
	b = b[(nn+nl)*idSize:]
	prev := uint32(0)
	for i := 0; i < nn; i++ {
		var off uint32
		if r.Large {
			off = binary.LittleEndian.Uint32(b[i*4:])
		} else {
			off = uint32(binary.LittleEndian.Uint16(b[i*2:]))
		}
		if off < prev {
			return fmt.Errorf("row v2: offsets not ascending: %w", ErrCorrupt)
		}
		prev = off
		r.Ends = append(r.Ends, off)
	}
	b = b[nn*offSize:]
	if uint64(prev) > uint64(len(b)) {
		return fmt.Errorf("row v2: data area %d bytes, offsets reach %d: %w", len(b), prev, ErrCorrupt)
	}
	r.Data = b[:prev]
	tail := b[prev:]
	r.ChecksumHeader, r.Checksum, r.ExtraChecksum = 0, 0, 0
	if r.HasChecksum {
		if len(tail) < 5 {
			return fmt.Errorf("row v2: checksum trailer of %d bytes: %w", len(tail), ErrCorrupt)
		}
		r.ChecksumHeader = tail[0]
		r.Checksum = binary.LittleEndian.Uint32(tail[1:])
		tail = tail[5:]
		if r.ChecksumHeader&0x08 != 0 {
			if len(tail) < 4 {
				return fmt.Errorf("row v2: extra checksum truncated: %w", ErrCorrupt)
			}
			r.ExtraChecksum = binary.LittleEndian.Uint32(tail)
			tail = tail[4:]
		}
	}
	if len(tail) != 0 {
		return fmt.Errorf("row v2: %d trailing bytes: %w", len(tail), ErrCorrupt)
	}
	return nil
}

// Value returns the raw bytes of column id: found is false when the row
// does not mention it, isNull when it is in the null list.
func (r *RowV2) Value(id int64) (raw []byte, found, isNull bool) {
	if i, ok := slices.BinarySearch(r.NotNullIDs, id); ok {
		start := uint32(0)
		if i > 0 {
			start = r.Ends[i-1]
		}
		return r.Data[start:r.Ends[i]], true, false
	}
	if _, ok := slices.BinarySearch(r.NullIDs, id); ok {
		return nil, true, true
	}
	return nil, false, false
}

// ColumnValue is one column of a decoded row, raw bytes as stored.
type ColumnValue struct {
	ID     int64
	Raw    []byte
	IsNull bool
}

// DecodeRowV2 parses b and lists its columns (not-null then null ones).
func DecodeRowV2(b []byte) ([]ColumnValue, error) {
	var r RowV2
	if err := ParseRowV2(b, &r); err != nil {
		return nil, err
	}
	out := make([]ColumnValue, 0, len(r.NotNullIDs)+len(r.NullIDs))
	for _, id := range r.NotNullIDs {
		raw, _, _ := r.Value(id)
		out = append(out, ColumnValue{ID: id, Raw: raw})
	}
	for _, id := range r.NullIDs {
		out = append(out, ColumnValue{ID: id, IsNull: true})
	}
	return out, nil
}
