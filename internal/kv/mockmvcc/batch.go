// Package mockmvcc writes committed MVCC versions straight into client-go's
// mock TiKV store (the goleveldb-backed mocktikv.MVCCLevelDB that
// testutils.NewMockTiKV opens), the way TiKV's SST ingest puts versions
// straight into its write CF: no prewrite lock, no per-key conflict check,
// one atomic goleveldb batch.
//
// Both store.Embedded.BulkWrite and the store server's ImportSST ingest
// apply data through it, so the record layout lives in one place. The
// layout is the mock's own (client-go internal/mockstore/mocktikv,
// mvcc_leveldb.go mvccEncode and mvcc.go mvccValue.MarshalBinary) and is
// pinned by the client-go version in go.mod; the tests read written
// versions back through the mock's MVCC reads to catch a change.
package mockmvcc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pingcap/goleveldb/leveldb"
	"github.com/tikv/client-go/v2/util/codec"
)

// ErrNoRawAccess reports a store that does not expose the mock's raw
// key-value access (RawKV), so versions cannot be written directly.
var ErrNoRawAccess = errors.New("mock MVCC store has no raw access")

// ErrNotStored reports a batch that goleveldb did not store: the mock's
// RawBatchPut only logs write errors, so Write reads the last record back.
var ErrNotStored = errors.New("batch not stored")

// RawKV is the part of the mock MVCC store's raw interface a Batch uses
// (mocktikv.MVCCLevelDB implements it; testutils does not export the type).
// The empty column family is the MVCC data itself.
type RawKV interface {
	RawBatchPut(cf string, keys, values [][]byte)
	RawGet(cf string, key []byte) []byte
}

// Value types of the mock's mvccValue (mocktikv/mvcc.go mvccValueType).
const (
	typePut    int64 = 0
	typeDelete int64 = 1
)

// recordOverhead bounds what a record adds to its key and value: the
// goleveldb record header (key type and two uvarint lengths), the
// EncodeBytes group marker per 8 key bytes plus a final group (9), the
// version (8), the value header (type, start TS, commit TS: 24) and the
// value's length prefix.
const recordOverhead = 1 + 2*binary.MaxVarintLen32 + 9 + 8 + 24 + binary.MaxVarintLen64

// keyTypeVal is goleveldb's record type of a put (leveldb/key.go
// keyTypeVal): every MVCC record, a Delete version included, is a put of
// the mock's database.
const keyTypeVal = 1

// Batch collects committed versions of distinct keys at one commit
// timestamp and writes them in one goleveldb batch. A version at commit TS
// c is visible to snapshot reads at ts >= c, shadows older versions of its
// key and is shadowed by newer ones (mocktikv getValue reads the first
// version with commit TS <= read TS, newest first). As in TiKV's SST
// ingest (Lightning writes Write{Put, start_ts: commit_ts}), a version's
// start TS is its commit TS.
//
// A Batch is not safe for concurrent use; Reset makes it reusable.
type Batch struct {
	commitTS uint64
	// data holds every record back to back in goleveldb's batch record
	// format (leveldb/batch.go appendRec: key type, uvarint key length,
	// key, uvarint value length, value), so that Write hands it to
	// goleveldb as it is (leveldb.Batch.Load) instead of copying every
	// record into a leveldb.Batch, which was a tenth of an ingest's CPU.
	data []byte
	n    int
	lb   leveldb.Batch
}

// NewBatch returns an empty batch of versions at commitTS.
func NewBatch(commitTS uint64) *Batch { return &Batch{commitTS: commitTS} }

// Reset empties b for versions at commitTS, keeping its memory.
func (b *Batch) Reset(commitTS uint64) {
	b.commitTS, b.data, b.n = commitTS, b.data[:0], 0
}

// Grow makes room for n more versions holding keyValueBytes of keys and
// values in all, so that adding them does not reallocate.
func (b *Batch) Grow(n, keyValueBytes int) {
	need := keyValueBytes + keyValueBytes/8 + n*recordOverhead
	if cap(b.data)-len(b.data) < need {
		b.data = append(make([]byte, 0, len(b.data)+need), b.data...)
	}
}

