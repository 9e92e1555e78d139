package engine

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	"github.com/dgraph-io/ristretto/v2/z"
)

// blockSize is the runs' block size. Runs are only read sequentially (no
// point lookups, so no bloom filter either): bigger blocks than Badger's 4
// KiB default mean a smaller index and fewer block switches.
const blockSize = 32 << 10

// releaseEvery is how many bytes a merge reads between dropping the pages it
// has read from the process's mappings (see mergeRuns).
const releaseEvery = 64 << 20

// allocPool recycles the table builders' block memory across runs.
var allocPool = z.NewAllocatorPool(8)

// entry is one pair of a Write; its index in the Write is the tie-break:
// of two pairs with one key, the later one wins.
type entry struct{ k, v []byte }

// runBuffer collects a Write's pairs; it references the caller's slices.
type runBuffer struct {
	entries []entry
	items   []sortItem // entries' indexes in key order
	sorted  []entry    // entries in key order, one per key
	bytes   int
	out     []byte // the encoded table, reused
	key     []byte // key + version, reused
}

var runBuffers = sync.Pool{New: func() any { return new(runBuffer) }}

func getRunBuffer() *runBuffer { return runBuffers.Get().(*runBuffer) }

func putRunBuffer(b *runBuffer) {
	clear(b.entries) // drop references to the caller's pairs
	clear(b.sorted)
	b.entries, b.sorted, b.bytes = b.entries[:0], b.sorted[:0], 0
	if cap(b.out) > 256<<20 {
		b.out = nil
	}
	runBuffers.Put(b)
}

func (b *runBuffer) add(k, v []byte) {
	b.entries = append(b.entries, entry{k: k, v: v})
	b.bytes += len(k) + len(v)
}

func (b *runBuffer) len() int { return len(b.entries) }

// sortUnique sorts the entries by key and keeps, of equal keys, the last
// added.
func (b *runBuffer) sortUnique() {
	b.items = sortKeys(b.entries, b.items)
	out := b.sorted[:0]
	for i, it := range b.items {
		en := b.entries[it.i]
		if i+1 < len(b.items) && bytes.Equal(en.k, b.entries[b.items[i+1].i].k) {
			continue // the next one was added later
		}
		out = append(out, en)
	}
	b.sorted = out
}

// sortItem is an entry's index with eight bytes of its key, big-endian,
// so that most comparisons are one integer comparison.
type sortItem struct {
	w uint64
	i int32
}

// sortKeys returns the indexes of entries in (key, index) order, in items'
// memory.
//
// Comparing keys through their slices chases two pointers into the
// messages the pairs came from, and TiDB keys share long prefixes (t,
// table id, _r or _i, index id, leading zero bytes of handles): a plain
// comparison sort of a 16 MiB flush spent most of its time in cache misses
// and memcmp of equal prefixes. This is a most-significant-word-first
// radix sort instead: sort by the eight key bytes at offset d (after the
// batch's common prefix), then sort each run of equal words by the next
// eight bytes, and so on; runs that are small or whose keys end within the
// word are finished with full comparisons.
func sortKeys(entries []entry, items []sortItem) []sortItem {
	items = items[:0]
	for i := range entries {
		items = append(items, sortItem{i: int32(i)})
	}
	if len(entries) < 2 {
		return items
	}
	lcp := len(entries[0].k)
	for _, en := range entries[1:] {
		lcp = min(lcp, commonPrefix(entries[0].k, en.k))
	}
	sortWords(entries, items, lcp)
	return items
}

// smallRun is the run length below which sortWords compares whole keys.
const smallRun = 16

func sortWords(entries []entry, items []sortItem, d int) {
	if len(items) < smallRun {
		sortFull(entries, items)
		return
	}
	long := false   // some key goes on after this word
	differ := false // not every word is the same
	for j := range items {
		k := entries[items[j].i].k
		items[j].w = wordAt(k, d)
		long = long || len(k) > d+8
		differ = differ || items[j].w != items[0].w
	}
	if !differ && long {
		sortWords(entries, items, d+8)
		return
	}
	slices.SortFunc(items, func(a, c sortItem) int { return cmp.Compare(a.w, c.w) })
	for lo := 0; lo < len(items); {
		hi := lo + 1
		for hi < len(items) && items[hi].w == items[lo].w {
			hi++
		}
		if hi-lo > 1 {
			if long {
				sortWords(entries, items[lo:hi], d+8)
			} else {
				// Equal keys, or keys told apart only by their length
				// (the word pads with zeros).
				sortFull(entries, items[lo:hi])
			}
		}
		lo = hi
	}
}

func sortFull(entries []entry, items []sortItem) {
	slices.SortFunc(items, func(a, c sortItem) int {
		if r := bytes.Compare(entries[a.i].k, entries[c.i].k); r != 0 {
			return r
		}
		return cmp.Compare(a.i, c.i)
	})
}

