package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/mockmvcc"
)

var _ SourceBulkWriter = (*Embedded)(nil)

// embeddedBulkBatchBytes is the batch size the bulk path takes best. A
// source's session (BeginBulk) builds its tables as its batches come, so
// the batch size only bounds the ingest's memory and its hand-off between
// reading the engine and writing. A batch written alone (BulkWrite) goes
// through goleveldb's journal and memtable, whose flush overlaps the next
// batches below the write buffer; measured through the journal (4 MiB
// write buffer, the 1 GiB benchmark's engines, 10.6M pairs, one source
// at a time): 128 KiB 15.2 s, 512 KiB 14.5 s, 1 MiB 12.6-13.1 s, 2 MiB
// 16.0 s, 4 MiB 19.8 s.
const embeddedBulkBatchBytes = 1 << 20

// AcquireBulk implements SerialBulkWriter: one source at a time, the
// largest waiting source next.
func (e *Embedded) AcquireBulk(ctx context.Context, pairs uint64) (release func(), err error) {
	if err := e.check(ctx); err != nil {
		return nil, err
	}
	return e.bulk.Acquire(ctx, pairs)
}

// BulkBatchBytes implements SerialBulkWriter: the same for every batch.
func (e *Embedded) BulkBatchBytes(bool) int { return embeddedBulkBatchBytes }

// BeginBulk implements SourceBulkWriter: the source's versions go straight
// into tables of their own (mockmvcc.Ingest), at one fresh commit
// timestamp, and are linked into the store when the session commits, as
// TiKV ingests SST files. Every other write to the store waits meanwhile,
// and reads through the client stall behind a waiting write (see
// mockmvcc.Ingest): nothing may read or write through the client between
// BeginBulk and the session's end on the session's behalf. The bulk path
// is one source at a time anyway (AcquireBulk).
//
// Against the journaled path (BulkWrite), a session writes each byte once
// instead of twice (on the 1 GiB TPC-H-shaped benchmark the journal was
// 1.5 GB of the import's writes) and skips the memtable, whose inserts
// were 28% of a session's CPU (mockmvcc.Ingest.Write).
func (e *Embedded) BeginBulk(ctx context.Context) (BulkSession, error) {
	if err := e.check(ctx); err != nil {
		return nil, err
	}
	ts, err := e.currentTS(ctx)
	if err != nil {
		return nil, err
	}
	in, err := mockmvcc.BeginIngest(e.mvcc)
	if err != nil {
		if errors.Is(err, mockmvcc.ErrNoRawAccess) {
			err = fmt.Errorf("%w: %w", err, ErrNotSupported)
		}
		return nil, err
	}
	return &embeddedSession{e: e, in: in, ts: ts}, nil
}

// embeddedSession is a BulkSession of the embedded store.
type embeddedSession struct {
	e    *Embedded
	in   *mockmvcc.Ingest
	ts   uint64
	done bool
}

// BulkWrite implements BulkSession: pairs join the session's versions.
func (s *embeddedSession) BulkWrite(ctx context.Context, pairs []Pair) error {
	if s.done {
		return fmt.Errorf("bulk write after the session ended: %w", ErrClosed)
	}
	if err := s.e.check(ctx); err != nil {
		return err
	}
	return s.e.encode(pairs, s.ts, s.in.Write)
}

// Commit implements BulkSession.
func (s *embeddedSession) Commit(ctx context.Context) error {
	if s.done {
		return fmt.Errorf("commit after the session ended: %w", ErrClosed)
	}
	if err := s.e.check(ctx); err != nil {
		s.Abort()
		return err
	}
	s.done = true
	if err := s.in.Commit(); err != nil {
		s.in.Discard() // releases the store; leaves the tables (see mockmvcc.Ingest.Commit)
		return err
	}
	return nil
}

// Abort implements BulkSession.
func (s *embeddedSession) Abort() {
	if !s.done {
		s.done = true
		s.in.Discard()
	}
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
// (cluster_ingest.go). A whole source is written faster through a session
// (BeginBulk).
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
	ts, err := e.currentTS(ctx)
	if err != nil {
		return err
	}
	return e.encode(pairs, ts, func(b *mockmvcc.Batch) error { return b.Write(e.mvcc) })
}

// encode turns pairs into versions at ts and hands them to write.
func (e *Embedded) encode(pairs []Pair, ts uint64, write func(*mockmvcc.Batch) error) error {
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
	if err := write(b); err != nil {
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
