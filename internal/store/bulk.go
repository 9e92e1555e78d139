package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/tikv/client-go/v2/util/codec"
)

var _ BulkWriter = (*Embedded)(nil)

// rawKV is the part of the mock MVCC store's RawKV interface BulkWrite uses
// (mocktikv.MVCCLevelDB implements it; testutils does not export the type).
type rawKV interface {
	RawBatchPut(cf string, keys, values [][]byte)
	RawGet(cf string, key []byte) []byte
}

// BulkWrite implements BulkWriter for the embedded store the way Lightning's
// local backend writes a real cluster: already-sorted pairs become committed
// MVCC versions at one fresh timestamp, with no prewrite locks and no
// conflict checks (TiKV's SST ingest puts such versions straight into the
// write CF). The batch lands in one goleveldb batch, so it is atomic.
//
// It bypasses client-go's RPC layer and the mock's per-key prewrite/commit,
// which seek a goleveldb iterator per key and are where the transactional
// path spends its time. It writes the mock MVCC store's own record layout
// (mocktikv/mvcc_leveldb.go: key = EncodeBytes(key) ++ EncodeUintDesc(ts),
// value = mvccValue.MarshalBinary) through its RawBatchPut on the default
// column family; reads through the client see the pairs normally, and the
// tests check exactly that. The layout is pinned by the client-go version in
// go.mod. Embedded only: a real cluster is written through WriteBatch (or,
// later, SST ingest).
//
// Keys must be distinct within a batch; a key written again later gets a
// newer version, as with a transaction.
func (e *Embedded) BulkWrite(ctx context.Context, pairs []Pair) error {
	if err := e.check(ctx); err != nil {
		return err
	}
	if len(pairs) == 0 {
		return nil
	}
	raw, ok := e.mvcc.(rawKV)
	if !ok {
		return fmt.Errorf("bulk write: mock MVCC store %T has no raw access: %w", e.mvcc, ErrNotSupported)
	}
	size := 0
	for _, p := range pairs {
		if len(p.Value) == 0 {
			return fmt.Errorf("key %x: %w", p.Key, ErrEmptyValue)
		}
		// EncodeBytes grows a key by 9/8 plus a group; the version is 8.
		size += len(p.Key)*9/8 + 9 + 8 + 24 + binary.MaxVarintLen64 + len(p.Value)
	}
	ts, err := e.currentTS(ctx)
	if err != nil {
		return err
	}
	arena := make([]byte, 0, size)
	keys := make([][]byte, len(pairs))
	values := make([][]byte, len(pairs))
	for i, p := range pairs {
		off := len(arena)
		arena = codec.EncodeBytes(arena, p.Key)
		arena = codec.EncodeUintDesc(arena, ts)
		keys[i] = arena[off:len(arena):len(arena)]
		off = len(arena)
		arena = appendMVCCPut(arena, ts, ts, p.Value)
		values[i] = arena[off:len(arena):len(arena)]
	}
	raw.RawBatchPut("", keys, values)
	// RawBatchPut only logs a write error; read the last record back so a
	// failed write cannot pass silently.
	last := len(keys) - 1
	if got := raw.RawGet("", keys[last]); !bytes.Equal(got, values[last]) {
		return fmt.Errorf("bulk write %d pairs from key %x: last record not stored", len(pairs), pairs[0].Key)
	}
	return nil
}

// appendMVCCPut appends the mock MVCC store's encoding of a committed Put
// (mocktikv/mvcc.go mvccValue.MarshalBinary: little-endian int64 type (0 =
// put), uint64 start TS, uint64 commit TS, then uvarint length and value).
func appendMVCCPut(dst []byte, startTS, commitTS uint64, value []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, 0)
	dst = binary.LittleEndian.AppendUint64(dst, startTS)
	dst = binary.LittleEndian.AppendUint64(dst, commitTS)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}
