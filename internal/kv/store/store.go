// Package store holds lightstream's view of the target key-value store: the
// transactional TiKV protocol reached through client-go, either against the
// embedded in-process store (OpenEmbedded) or, later, a real cluster via PD.
//
// Everything above this package talks to the Store interface so that the
// embedded default and a real cluster are interchangeable.
package store

import (
	"context"
	"errors"

	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// ErrNotSupported marks an operation the store cannot perform (for example
// import mode on the embedded store). Callers report it as "skipped" rather
// than failing: check with errors.Is.
var ErrNotSupported = errors.New("not supported by this store")

// ErrClosed is returned by operations on a store after Close.
var ErrClosed = errors.New("store is closed")

// ErrEmptyValue rejects a pair with an empty value: in a TiKV transaction an
// empty value is a deletion, so it cannot be stored.
var ErrEmptyValue = errors.New("empty value cannot be written")

// Pair is one key-value pair as written to the store. Keys are TiDB's
// memcomparable user keys (no MVCC timestamp).
type Pair struct {
	Key   []byte
	Value []byte
}

// KeyRange is the half-open range [Start, End) of user keys. An empty End
// means "to the end of the key space".
type KeyRange struct {
	Start []byte
	End   []byte
}

// Store is what lightstream needs from the target store.
type Store interface {
	// WriteBatch writes pairs (sorted, distinct keys) in one transaction. The
	// write is atomic and idempotent: rewriting the same pairs only adds a
	// newer MVCC version with the same value.
	WriteBatch(ctx context.Context, pairs []Pair) error
	// Scan calls fn for each visible pair in [start, end) at a fresh
	// snapshot timestamp, in key order. fn must not retain k or v.
	Scan(ctx context.Context, start, end []byte, fn func(k, v []byte) error) error
	// Checksum computes the TiDB checksum (SPEC §9) of the MVCC-visible pairs
	// in ranges, at a fresh snapshot timestamp.
	Checksum(ctx context.Context, ranges []KeyRange) (Checksum, error)
	// SplitRegions splits regions so that every key in splitKeys starts a
	// region. Keys that already start a region are skipped.
	SplitRegions(ctx context.Context, splitKeys [][]byte) error
	// SwitchMode switches the cluster to import mode (true) or back to
	// normal mode. A store without import mode returns an error wrapping
	// ErrNotSupported.
	SwitchMode(ctx context.Context, importMode bool) error
	// Compact asks the store to compact [start, end). A store that cannot
	// returns an error wrapping ErrNotSupported.
	Compact(ctx context.Context, start, end []byte) error
	// Close releases the store. Later calls return ErrClosed.
	Close() error
}

// BulkWriter is implemented by stores that accept already-sorted pairs
// through a faster path than client transactions (the embedded store's
// direct MVCC writes). Ingest uses it only when asked to.
type BulkWriter interface {
	// BulkWrite writes pairs (sorted, distinct keys) atomically at one fresh
	// commit timestamp.
	BulkWrite(ctx context.Context, pairs []Pair) error
}

// SerialBulkWriter is a BulkWriter that writes fastest from one sorted
// source at a time, in small batches, one batch at a time: the embedded
// store's goleveldb moves non-overlapping tables down its levels without
// rewriting them, but sources written side by side interleave their key
// ranges in every table, and compaction then rewrites everything (the
// 1 GiB benchmark's ingest took 48 s with two sources at once, 15 s with
// one; see store.Embedded). Ingest reserves such a store for a whole
// source.
type SerialBulkWriter interface {
	BulkWriter
	// AcquireBulk waits until no other source holds the store's bulk path
	// (or ctx ends) and reserves it until release is called. pairs is the
	// source's size, if known (0 otherwise): a store may admit waiting
	// sources largest first.
	AcquireBulk(ctx context.Context, pairs uint64) (release func(), err error)
	// BulkBatchBytes is the key+value bytes per batch the store takes best,
	// for the first batch of a source and for the others.
	BulkBatchBytes(first bool) int
}

// SourceBulkWriter is a SerialBulkWriter that takes a whole source as one
// atomic write, the way TiKV ingests a source's SST files: the pairs
// written through a BulkSession become visible together when it commits,
// and none of them if it is aborted or the process dies first.
type SourceBulkWriter interface {
	SerialBulkWriter
	// BeginBulk opens a source's session; the caller holds the bulk path
	// (AcquireBulk) until the session commits or aborts. A store that
	// cannot open one returns an error wrapping ErrNotSupported, and the
	// caller writes batch by batch through BulkWrite instead.
	BeginBulk(ctx context.Context) (BulkSession, error)
}

// BulkSession is one source's atomic bulk write (SourceBulkWriter). Its
// BulkWrite takes the source's pairs in batches, in key order.
type BulkSession interface {
	BulkWriter
	// Commit makes every pair written visible at once.
	Commit(ctx context.Context) error
	// Abort drops what was written; after Commit it does nothing.
	Abort()
}

// Checksum is TiDB's table checksum (SPEC §9): XOR of crc64-ECMA(key||value)
// over the pairs, their count and key+value bytes. It is tidbcodec's type,
// so a store result compares directly with the encoder's local checksum.
type Checksum = tidbcodec.Checksum
