// Package ingest writes sorted engine pairs into the target store: it splits
// regions ahead of the data, cuts the stream into bounded batches and writes
// them with bounded concurrency, retrying transient store errors. A batch is
// written physically (the store's bulk path: SST ingest on a cluster, as
// Lightning's local backend) or as one client transaction (Mode).
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// Defaults for Options; see the fields.
const (
	DefaultBatchBytes  = 4 << 20
	DefaultBatchPairs  = 16 << 10
	DefaultConcurrency = 4
	DefaultMaxRetries  = 8
	// MaxBatchBytes is TiDB's default txn-total-size-limit (100 MiB,
	// config/config.go); a larger transaction is rejected by TiDB-compatible
	// clusters.
	MaxBatchBytes = 100 << 20
)

// ErrUnsorted is returned when a Source yields a key that is not strictly
// greater than the previous one.
var ErrUnsorted = errors.New("source keys not strictly increasing")

// ErrBulkUnsupported is returned when Options.Bulk is set and the store has
// no bulk path.
var ErrBulkUnsupported = errors.New("store has no bulk write path")

// Source yields pairs in strictly increasing key order. fn must not retain k
// or v after it returns; Iterate stops at fn's first error and returns it.
type Source interface {
	Iterate(ctx context.Context, fn func(k, v []byte) error) error
}

// Sizer is optionally implemented by a Source that knows its size without
// reading it (an engine's metadata). Ingest then pre-splits regions.
type Sizer interface {
	Stats() (pairs, bytes uint64)
}

// SplitKeyer is optionally implemented by a Source that can pick region split
// keys itself, one every `every` bytes, cheaper than a read pass.
type SplitKeyer interface {
	SplitKeys(ctx context.Context, every int64) ([][]byte, error)
}

// Options tunes Ingest. The zero value uses the defaults.
type Options struct {
	// BatchBytes caps one transaction's key+value bytes. Default 4 MiB,
	// at most MaxBatchBytes. A single larger pair gets a batch of its own.
	BatchBytes int
	// BatchPairs caps one transaction's pair count. Default 16384.
	BatchPairs int
	// Concurrency is how many transactions are in flight. Default 4.
	Concurrency int
	// SplitEvery is the data size in bytes between region split keys chosen
	// before writing (Lightning's region-split-size, default 96 MiB there).
	// 0 disables pre-splitting.
	SplitEvery int64
	// MaxRetries bounds the retries of one batch on retriable store errors.
	// Default 8; negative means no retry.
	MaxRetries int
	// Mode chooses physical (bulk) or transactional writes; the zero value
	// is ModeTxn, ModeAuto is physical where the store supports it. Physical mode first
	// reads the source once to split the store's regions at its first key,
	// every SplitEvery bytes (default DefaultRegionSplitSize) and after its
	// last key, and never lets a batch cross a split key, so each batch
	// goes to one region.
	Mode Mode
	// Bulk writes through the store's BulkWriter without planning regions
	// (the embedded default: store.Embedded.BulkWrite bypasses the client
	// protocol). It overrides Mode.
	//
	// A store that is a store.SerialBulkWriter (the embedded store) takes
	// physical writes from one source at a time: Ingest waits for it,
	// writes one batch at a time (Concurrency is ignored) and, unless
	// BatchBytes or BatchPairs is set, in the store's batch size.
	Bulk bool

	// KeySpace, if set, returns how many leading bytes of a key name its
	// key space (for TiDB keys tidbcodec.KeySpacePrefixLen: a table's
	// record range, or one index's range). Ingest then reports the
	// source's keys as one Span per run of keys in the same space.
	KeySpace func(key []byte) int

	// Logger receives the retries of store writes, at info level (nil:
	// slog.Default()).
	Logger *slog.Logger
	// Existing, if set, is called for every key of the source the store
	// already holds, before anything is written (an incremental import:
	// existing.go; RefuseExisting is the strategy "error").
	Existing ExistingFunc

	batchBytesSet   bool // BatchBytes or BatchPairs was given (adjust)
	firstBatchBytes int  // if set, BatchBytes of the first batch
}

