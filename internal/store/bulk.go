package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/testutils"
)

// bulkLockTTL is the lock TTL (ms) of a bulk write: the smallest TiKV
// accepts for a transaction (client-go's ManagedLockTTL floor), so that locks
// of a crashed bulk write expire soon and can be rolled back.
const bulkLockTTL = 3000

var _ BulkWriter = (*Embedded)(nil)

// BulkWrite implements BulkWriter for the embedded store: it prewrites and
// commits pairs (sorted, distinct keys) as one transaction directly on the
// MVCC store, with timestamps from the same TSO as client transactions.
//
// It bypasses client-go's RPC layer (region routing, per-region 16 KiB
// prewrite batches, proto requests), which is where the transactional path
// spends most of its time; the stored MVCC records are the same a client
// transaction leaves (Put, start/commit TS), so readers through the client
// see them normally. It exists only for the embedded store: a real cluster
// is written through WriteBatch.
func (e *Embedded) BulkWrite(ctx context.Context, pairs []Pair) error {
	if err := e.check(ctx); err != nil {
		return err
	}
	if len(pairs) == 0 {
		return nil
	}
	muts := make([]kvrpcpb.Mutation, len(pairs))
	mutPtrs := make([]*kvrpcpb.Mutation, len(pairs))
	keys := make([][]byte, len(pairs))
	for i, p := range pairs {
		if len(p.Value) == 0 {
			return fmt.Errorf("key %x: %w", p.Key, ErrEmptyValue)
		}
		muts[i] = kvrpcpb.Mutation{Op: kvrpcpb.Op_Put, Key: p.Key, Value: p.Value}
		mutPtrs[i] = &muts[i]
		keys[i] = p.Key
	}
	startTS, err := e.currentTS(ctx)
	if err != nil {
		return err
	}
	req := &kvrpcpb.PrewriteRequest{
		Mutations:    mutPtrs,
		PrimaryLock:  pairs[0].Key,
		StartVersion: startTS,
		LockTtl:      bulkLockTTL,
		TxnSize:      uint64(len(pairs)),
	}
	if err := firstError(e.mvcc.Prewrite(req)); err != nil {
		var locked *testutils.ErrLocked
		if errors.As(err, &locked) {
			return e.resolveStale(ctx, locked, pairs)
		}
		return fmt.Errorf("bulk prewrite %d pairs from key %x: %w", len(pairs), pairs[0].Key, err)
	}
	commitTS, err := e.currentTS(ctx)
	if err == nil {
		err = e.mvcc.Commit(keys, startTS, commitTS)
	}
	if err != nil {
		_ = e.mvcc.Rollback(keys, startTS)
		return fmt.Errorf("bulk commit %d pairs from key %x: %w", len(pairs), pairs[0].Key, err)
	}
	return nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// resolveStale settles a lock left by an earlier, unfinished write (a crash
// between prewrite and commit) the way client-go's lock resolver does: ask
// the primary for the transaction's fate, then commit or roll back its locks
// in the batch's range. It returns a retriable error so the caller rewrites
// the batch.
func (e *Embedded) resolveStale(ctx context.Context, l *testutils.ErrLocked, pairs []Pair) error {
	now, err := e.currentTS(ctx)
	if err != nil {
		return err
	}
	ttl, commitTS, _, err := e.mvcc.CheckTxnStatus(l.Primary, l.StartTS, now, now, true, false)
	if err != nil {
		return fmt.Errorf("check status of lock on %x: %w", l.Key.Raw(), err)
	}
	if ttl > 0 {
		// Still alive: wait for it to commit or expire.
		return fmt.Errorf("key %x locked by live transaction %d: %w", l.Key.Raw(), l.StartTS, tikverr.ErrResolveLockTimeout)
	}
	end := append(append([]byte{}, pairs[len(pairs)-1].Key...), 0)
	if err := e.mvcc.ResolveLock(pairs[0].Key, end, l.StartTS, commitTS); err != nil {
		return fmt.Errorf("resolve locks of transaction %d: %w", l.StartTS, err)
	}
	return fmt.Errorf("resolved stale locks of transaction %d: %w", l.StartTS, tikverr.ErrResultUndetermined)
}
