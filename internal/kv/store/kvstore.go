package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/oracle"
	"github.com/tikv/client-go/v2/tikv"
)

// scanBatchSize is how many pairs one scan RPC returns. client-go's default
// (256) makes a full-table checksum RPC-bound; TiDB's own table reads use
// larger batches too.
const scanBatchSize = 4096

// splitBackoffMs bounds the time client-go may back off while splitting
// (same order as TiDB's split-region timeout, ddl/split_region.go).
const splitBackoffMs = 60_000

// TxnOptions tunes how WriteBatch commits its transactions.
type TxnOptions struct {
	// AsyncCommit enables async commit (commit point at prewrite). Default off:
	// for large write-only batches it saves one round trip but needs the
	// store to support it.
	AsyncCommit bool
	// OnePC lets client-go commit a single-region batch in one phase when the
	// store supports it. Default off.
	OnePC bool
}

// kvStore implements the transactional parts of Store on a client-go
// KVStore. It is shared by the embedded store and (later) a real cluster.
type kvStore struct {
	kv     *tikv.KVStore
	opts   TxnOptions
	closed atomic.Bool
}

func (s *kvStore) check(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// WriteBatch implements Store.
func (s *kvStore) WriteBatch(ctx context.Context, pairs []Pair) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if len(pairs) == 0 {
		return nil
	}
	txn, err := s.kv.Begin()
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	txn.SetEnableAsyncCommit(s.opts.AsyncCommit)
	txn.SetEnable1PC(s.opts.OnePC)
	for _, p := range pairs {
		// In a TiKV transaction an empty value means "delete" (client-go's
		// membuffer, unionstore/memdb.go), so it cannot be written; TiDB
		// never produces one (index values are at least one byte).
		if len(p.Value) == 0 {
			_ = txn.Rollback()
			return fmt.Errorf("key %x: %w", p.Key, ErrEmptyValue)
		}
		if err := txn.Set(p.Key, p.Value); err != nil {
			_ = txn.Rollback()
			return fmt.Errorf("set key %x: %w", p.Key, err)
		}
	}
	if err := txn.Commit(ctx); err != nil {
		return fmt.Errorf("commit %d pairs from key %x: %w", len(pairs), pairs[0].Key, err)
	}
	return nil
}

// currentTS returns a fresh timestamp from the store's oracle.
func (s *kvStore) currentTS(ctx context.Context) (uint64, error) {
	ts, err := s.kv.GetOracle().GetTimestamp(ctx, &oracle.Option{TxnScope: oracle.GlobalTxnScope})
	if err != nil {
		return 0, fmt.Errorf("get timestamp: %w", err)
	}
	return ts, nil
}

// Scan implements Store.
func (s *kvStore) Scan(ctx context.Context, start, end []byte, fn func(k, v []byte) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	ts, err := s.currentTS(ctx)
	if err != nil {
		return err
	}
	return s.scanAt(ctx, ts, start, end, fn)
}

func (s *kvStore) scanAt(ctx context.Context, ts uint64, start, end []byte, fn func(k, v []byte) error) error {
	snap := s.kv.GetSnapshot(ts)
	snap.SetScanBatchSize(scanBatchSize)
	if start == nil {
		start = []byte{}
	}
	it, err := snap.Iter(start, end)
	if err != nil {
		return fmt.Errorf("scan [%x, %x): %w", start, end, err)
	}
	defer it.Close()
	n := 0
	for it.Valid() {
		if n++; n%scanBatchSize == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
		if err := it.Next(); err != nil {
			return fmt.Errorf("scan [%x, %x) after key %x: %w", start, end, it.Key(), err)
		}
	}
	return nil
}

// Checksum implements Store. It reads the pairs back through a snapshot scan
// and folds them on the client: the embedded store has no coprocessor
// checksum handler, and the result is by construction the one TiKV's
// ChecksumRequest computes (SPEC §9). All ranges are read at one timestamp.
func (s *kvStore) Checksum(ctx context.Context, ranges []KeyRange) (Checksum, error) {
	var c Checksum
	if err := s.check(ctx); err != nil {
		return c, err
	}
	ts, err := s.currentTS(ctx)
	if err != nil {
		return c, err
	}
	for _, r := range ranges {
		err := s.scanAt(ctx, ts, r.Start, r.End, func(k, v []byte) error {
			c.Update(k, v)
			return nil
		})
		if err != nil {
			return Checksum{}, fmt.Errorf("checksum: %w", err)
		}
	}
	return c, nil
}

// SplitRegions implements Store through client-go's split-region RPC, the
// same path TiDB's SPLIT TABLE takes (tikv/split_region.go).
func (s *kvStore) SplitRegions(ctx context.Context, splitKeys [][]byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if len(splitKeys) == 0 {
		return nil
	}
	bo := tikv.NewBackofferWithVars(ctx, splitBackoffMs, nil)
	sorted := slices.Clone(splitKeys)
	slices.SortFunc(sorted, bytes.Compare)
	sorted = slices.CompactFunc(sorted, bytes.Equal)
	keys := make([][]byte, 0, len(sorted))
	for _, k := range sorted {
		if len(k) == 0 {
			continue
		}
		// A key that already starts a region would produce an empty region
		// split error on TiKV; skip it.
		loc, err := s.kv.GetRegionCache().LocateKey(bo, k)
		if err != nil {
			return fmt.Errorf("locate split key %x: %w", k, err)
		}
		if string(loc.StartKey) == string(k) {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil
	}
	if _, err := s.kv.SplitRegions(ctx, keys, false, nil); err != nil {
		return fmt.Errorf("split %d regions from key %x: %w", len(keys), keys[0], err)
	}
	return nil
}

// IsRetriable reports whether err is transient and the same write can be
// tried again: the TiKV errors client-go gives up on after its own backoff,
// and undetermined commits (safe to redo because writes are idempotent).
// Context errors and ErrClosed are not retriable.
func IsRetriable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrClosed) {
		return false
	}
	if errors.Is(err, ErrUnavailable) || tikverr.IsErrWriteConflict(err) || tikverr.IsErrorUndetermined(err) {
		return true
	}
	for _, e := range []error{
		tikverr.ErrTiKVServerTimeout, tikverr.ErrTiKVServerBusy, tikverr.ErrRegionUnavailable,
		tikverr.ErrRegionDataNotReady, tikverr.ErrRegionNotInitialized, tikverr.ErrTiKVStaleCommand,
		tikverr.ErrTiKVMaxTimestampNotSynced, tikverr.ErrResolveLockTimeout, tikverr.ErrLockWaitTimeout,
		tikverr.ErrResultUndetermined,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	var pdTimeout *tikverr.ErrPDServerTimeout
	return errors.As(err, &pdTimeout)
}