// Span is a key range [First, Last], both inclusive.
type Span struct {
	First, Last []byte
}

// End returns the exclusive end of s: the least key after Last.
func (s Span) End() []byte {
	return append(append(make([]byte, 0, len(s.Last)+1), s.Last...), 0)
}

func (o *Options) adjust() error {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.batchBytesSet = o.BatchBytes != 0 || o.BatchPairs != 0
	if o.BatchBytes == 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.BatchPairs == 0 {
		o.BatchPairs = DefaultBatchPairs
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	switch {
	case o.BatchBytes < 0 || o.BatchBytes > MaxBatchBytes:
		return fmt.Errorf("ingest options: BatchBytes %d outside 1..%d", o.BatchBytes, MaxBatchBytes)
	case o.BatchPairs < 0:
		return fmt.Errorf("ingest options: BatchPairs %d is negative", o.BatchPairs)
	case o.Concurrency < 0:
		return fmt.Errorf("ingest options: Concurrency %d is negative", o.Concurrency)
	case o.SplitEvery < 0:
		return fmt.Errorf("ingest options: SplitEvery %d is negative", o.SplitEvery)
	}
	if o.Mode != "" {
		if _, err := ParseMode(string(o.Mode)); err != nil {
			return fmt.Errorf("ingest options: %w", err)
		}
	}
	return nil
}

// Stats reports what Ingest wrote.
type Stats struct {
	Pairs   uint64
	Bytes   uint64 // key+value bytes
	Batches uint64 // batches written (on a SourceBulkWriter, of one session that commits them together)
	Retries uint64 // batch retries after retriable errors
	Splits  int    // split keys requested
	// Mode is the write path used (ModePhysical or ModeTxn).
	Mode    Mode
	Elapsed time.Duration
	// Waited is how long Ingest waited for a serial store's bulk path
	// (store.SerialBulkWriter) before Elapsed began.
	Waited time.Duration
	// Checksum is the SPEC §9 checksum of the pairs read from the source,
	// to compare with the store's after ingest.
	Checksum store.Checksum
	// Spans are the source's keys, one span per run of keys in one key
	// space (Options.KeySpace; nil without it).
	Spans []Span
}

// PairsPerSec is the ingest rate in pairs per second.
func (s Stats) PairsPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Pairs) / s.Elapsed.Seconds()
}

