package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	tikverr "github.com/tikv/client-go/v2/error"
	"github.com/tikv/client-go/v2/txnkv/transaction"
)

// Txn is one optimistic read-write transaction: reads see the snapshot at
// the transaction's start plus its own writes; writes become visible
// atomically at commit. It is client-go's transaction (what txnkv.Client
// hands out), so it behaves the same on the embedded store and over PD.
type Txn interface {
	// Get returns key's value, or nil and no error when key is absent.
	Get(ctx context.Context, key []byte) ([]byte, error)
	// Set writes key = value (value must not be empty: an empty value is a
	// deletion in TiKV).
	Set(key, value []byte) error
	// Delete removes key.
	Delete(key []byte) error
	// Scan calls fn for the pairs in [start, end) in key order until fn
	// returns false, an error, or limit pairs were seen (limit <= 0: no
	// limit). fn must not retain k or v.
	Scan(start, end []byte, limit int, fn func(k, v []byte) bool) error
}

// Transactional is implemented by stores that run client transactions:
// the embedded store and a cluster reached through PD.
type Transactional interface {
	// RunTxn runs fn in a transaction and commits it. A commit that loses a
	// write conflict (another transaction wrote one of its keys after it
	// started) runs fn again in a new transaction, so fn must be free of
	// side effects outside the transaction. An error from fn rolls back.
	RunTxn(ctx context.Context, fn func(Txn) error) error
}

var _ Transactional = (*kvStore)(nil)

// txnAttempts bounds how often RunTxn retries a conflicting transaction:
// enough for dozens of imports allocating IDs at once.
const txnAttempts = 64

// RunTxn implements Transactional.
func (s *kvStore) RunTxn(ctx context.Context, fn func(Txn) error) error {
	var err error
	for attempt := 0; attempt < txnAttempts; attempt++ {
		if err = s.check(ctx); err != nil {
			return err
		}
		if err = s.runTxnOnce(ctx, fn); err == nil || !retriableTxn(err) {
			return err
		}
		// Back off a little, growing, so that contenders spread out.
		d := time.Duration(1+attempt%8) * 5 * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
	return fmt.Errorf("transaction still conflicting after %d attempts: %w", txnAttempts, err)
}

func (s *kvStore) runTxnOnce(ctx context.Context, fn func(Txn) error) error {
	t, err := s.kv.Begin()
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(clientTxn{t}); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retriableTxn: the transaction lost a write conflict; a rerun of fn reads
// the state the winner committed.
func retriableTxn(err error) bool {
	var latch *tikverr.ErrWriteConflictInLatch
	return tikverr.IsErrWriteConflict(err) || errors.As(err, &latch)
}

type clientTxn struct{ t *transaction.KVTxn }

func (c clientTxn) Get(ctx context.Context, key []byte) ([]byte, error) {
	v, err := c.t.Get(ctx, key)
	if tikverr.IsErrNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %x: %w", key, err)
	}
	return v, nil
}

func (c clientTxn) Set(key, value []byte) error {
	if len(value) == 0 {
		return fmt.Errorf("key %x: %w", key, ErrEmptyValue)
	}
	return c.t.Set(key, value)
}

func (c clientTxn) Delete(key []byte) error { return c.t.Delete(key) }

func (c clientTxn) Scan(start, end []byte, limit int, fn func(k, v []byte) bool) error {
	it, err := c.t.Iter(start, end)
	if err != nil {
		return fmt.Errorf("scan [%x, %x): %w", start, end, err)
	}
	defer it.Close()
	for n := 0; it.Valid() && (limit <= 0 || n < limit); n++ {
		if !fn(it.Key(), it.Value()) {
			return nil
		}
		if err := it.Next(); err != nil {
			return fmt.Errorf("scan [%x, %x): %w", start, end, err)
		}
	}
	return nil
}
