package sorter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// An engine is needed until its partition is ingested and reported; then
// it is removed (unless Config.KeepEngines), as TiDB Lightning removes its
// local sorted files once an engine is imported. What a restarted sorter
// must still know of the partition — that it is done, and its report, to
// repeat it — is kept in a done record next to where the engine was:
//
//	<engine dir>/<kv topic>/<partition>.done   the PartitionIngested proto
//
// The record is written (durably) before the engine is removed, and the
// engine records the report too ("ingested" meta) before either, so a
// crash at any point leaves a state a restart finishes: ingested meta but
// no record — write it and remove the engine; record and engine — remove
// the engine; record alone — done. A partition whose engine and record
// are both gone (another machine's sorter takes it over) is read again
// from its retained KV topic and ingested again, identically, as replay
// does.

// donePath is the done record of the engine in dir.
func donePath(dir string) string { return dir + ".done" }

// loadDone reads dir's done record (nil if there is none).
func loadDone(dir string) (*lsv1.PartitionIngested, error) {
	raw, err := os.ReadFile(donePath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("done record of %s: %w", dir, err)
	}
	var done lsv1.PartitionIngested
	if err := proto.Unmarshal(raw, &done); err != nil {
		return nil, fmt.Errorf("done record %s: %w", donePath(dir), err)
	}
	return &done, nil
}

// writeDone writes dir's done record atomically and durably.
func writeDone(dir string, done *lsv1.PartitionIngested) error {
	raw, err := proto.Marshal(done)
	if err != nil {
		return err
	}
	path := donePath(dir)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("done record: %w", err)
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("done record %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// release removes the engine of an ingested partition, leaving its done
// record, unless engines are kept.
func (s *partitionSorter) release(dir string, st *partitionState) error {
	if s.cfg.KeepEngines {
		return nil
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := writeDone(dir, st.ingested); err != nil {
		return err
	}
	if err := s.cfg.Engines.Drop(dir); err != nil {
		return err
	}
	if err := engine.Remove(dir); err != nil {
		return err
	}
	s.cfg.Space.removed(dir)
	return nil
}

// Meta key of the ingests made early to stay within the disk quota:
// "spill/" + a 6-digit sequence number, the PartitionIngested figures and
// spans of what was ingested.
const metaSpill = "spill/"

// spill frees the space of dir's engine: it ingests what the engine holds
// (the pairs up to the partition's recorded offset; the partition need
// not be complete) and drops its runs, recording what was ingested in
// the same durable manifest write. A crash before that write leaves the
// runs, which are ingested again later (ingest is idempotent); after it,
// the record. Pairs of the partition that arrive later go into new runs
// and are ingested by a later spill or the final ingest, whose report
// adds all of them up (combineIngests).
func (s *partitionSorter) spill(ctx context.Context, dir string, st *partitionState) error {
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return err
	}
	defer release()
	if eng.DiskBytes() == 0 {
		s.cfg.Space.update(dir, 0)
		return nil
	}
	part, err := s.ingestEngine(ctx, eng, st)
	if err != nil {
		return err
	}
	raw, _ := proto.Marshal(part)
	key := fmt.Sprintf("%s%06d", metaSpill, len(st.spills))
	if _, err := eng.DropRuns(map[string][]byte{key: raw}); err != nil {
		return err
	}
	st.spills = append(st.spills, part)
	st.spilledBytes += part.Bytes
	s.cfg.Space.update(dir, eng.DiskBytes())
	s.cfg.Space.spilled()
	return nil
}

// makeRoom waits until need more bytes fit dir's engine within the disk
// quota and holds them until done (EngineSpace.reserve), after checking that the partition as a
// whole fits it: a partition larger than the quota fails here, before its
// engine passes the quota (CheckQuota estimates it before the import).
func (s *partitionSorter) makeRoom(ctx context.Context, dir string, st *partitionState, need int64) (done func(), err error) {
	limit := s.cfg.Space.Limit()
	if limit <= 0 {
		return func() {}, nil
	}
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return nil, err
	}
	held := eng.DiskBytes()
	release()
	if total := int64(st.spilledBytes) + held + need; total > limit {
		return nil, fmt.Errorf("%w: --disk-quota %s cannot hold partition %d of %s.%s: its engine needs %s for the pairs it has received so far (%s of them ingested early to stay within the quota), and more are arriving; raise the quota, or --kv-partitions",
			ErrQuotaTooSmall, formatBytes(limit), st.partition, st.mf.Db, st.mf.Table, formatBytes(total), formatBytes(int64(st.spilledBytes)))
	}
	return s.cfg.Space.reserve(ctx, dir, need, func() error { return s.spill(ctx, dir, st) })
}

// runBytes estimates the run file a batch of kvBytes of pairs becomes
// (Badger's table format: per-pair key and value headers, block
// checksums, the index).
func runBytes(kvBytes int) int64 {
	return int64(kvBytes) + int64(kvBytes)/8 + 16<<10
}

// flushBytes is the pairs a claim buffers before a write: FlushBytes, or
// an eighth of the disk quota if smaller, so that the engines can hold
// several runs within it.
func (s *partitionSorter) flushBytes() int {
	if l := s.cfg.Space.Limit(); l > 0 && l/8 < int64(s.cfg.FlushBytes) {
		return int(max(l/8, 64<<10))
	}
	return s.cfg.FlushBytes
}

// combineIngests adds up a partition's ingests: pairs, bytes and checksum
// (a pair ingested twice, re-delivered after an early ingest, counts
// twice here; the store's checksum over the spans, which the coordinator
// compares, counts it once), and the union of their spans, overlapping
// ones merged.
func combineIngests(parts []*lsv1.PartitionIngested) *lsv1.PartitionIngested {
	out := &lsv1.PartitionIngested{}
	var spans []*lsv1.KeySpan
	for _, p := range parts {
		out.Kvs += p.Kvs
		out.Bytes += p.Bytes
		out.Checksum ^= p.Checksum
		spans = append(spans, p.Spans...)
	}
	if len(parts) <= 1 {
		out.Spans = spans
		return out
	}
	slices.SortFunc(spans, func(a, b *lsv1.KeySpan) int { return bytes.Compare(a.First, b.First) })
	for _, sp := range spans {
		if n := len(out.Spans); n > 0 && bytes.Compare(sp.First, out.Spans[n-1].Last) <= 0 {
			if bytes.Compare(sp.Last, out.Spans[n-1].Last) > 0 {
				out.Spans[n-1].Last = sp.Last
			}
			continue
		}
		out.Spans = append(out.Spans, &lsv1.KeySpan{First: sp.First, Last: sp.Last})
	}
	return out
}
