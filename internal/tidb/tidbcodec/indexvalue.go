package tidbcodec

import (
	"encoding/binary"
	"fmt"
)

// Index value markers (TiDB pkg/tablecodec/tablecodec.go).
const (
	// IndexVersionFlag introduces the version byte of a versioned value.
	IndexVersionFlag byte = 0x7d
	// CommonHandleFlag introduces a length-prefixed common handle.
	CommonHandleFlag byte = 0x7f
	// PartitionIDFlag introduces a partition id (global indexes).
	PartitionIDFlag byte = 0x7e
	// UntouchedFlag ('1') marks an untouched index value.
	UntouchedFlag byte = '1'
	// MaxOldEncodeValueLen is the longest old-format value.
	MaxOldEncodeValueLen = 9
	// minVersion0Len is the padded minimum length of a version 0 value.
	minVersion0Len = 10
)

// IndexLayout names one of TiDB's index value layouts (SPEC §7).
type IndexLayout uint8

// The index value layouts.
const (
	// LayoutOld: 8-byte handle for distinct, '0' otherwise.
	LayoutOld IndexLayout = iota
	// LayoutVersion0: tail length, options, padding, [int handle].
	LayoutVersion0
	// LayoutClusteredV1: 00 7d 01, options; for CommonHandleVersion 1 tables.
	LayoutClusteredV1
)

// ChooseIndexLayout picks the value layout as TiDB's GenIndexValuePortal
// and genIndexValueVersion0 do.
func ChooseIndexLayout(commonHandleV1, distinct, commonHandle, global, needRestoredData bool) IndexLayout {
	switch {
	case commonHandleV1:
		return LayoutClusteredV1
	case (distinct && commonHandle) || global || needRestoredData:
		return LayoutVersion0
	}
	return LayoutOld
}

// IndexValue holds what an index value can carry.
type IndexValue struct {
	// Distinct: unique index without NULL values (handle goes in the value).
	Distinct bool
	// Handle of the row.
	Handle Handle
	// Global index: PartitionID is written.
	Global      bool
	PartitionID int64
	// Restored is a row v2 body (starting 0x80) or nil.
	Restored []byte
	// Untouched appends the untouched flag (importers never set it).
	Untouched bool
}

// AppendIndexValue appends the index value in the given layout (TiDB
// tablecodec_genindex.go genIndexValueVersion0,
// GenIndexValueForClusteredIndexVersion1).
func AppendIndexValue(dst []byte, layout IndexLayout, v *IndexValue) []byte {
	switch layout {
	case LayoutClusteredV1:
		start := len(dst)
		dst = append(dst, 0, IndexVersionFlag, 1)
		if v.Distinct {
			dst = appendCommonHandleSeg(dst, v.Handle)
		}
		if v.Global {
			dst = AppendCmpInt(append(dst, PartitionIDFlag), v.PartitionID)
		}
		dst = append(dst, v.Restored...)
		if v.Untouched {
			dst = append(dst, UntouchedFlag)
			dst[start] = 1
		}
		return dst
	case LayoutVersion0:
		start := len(dst)
		dst = append(dst, 0)
		if v.Distinct && !v.Handle.IsInt() {
			dst = appendCommonHandleSeg(dst, v.Handle)
		}
		if v.Global {
			dst = AppendCmpInt(append(dst, PartitionIDFlag), v.PartitionID)
		}
		dst = append(dst, v.Restored...)
		tail := 0
		if v.Handle.IsInt() && v.Distinct {
			tail = 8
			dst = binary.BigEndian.AppendUint64(dst, uint64(v.Handle.IntValue()))
		} else if n := len(dst) - start; n < minVersion0Len {
			tail = minVersion0Len - n
			for i := 0; i < tail; i++ {
				dst = append(dst, 0)
			}
		}
		if v.Untouched {
			tail++
			dst = append(dst, UntouchedFlag)
		}
		dst[start] = byte(tail)
		return dst
	}
	n := len(dst)
	if v.Distinct {
		if v.Handle.IsInt() {
			dst = binary.BigEndian.AppendUint64(dst, uint64(v.Handle.IntValue()))
		} else {
			// EncodeHandleInUniqueIndexValue for a common handle; only
			// reachable through old-format callers that never hit it in TiDB.
			dst = appendCommonHandleSeg(append(dst, 0), v.Handle)
		}
	}
	if v.Untouched {
		dst = append(dst, UntouchedFlag)
	}
	if len(dst) == n {
		dst = append(dst, '0')
	}
	return dst
}