// MBPerSec is the ingest rate in MB (10^6 bytes) of key+value per second.
func (s Stats) MBPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// Ingest writes all pairs of src into st. It is idempotent: after a crash the
// same source can be ingested again and the store ends with the same visible
// pairs. On error some batches may have been committed, except on a store
// that takes a source as one atomic write (store.SourceBulkWriter: the
// embedded store), where nothing of a failed source is.
func Ingest(ctx context.Context, st store.Store, src Source, opts Options) (Stats, error) {
	var stats Stats
	if err := opts.adjust(); err != nil {
		return stats, err
	}
	write, mode, plan, err := resolve(st, opts)
	if err != nil {
		return stats, err
	}
	var session store.BulkSession // the source's atomic write, if the store has one
	if opts.Existing != nil {
		if err := checkExisting(ctx, st, src, opts.Existing); err != nil {
			return stats, err
		}
	}
	stats.Mode = mode
	if serial, ok := st.(store.SerialBulkWriter); ok && mode == ModePhysical {
		// One source at a time, one batch at a time, in the store's
		// batch size: see store.SerialBulkWriter.
		waitStart := time.Now()
		var pairs uint64
		if sz, ok := src.(Sizer); ok {
			pairs, _ = sz.Stats()
		}
		release, err := serial.AcquireBulk(ctx, pairs)
		if err != nil {
			return stats, fmt.Errorf("ingest: %w", err)
		}
		defer release()
		stats.Waited = time.Since(waitStart)
		opts.Concurrency = 1
		if !opts.batchBytesSet {
			opts.BatchBytes, opts.BatchPairs = serial.BulkBatchBytes(false), math.MaxInt
			opts.firstBatchBytes = serial.BulkBatchBytes(true)
		}
		// A store that takes the whole source as one write: the pairs
		// become visible when it commits, after the last batch.
		if sw, ok := serial.(store.SourceBulkWriter); ok {
			sess, err := sw.BeginBulk(ctx)
			switch {
			case err == nil:
				defer sess.Abort()
				write, session = sess.BulkWrite, sess
			case !errors.Is(err, store.ErrNotSupported):
				return stats, fmt.Errorf("ingest: %w", err)
			}
		}
	}
	start := time.Now()
	var bounds [][]byte // batches never cross these keys
	if plan {
		every := opts.SplitEvery
		if every == 0 {
			every = DefaultRegionSplitSize
		}
		bounds, err = planRegions(ctx, st, src, every)
		stats.Splits = len(bounds)
	} else {
		stats.Splits, err = presplit(ctx, st, src, opts.SplitEvery)
	}
	if err != nil {
		return stats, err
	}

	g, gctx := errgroup.WithContext(ctx)
	// free recycles batch buffers: at most Concurrency+1 batches exist, so
	// memory is bounded by (Concurrency+1)*max(BatchBytes, firstBatchBytes).
	free := make(chan *batch, opts.Concurrency+1)
	for range opts.Concurrency + 1 {
		free <- &batch{}
	}
	full := make(chan *batch)
	retries := make([]uint64, opts.Concurrency)
	batches := make([]uint64, opts.Concurrency)
	for w := range opts.Concurrency {
		g.Go(func() error {
			for {
				var b *batch
				select {
				case <-gctx.Done():
					return gctx.Err()
				case b = <-full:
				}
				if b == nil {
					return nil
				}
				r, err := writeWithRetry(gctx, opts.Logger, write, b.pairs, opts.MaxRetries)
				retries[w] += r
				if err != nil {
					return err
				}
				batches[w]++
				b.reset()
				free <- b // never blocks: free holds every batch
			}
		})
	}
	g.Go(func() error {
		err := produce(gctx, src, opts, bounds, free, full, &stats)
		if err != nil {
			return err
		}
		// Tell each worker to stop once the queue is drained.
		for range opts.Concurrency {
			select {
			case <-gctx.Done():
				return gctx.Err()
			case full <- nil:
			}
		}
		return nil
	})
	err = g.Wait()
	if err == nil && session != nil {
		err = session.Commit(ctx)
	}
	for w := range opts.Concurrency {
		stats.Retries += retries[w]
		stats.Batches += batches[w]
	}
	stats.Elapsed = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return stats, fmt.Errorf("ingest: %w", err)
	}
	return stats, nil
}

// batch holds copies of a run of source pairs in one arena. The pairs are
// sliced out of the arena only when the batch is sealed, because the arena
// may move while it grows.
type batch struct {
	arena []byte
	ends  []int // per pair: end offset of the key, then of the value
	pairs []store.Pair
}

func (b *batch) reset() {
	b.arena = b.arena[:0]
	b.ends = b.ends[:0]
	b.pairs = b.pairs[:0]
}

func (b *batch) len() int { return len(b.ends) / 2 }

func (b *batch) add(k, v []byte) {
	b.arena = append(b.arena, k...)
	b.ends = append(b.ends, len(b.arena))
	b.arena = append(b.arena, v...)
	b.ends = append(b.ends, len(b.arena))
}

// seal builds pairs pointing into the arena.
func (b *batch) seal() {
	off := 0
	for i := 0; i < len(b.ends); i += 2 {
		ke, ve := b.ends[i], b.ends[i+1]
		b.pairs = append(b.pairs, store.Pair{Key: b.arena[off:ke:ke], Value: b.arena[ke:ve:ve]})
		off = ve
	}
}

