package tidbcodec

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Key layout constants (TiDB pkg/tablecodec/tablecodec.go).
const (
	// TablePrefixByte starts every table key: 't'.
	TablePrefixByte = 't'
	// TablePrefixLen is len('t' + CmpInt(tableID)).
	TablePrefixLen = 9
	// RecordPrefixLen is len(t{id}_r).
	RecordPrefixLen = 11
	// IndexPrefixLen is len(t{id}_i{indexID}).
	IndexPrefixLen = 19
	// RecordKeyIntLen is the length of a record key with an int handle.
	RecordKeyIntLen = 19
)

var (
	recordSep = []byte("_r")
	indexSep  = []byte("_i")
)

// Handle identifies a row: an int64 (PK-is-handle or _tidb_rowid) or the
// memcomparable bytes of a clustered primary key (a common handle).
// The zero Handle is the int handle 0.
type Handle struct {
	common []byte
	intVal int64
}

// IntHandle returns an int handle.
func IntHandle(v int64) Handle { return Handle{intVal: v} }

// CommonHandle returns a common handle over the given encoded key datums.
// The bytes are not copied.
func CommonHandle(encoded []byte) Handle { return Handle{common: encoded} }

// IsInt reports whether h is an int handle.
func (h Handle) IsInt() bool { return h.common == nil }

// IntValue returns the int value (0 for a common handle).
func (h Handle) IntValue() int64 { return h.intVal }

// Encoded returns the common handle bytes (nil for an int handle).
func (h Handle) Encoded() []byte { return h.common }

// String formats the handle for messages.
func (h Handle) String() string {
	if h.IsInt() {
		return fmt.Sprintf("%d", h.intVal)
	}
	return fmt.Sprintf("{%x}", h.common)
}

// AppendTablePrefix appends 't' || CmpInt(tableID).
func AppendTablePrefix(dst []byte, tableID int64) []byte {
	dst = append(dst, TablePrefixByte)
	return AppendCmpInt(dst, tableID)
}

// SetPrefixTableID overwrites the table ID of a key or key prefix that
// starts with AppendTablePrefix's bytes.
func SetPrefixTableID(key []byte, tableID int64) {
	binary.BigEndian.PutUint64(key[1:1+8], EncodeIntToCmpUint(tableID))
}

// TablePrefix returns 't' || CmpInt(tableID).
func TablePrefix(tableID int64) []byte {
	return AppendTablePrefix(make([]byte, 0, TablePrefixLen), tableID)
}

// AppendRecordPrefix appends t{tableID}_r.
func AppendRecordPrefix(dst []byte, tableID int64) []byte {
	return append(AppendTablePrefix(dst, tableID), recordSep...)
}

// AppendRecordKeyInt appends the record key of an int handle.
func AppendRecordKeyInt(dst []byte, tableID, handle int64) []byte {
	return AppendCmpInt(AppendRecordPrefix(dst, tableID), handle)
}

// AppendRecordKeyCommon appends the record key of a common handle whose
// encoded datums are handleBytes.
func AppendRecordKeyCommon(dst []byte, tableID int64, handleBytes []byte) []byte {
	return append(AppendRecordPrefix(dst, tableID), handleBytes...)
}

// AppendRecordKey appends the record key of h.
func AppendRecordKey(dst []byte, tableID int64, h Handle) []byte {
	if h.IsInt() {
		return AppendRecordKeyInt(dst, tableID, h.intVal)
	}
	return AppendRecordKeyCommon(dst, tableID, h.common)
}

// AppendIndexPrefix appends t{tableID}_i{indexID}.
func AppendIndexPrefix(dst []byte, tableID, indexID int64) []byte {
	dst = append(AppendTablePrefix(dst, tableID), indexSep...)
	return AppendCmpInt(dst, indexID)
}

// AppendIndexHandleSuffix appends the handle suffix of a non-distinct
// index key: 03 || CmpInt(handle) for an int handle (always the signed flag,
// TiDB tablecodec_genindex.go GenIndexKey), the raw bytes for a common one.
func AppendIndexHandleSuffix(dst []byte, h Handle) []byte {
	if h.IsInt() {
		dst = append(dst, FlagInt)
		return AppendCmpInt(dst, h.intVal)
	}
	return append(dst, h.common...)
}

// IsRecordKey reports whether key looks like t{id}_r....
func IsRecordKey(key []byte) bool {
	return len(key) > RecordPrefixLen && key[0] == TablePrefixByte && bytes.Equal(key[TablePrefixLen:RecordPrefixLen], recordSep)
}

// IsIndexKey reports whether key looks like t{id}_i{indexID}....
func IsIndexKey(key []byte) bool {
	return len(key) >= IndexPrefixLen && key[0] == TablePrefixByte && bytes.Equal(key[TablePrefixLen:RecordPrefixLen], indexSep)
}

// DecodeTableID returns the table id of any table key.
func DecodeTableID(key []byte) (int64, error) {
	if len(key) < TablePrefixLen || key[0] != TablePrefixByte {
		return 0, fmt.Errorf("key %x has no table prefix: %w", key, ErrCorrupt)
	}
	return DecodeCmpUintToInt(binary.BigEndian.Uint64(key[1:TablePrefixLen])), nil
}

// DecodeRecordKey splits a record key into its table id and handle. As in
// TiDB's DecodeRecordKey, a suffix of exactly 8 bytes is an int handle and
// anything else a common handle (which aliases key).
func DecodeRecordKey(key []byte) (tableID int64, h Handle, err error) {
	if !IsRecordKey(key) {
		return 0, Handle{}, fmt.Errorf("not a record key %x: %w", key, ErrCorrupt)
	}
	tableID, _ = DecodeTableID(key)
	rest := key[RecordPrefixLen:]
	if len(rest) == 8 {
		return tableID, IntHandle(DecodeCmpUintToInt(binary.BigEndian.Uint64(rest))), nil
	}
	return tableID, CommonHandle(rest), nil
}

// DecodeIndexKeyPrefix splits an index key into table id, index id and the
// encoded index values (plus handle suffix, if any).
func DecodeIndexKeyPrefix(key []byte) (tableID, indexID int64, rest []byte, err error) {
	if !IsIndexKey(key) {
		return 0, 0, nil, fmt.Errorf("not an index key %x: %w", key, ErrCorrupt)
	}
	tableID, _ = DecodeTableID(key)
	indexID = DecodeCmpUintToInt(binary.BigEndian.Uint64(key[RecordPrefixLen:IndexPrefixLen]))
	return tableID, indexID, key[IndexPrefixLen:], nil
}

// KeySpacePrefixLen returns how many leading bytes of key name its key
// space: RecordPrefixLen for a record key (t{id}_r), IndexPrefixLen for an
// index key (t{id}_i{indexID}), 0 for any other key. Keys of one space
// are contiguous in key order, so a sorted run of keys splits into one
// range per space.
func KeySpacePrefixLen(key []byte) int {
	switch {
	case IsIndexKey(key):
		return IndexPrefixLen
	case IsRecordKey(key):
		return RecordPrefixLen
	}
	return 0
}