func appendCommonHandleSeg(dst []byte, h Handle) []byte {
	enc := h.Encoded()
	dst = append(dst, CommonHandleFlag)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(enc)))
	return append(dst, enc...)
}

// ParsedIndexValue is a decoded index value; slices alias the input.
type ParsedIndexValue struct {
	Layout IndexLayout
	// Version is the clustered layout version byte (1) when Layout is
	// LayoutClusteredV1.
	Version byte
	// HasIntHandle and IntHandle: the handle stored by a distinct index of
	// an int-handle table.
	HasIntHandle bool
	IntHandle    int64
	// CommonHandle bytes (distinct index of a common-handle table) or nil.
	CommonHandle []byte
	// HasPartitionID and PartitionID: global index.
	HasPartitionID bool
	PartitionID    int64
	// Restored is the row v2 body of restored data, or nil.
	Restored  []byte
	Untouched bool
}

// ParseIndexValue decodes any index value (SPEC §7.5; TiDB
// SplitIndexValue plus the untouched-flag rules).
func ParseIndexValue(b []byte) (p ParsedIndexValue, err error) {
	if len(b) == 0 {
		return p, fmt.Errorf("index value empty: %w", ErrCorrupt)
	}
	// TiDB getIndexVersion looks for the version flag only past the old
	// format's 9 bytes; the one shorter versioned value is the 3-byte
	// non-unique clustered value 00 7d 01 (an 8-byte old value may start
	// with 00 7d by chance).
	if (len(b) > MaxOldEncodeValueLen || len(b) == 3) && b[0] <= 1 && b[1] == IndexVersionFlag {
		p.Layout = LayoutClusteredV1
		p.Version = b[2]
		tail := int(b[0])
		if tail == 1 {
			p.Untouched = b[len(b)-1] == UntouchedFlag
		}
		if 3+tail > len(b) {
			return p, fmt.Errorf("index value tail %d: %w", tail, ErrCorrupt)
		}
		err = p.parseOptions(b[3 : len(b)-tail])
		return p, err
	}
	if len(b) <= MaxOldEncodeValueLen {
		p.Layout = LayoutOld
		switch len(b) {
		case 8, 9:
			p.HasIntHandle = true
			p.IntHandle = int64(binary.BigEndian.Uint64(b))
			p.Untouched = len(b) == 9 && b[8] == UntouchedFlag
		case 1:
			p.Untouched = b[0] == UntouchedFlag
			if b[0] != '0' && !p.Untouched {
				return p, fmt.Errorf("old index value %x: %w", b, ErrCorrupt)
			}
		default:
			return p, fmt.Errorf("old index value of %d bytes: %w", len(b), ErrCorrupt)
		}
		return p, nil
	}
	p.Layout = LayoutVersion0
	tail := int(b[0])
	if 1+tail > len(b) {
		return p, fmt.Errorf("index value tail %d of %d bytes: %w", tail, len(b), ErrCorrupt)
	}
	tb := b[len(b)-tail:]
	if len(tb) >= 8 {
		// TiDB splitIndexValueForIndexValueVersion0: a tail of 8+ bytes
		// starts with the int handle; a 9th byte is the untouched flag.
		p.HasIntHandle = true
		p.IntHandle = int64(binary.BigEndian.Uint64(tb))
		p.Untouched = len(tb) == 9 && tb[8] == UntouchedFlag
	} else {
		p.Untouched = len(tb) > 0 && tb[len(tb)-1] == UntouchedFlag
	}
	err = p.parseOptions(b[1 : len(b)-tail])
	return p, err
}

func (p *ParsedIndexValue) parseOptions(b []byte) error {
	if len(b) > 0 && b[0] == CommonHandleFlag {
		if len(b) < 3 {
			return fmt.Errorf("index value common handle header: %w", ErrCorrupt)
		}
		n := int(binary.BigEndian.Uint16(b[1:]))
		if len(b) < 3+n {
			return fmt.Errorf("index value common handle of %d bytes: %w", n, ErrCorrupt)
		}
		p.CommonHandle = b[3 : 3+n]
		b = b[3+n:]
	}
	if len(b) > 0 && b[0] == PartitionIDFlag {
		if len(b) < 9 {
			return fmt.Errorf("index value partition id: %w", ErrCorrupt)
		}
		p.HasPartitionID = true
		p.PartitionID, _, _ = DecodeCmpInt(b[1:9])
		b = b[9:]
	}
	if len(b) > 0 && b[0] == RowV2CodecVer {
		p.Restored = b
	}
	return nil
}