// produce reads src into batches and hands them to the workers. A batch
// ends before a key at or past the next of bounds (sorted).
func produce(ctx context.Context, src Source, opts Options, bounds [][]byte, free, full chan *batch, stats *Stats) error {
	var cur *batch
	var prev []byte
	first := true
	// The open span's key space is spanFirst[:spanPrefix].
	var spanFirst []byte
	spanPrefix := -1
	closeSpan := func() {
		if spanPrefix >= 0 {
			stats.Spans = append(stats.Spans, Span{First: spanFirst, Last: bytes.Clone(prev)})
		}
	}
	sent := 0 // batches sent
	send := func() error {
		sent++
		cur.seal()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case full <- cur:
		}
		cur = nil
		return nil
	}
	err := src.Iterate(ctx, func(k, v []byte) error {
		if !first && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("key %x after %x: %w", k, prev, ErrUnsorted)
		}
		first = false
		if opts.KeySpace != nil {
			if n := opts.KeySpace(k); n != spanPrefix || !bytes.Equal(k[:n], spanFirst[:n]) {
				closeSpan()
				spanFirst, spanPrefix = bytes.Clone(k), n
			}
		}
		prev = append(prev[:0], k...)
		if len(bounds) > 0 && bytes.Compare(k, bounds[0]) >= 0 {
			for len(bounds) > 0 && bytes.Compare(k, bounds[0]) >= 0 {
				bounds = bounds[1:]
			}
			if cur != nil && cur.len() > 0 {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if cur == nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case cur = <-free:
			}
		}
		cur.add(k, v)
		stats.Pairs++
		stats.Bytes += uint64(len(k) + len(v))
		stats.Checksum.Update(k, v)
		limit := opts.BatchBytes
		if sent == 0 && opts.firstBatchBytes > 0 {
			limit = opts.firstBatchBytes
		}
		if cur.len() >= opts.BatchPairs || len(cur.arena) >= limit {
			return send()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	closeSpan()
	if cur != nil && cur.len() > 0 {
		return send()
	}
	return nil
}

// UnavailableRetryTime is how long a batch is retried while the store
// cannot be reached (store.ErrUnavailable), beyond Options.MaxRetries.
const UnavailableRetryTime = 2 * time.Minute

// writeWithRetry writes one batch, retrying errors store.IsRetriable accepts
// with exponential backoff. Rewriting a batch is safe: its keys are distinct
// and the values identical.
func writeWithRetry(ctx context.Context, log *slog.Logger, write func(context.Context, []store.Pair) error, pairs []store.Pair, maxRetries int) (uint64, error) {
	backoff := 50 * time.Millisecond
	var retries uint64
	var unavailableSince time.Time
	for {
		err := write(ctx, pairs)
		// A store that cannot be reached is retried for
		// UnavailableRetryTime whatever the count: a restarting store
		// comes back in seconds, and giving up would stop the member
		// with the engine complete and not ingested.
		unavailable := errors.Is(err, store.ErrUnavailable)
		if !unavailable {
			unavailableSince = time.Time{}
		} else if unavailableSince.IsZero() {
			unavailableSince = time.Now()
		}
		exhausted := int(retries) >= maxRetries && (!unavailable || time.Since(unavailableSince) >= UnavailableRetryTime)
		if err == nil || !store.IsRetriable(err) || exhausted || maxRetries < 0 {
			if err != nil && retries > 0 {
				err = fmt.Errorf("after %d retries: %w", retries, err)
			}
			return retries, err
		}
		retries++
		log.Info("retry store write", "retry", retries, "backoff", backoff, "pairs", len(pairs), "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return retries, ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, 3*time.Second)
	}
}

// ReadTable calls fn for every visible pair of st in [start, end), in key
// order, at one fresh snapshot (for export and verification).
func ReadTable(ctx context.Context, st store.Store, start, end []byte, fn func(k, v []byte) error) error {
	if err := st.Scan(ctx, start, end, fn); err != nil {
		return fmt.Errorf("read [%x, %x): %w", start, end, err)
	}
	return nil
}