// Len returns how many versions b holds.
func (b *Batch) Len() int { return b.n }

// CommitTS returns the commit timestamp of b's versions.
func (b *Batch) CommitTS() uint64 { return b.commitTS }

// Put adds a committed Put of value at key.
func (b *Batch) Put(key, value []byte) { b.add(typePut, key, value) }

// Delete adds a committed Delete of key: reads at or after the commit TS
// find no value.
func (b *Batch) Delete(key []byte) { b.add(typeDelete, key, nil) }

// add appends one record: key = EncodeBytes(key) ++ EncodeUintDesc(commit
// TS) (mvcc_leveldb.go mvccEncode), value = little-endian int64 type,
// uint64 start TS, uint64 commit TS, uvarint length, bytes (mvcc.go
// mvccValue.MarshalBinary through marshalHelper); each preceded by its
// length as goleveldb's batch record has it.
func (b *Batch) add(typ int64, key, value []byte) {
	keyLen := (len(key)/8+1)*9 + 8 // codec.EncodeBytes' groups, then the version
	valueLen := 24 + uvarintLen(uint64(len(value))) + len(value)
	b.data = append(b.data, keyTypeVal)
	b.data = binary.AppendUvarint(b.data, uint64(keyLen))
	b.data = codec.EncodeBytes(b.data, key)
	b.data = codec.EncodeUintDesc(b.data, b.commitTS)
	b.data = binary.AppendUvarint(b.data, uint64(valueLen))
	b.data = binary.LittleEndian.AppendUint64(b.data, uint64(typ))
	b.data = binary.LittleEndian.AppendUint64(b.data, b.commitTS)
	b.data = binary.LittleEndian.AppendUint64(b.data, b.commitTS)
	b.data = binary.AppendUvarint(b.data, uint64(len(value)))
	b.data = append(b.data, value...)
	b.n++
}

func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// Write stores b's versions into mvcc (the testutils.MVCCStore of a mock
// TiKV) in one atomic goleveldb batch. b is unchanged and may be Reset
// afterwards: goleveldb copies what it writes.
func (b *Batch) Write(mvcc any) error {
	if b.Len() == 0 {
		return nil
	}
	if db := levelDB(mvcc); db != nil {
		// Load takes b.data as the batch's own records, without a copy,
		// and checks every record's lengths.
		err := b.lb.Load(b.data)
		if err == nil && b.lb.Len() != b.n {
			err = fmt.Errorf("%d records encoded, goleveldb reads %d", b.n, b.lb.Len())
		}
		if err == nil {
			err = db.Write(&b.lb, nil)
		}
		_ = b.lb.Load(nil) // drop the reference to b.data
		if err != nil {
			return fmt.Errorf("write %d versions at %d: %w", b.Len(), b.commitTS, err)
		}
		return nil
	}
	raw, ok := mvcc.(RawKV)
	if !ok {
		return fmt.Errorf("write %d versions: %T: %w", b.Len(), mvcc, ErrNoRawAccess)
	}
	keys := make([][]byte, 0, b.Len())
	values := make([][]byte, 0, b.Len())
	b.each(func(k, v []byte) { keys, values = append(keys, k), append(values, v) })
	raw.RawBatchPut("", keys, values)
	last := len(keys) - 1
	if got := raw.RawGet("", keys[last]); !bytes.Equal(got, values[last]) {
		return fmt.Errorf("write %d versions at %d: %w", len(keys), b.commitTS, ErrNotStored)
	}
	return nil
}

// each calls fn with every record's key and value, in order; they alias
// the batch's data.
func (b *Batch) each(fn func(k, v []byte)) {
	for o := 0; o < len(b.data); {
		o++ // key type
		n, w := binary.Uvarint(b.data[o:])
		o += w
		k := b.data[o : o+int(n) : o+int(n)]
		o += int(n)
		n, w = binary.Uvarint(b.data[o:])
		o += w
		fn(k, b.data[o:o+int(n):o+int(n)])
		o += int(n)
	}
}
