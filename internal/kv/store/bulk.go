package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/mockmvcc"
)

var _ SerialBulkWriter = (*Embedded)(nil)

// embeddedBulkBatchBytes is the batch size BulkWrite takes best: below
// goleveldb's 4 MiB write buffer, so a batch goes through the journal and
// the memtable, whose flush overlaps the next batches, rather than
// through a transaction that builds its tables synchronously. Measured on
// the 1 GiB benchmark's engines (10.6M pairs), one source at a time:
// 128 KiB 15.2 s, 512 KiB 14.5 s, 1 MiB 12.6-13.1 s, 2 MiB 16.0 s,
// 4 MiB 19.8 s.
//
// A source's first batch is the exception: larger than the write buffer,
// it goes through a transaction, and goleveldb flushes the memtable
// before one (leveldb DB.OpenTransaction). The previous source's last
// pairs then get a table of their own instead of sharing one with this
// source's first pairs: such a table spans the key range between two
// sources, which later sources fill, and goleveldb merges every table
// that overlaps it (and read-sampled seek compactions follow the
// overlap), instead of moving tables down the levels untouched.
const (
	embeddedBulkBatchBytes      = 1 << 20
	embeddedFirstBulkBatchBytes = 6 << 20
)

// AcquireBulk implements SerialBulkWriter: one source at a time, the
// largest waiting source next.
func (e *Embedded) AcquireBulk(ctx context.Context, pairs uint64) (release func(), err error) {
	if err := e.check(ctx); err != nil {
		return nil, err
	}
	return e.bulk.Acquire(ctx, pairs)
}

// BulkBatchBytes implements SerialBulkWriter.
func (e *Embedded) BulkBatchBytes(first bool) int {
	if first {
		return embeddedFirstBulkBatchBytes
	}
	return embeddedBulkBatchBytes
}

// BulkWrite implements BulkWriter for the embedded store the way Lightning's
// local backend writes a real cluster: already-sorted pairs become committed
// MVCC versions at one fresh timestamp, with no prewrite locks and no
// conflict checks (TiKV's SST ingest puts such versions straight into the
// write CF). The batch lands in one goleveldb batch, so it is atomic.
//
// It bypasses client-go's RPC layer and the mock's per-key prewrite/commit,
// which seek a goleveldb iterator per key and are where the transactional
// path spends its time: the versions are written in the mock MVCC store's
// own record layout by mockmvcc (shared with the store server's ImportSST
// ingest); reads through the client see the pairs normally, and the tests
// check exactly that. A Cluster's BulkWrite goes through ImportSST instead
// (cluster_ingest.go).
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
	size := 0
	for _, p := range pairs {
		if len(p.Value) == 0 {
			return fmt.Errorf("key %x: %w", p.Key, ErrEmptyValue)
		}
		size += len(p.Key) + len(p.Value)
	}
	ts, err := e.currentTS(ctx)
	if err != nil {
		return err
	}
	b, _ := e.batches.Get().(*mockmvcc.Batch)
	if b == nil {
		b = mockmvcc.NewBatch(ts)
	}
	defer e.batches.Put(b)
	b.Reset(ts)
	b.Grow(len(pairs), size)
	for _, p := range pairs {
		b.Put(p.Key, p.Value)
	}
	if err := b.Write(e.mvcc); err != nil {
		if errors.Is(err, mockmvcc.ErrNoRawAccess) {
			err = fmt.Errorf("%w: %w", err, ErrNotSupported)
		}
		return fmt.Errorf("bulk write %d pairs from key %x: %w", len(pairs), pairs[0].Key, err)
	}
	return nil
}

// Checksum implements Store for the embedded store server-side, the way
// TiKV's coprocessor computes ADMIN CHECKSUM: the MVCC records are read
// straight from the store at a fresh snapshot timestamp (mockmvcc.Scan),
// not page by page through the client's Scan RPC, which costs a seek per
// key in the mock and was a quarter of a whole import's time. If a range
// holds a lock (a transaction in flight or unresolved), the checksum is
// read through the client instead, which resolves locks like any reader.
func (e *Embedded) Checksum(ctx context.Context, ranges []KeyRange) (Checksum, error) {
	if err := e.check(ctx); err != nil {
		return Checksum{}, err
	}
	ts, err := e.currentTS(ctx)
	if err != nil {
		return Checksum{}, err
	}
	var c Checksum
	n := 0
	for _, r := range ranges {
		err := mockmvcc.Scan(e.mvcc, r.Start, r.End, ts, func(k, v []byte) error {
			if n++; n&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c.Update(k, v)
			return nil
		})
		if errors.Is(err, mockmvcc.ErrLocked) || errors.Is(err, mockmvcc.ErrNoRawAccess) {
			return e.kvStore.Checksum(ctx, ranges)
		}
		if err != nil {
			return Checksum{}, fmt.Errorf("checksum: %w", err)
		}
	}
	return c, nil
}