// wordAt is the eight bytes of k at offset d, big-endian, zero-padded.
func wordAt(k []byte, d int) uint64 {
	if d+8 <= len(k) {
		return binary.BigEndian.Uint64(k[d:])
	}
	var w uint64
	for i := 0; i < 8; i++ {
		w <<= 8
		if d+i < len(k) {
			w |= uint64(k[d+i])
		}
	}
	return w
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// versionedKey is key followed by Badger's timestamp suffix for version
// seq (y.KeyWithTs without the allocation).
func versionedKey(dst, key []byte, seq uint64) []byte {
	dst = append(dst[:0], key...)
	return binary.BigEndian.AppendUint64(dst, math.MaxUint64-seq)
}

func tableOptions(c Compression, size int) table.Options {
	o := table.Options{
		TableSize: uint64(size)/2 + 1, // the builder preallocates twice this
		BlockSize: blockSize,
		ChkMode:   options.OnBlockRead,
		AllocPool: allocPool,
	}
	switch c {
	case CompressionSnappy:
		o.Compression = options.Snappy
	case CompressionZSTD:
		o.Compression, o.ZSTDCompressionLevel = options.ZSTD, 1
	default:
		o.Compression = options.None
	}
	return o
}

// writeRun writes b's pairs as the run with the engine's next sequence
// number. The file is written with plain writes, not through a mapping,
// and not synced: Sync does that for every run since the last one.
func (e *Engine) writeRun(b *runBuffer) (run, error) {
	b.sortUnique()
	r := run{Seq: e.man.NextRun, Pairs: int64(len(b.sorted)), Compression: e.opts.Compression}
	bld := table.NewTableBuilder(tableOptions(r.Compression, b.bytes+len(b.sorted)*24))
	defer bld.Close()
	for _, en := range b.sorted {
		b.key = versionedKey(b.key, en.k, r.Seq)
		bld.Add(b.key, y.ValueStruct{Value: en.v}, 0)
	}
	bd := bld.Done()
	if cap(b.out) < bd.Size {
		b.out = make([]byte, bd.Size)
	}
	out := b.out[:bd.Size]
	if n := bd.Copy(out); n != len(out) {
		return run{}, fmt.Errorf("run %d: table builder copied %d of %d bytes", r.Seq, n, len(out))
	}
	r.Size = int64(len(out))
	name := r.file(e.dir)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return run{}, fmt.Errorf("run %d: %w", r.Seq, err)
	}
	_, err = f.Write(out)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return run{}, fmt.Errorf("run %d: %w", r.Seq, err)
	}
	return r, nil
}

// openRun maps a run's file for reading. The file descriptor is closed once
// the file is mapped: a merge over a big engine's hundreds of runs holds
// mappings, not descriptors (the process's open-file limit can be as low
// as a few thousand).
func openRun(dir string, r run) (*table.Table, error) {
	name := r.file(dir)
	if st, err := os.Stat(name); err != nil {
		return nil, fmt.Errorf("run %d: %w", r.Seq, err)
	} else if st.Size() != r.Size {
		return nil, fmt.Errorf("run %s: %d bytes, the manifest says %d", name, st.Size(), r.Size)
	}
	mf, err := z.OpenMmapFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", name, err)
	}
	t, err := table.OpenTable(mf, tableOptions(r.Compression, 0))
	if err != nil {
		_ = mf.Close(-1)
		return nil, fmt.Errorf("run %s: %w", name, err)
	}
	fd := mf.Fd
	mf.Fd = nil
	if err := fd.Close(); err != nil {
		_ = z.Munmap(mf.Data)
		return nil, fmt.Errorf("run %s: %w", name, err)
	}
	return t, nil
}

// closeRun unmaps a run opened by openRun.
func closeRun(t *table.Table) error { return z.Munmap(t.Data) }

// verifyRun checks a run's size and every block's checksum.
func verifyRun(dir string, r run) error {
	t, err := openRun(dir, r)
	if err != nil {
		return err
	}
	err = t.VerifyChecksum()
	if cerr := closeRun(t); err == nil {
		err = cerr
	}
	return err
}

// mergeRuns calls fn for the newest version of every key in [start, end)
// over runs, in key order.
//
// The runs are memory-mapped. Pages read through a mapping count in the
// process's RSS until unmapped, which would make an engine's whole size
// resident by the end of an ingest: every releaseEvery bytes the merge
// drops the mappings' pages (MADV_DONTNEED on a shared read-only file
// mapping: the next access maps the page again from the page cache), so
// memory stays flat however big the engine.
func mergeRuns(ctx context.Context, dir string, runs []run, start, end []byte, fn func(k, v []byte) error) (err error) {
	if len(runs) == 0 {
		return ctx.Err()
	}
	tables := make([]*table.Table, 0, len(runs))
	iters := make([]y.Iterator, 0, len(runs))
	defer func() {
		for _, it := range iters {
			_ = it.Close()
		}
		for _, t := range tables {
			if cerr := closeRun(t); err == nil && cerr != nil {
				err = cerr
			}
		}
	}()
	// Newest first: of equal keys (never with distinct versions, but the
	// merge iterator prefers its left side) the newest wins.
	for i := len(runs) - 1; i >= 0; i-- {
		t, err := openRun(dir, runs[i])
		if err != nil {
			return err
		}
		tables = append(tables, t)
		iters = append(iters, t.NewIterator(0))
	}
	it := table.NewMergeIterator(iters, false)
	if start != nil {
		it.Seek(versionedKey(nil, start, math.MaxUint64))
	} else {
		it.Rewind()
	}
	var (
		prev     []byte
		havePrev bool
		n        int
		read     int
	)
	for ; it.Valid(); it.Next() {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k := y.ParseKey(it.Key())
		if end != nil && bytes.Compare(k, end) >= 0 {
			break
		}
		if havePrev && bytes.Equal(k, prev) {
			continue // an older version
		}
		v := it.Value().Value
		if err := fn(k, v); err != nil {
			return err
		}
		prev, havePrev = append(prev[:0], k...), true
		if read += len(k) + len(v); read >= releaseEvery {
			read = 0
			for _, t := range tables {
				releasePages(t.Data)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return nil
}

var errLocked = errors.New("engine directory is locked by another process")
