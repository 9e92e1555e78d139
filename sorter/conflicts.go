package sorter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Conflict detection in the sorter (Config.Conflict; see package
// conflict): pairs are stored under their key and their row's place in
// the dump; once a partition is complete, the table's partitions
// exchange their duplicate keys on the conflicts topic in two rounds
// (round 1: the keys found twice within each partition and each one's
// record key range; round 2: the record keys each partition holds within
// another's range, for the handles whose rows lie in two partitions), and
// each partition resolves the same rows from the same reports before its
// ingest.

// ErrConflict: conflict.strategy = "error" and two rows hold one key.
var ErrConflict = errors.New("duplicate key")

// ErrNoRowOffsets: a KV batch without its rows' places, from an encoder
// older than conflict detection.
var ErrNoRowOffsets = errors.New("KV batch without row offsets (an older encoder): conflict detection needs them")

// maxReportBytes bounds one DuplicateKeys message.
const maxReportBytes = 512 << 10

// chunkOrdinal is a chunk's index in the manifest: its place in dump order.
func (st *partitionState) chunkOrdinal(id string) (uint32, bool) {
	if st.ordinals == nil {
		st.ordinals = make(map[string]uint32, len(st.mf.ChunkIds))
		for i, c := range st.mf.ChunkIds {
			st.ordinals[c] = uint32(i)
		}
	}
	o, ok := st.ordinals[id]
	return o, ok
}

// bufferPlaced is buffer with each key followed by its row's place.
func (c *partitionClaim) bufferPlaced(b *lsv1.KVBatch) error {
	chunk, ok := c.st.chunkOrdinal(b.ChunkId)
	if !ok {
		return fmt.Errorf("KV batch of chunk %s, which is not in the manifest of %s.%s", b.ChunkId, c.st.mf.Db, c.st.mf.Table)
	}
	offs := b.RowOffsets
	if len(offs) == 0 && b.Count > 0 {
		return ErrNoRowOffsets
	}
	arena := make([]byte, 0, len(b.Pairs)+int(b.Count)*conflict.SuffixLen)
	return schemas.RangePairs(b.Pairs, func(k, v []byte) error {
		off, n := binary.Uvarint(offs)
		if n <= 0 {
			return fmt.Errorf("chunk %s: %w", b.ChunkId, ErrNoRowOffsets)
		}
		offs = offs[n:]
		start := len(arena)
		arena = conflict.AppendSuffix(arena, k, conflict.Pos{Chunk: chunk, Offset: int64(off)})
		c.keys = append(c.keys, arena[start:len(arena):len(arena)])
		c.values = append(c.values, v)
		c.pending += len(k) + len(v) + conflict.SuffixLen
		return nil
	})
}

// resolveConflicts finds the table's duplicate keys with its other
// partitions and decides which rows lose (st.losers), before the ingest.
func (s *partitionSorter) resolveConflicts(ctx context.Context, dir string, st *partitionState) error {
	start := time.Now()
	unique, rowIDs := s.uniqueIndexes(ctx, st)
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return err
	}
	span := &recordSpan{src: &keyedRanges{eng: eng, unique: unique, noRecords: rowIDs}}
	var local []conflict.Group
	err = conflict.Scan(ctx, span, func(g conflict.Group) error { local = append(local, g); return nil })
	replace := s.cfg.Ingest.Existing != nil && s.cfg.Conflict.Strategy == conflict.Replace
	if err == nil && s.cfg.Ingest.Existing != nil && (s.cfg.Conflict.Strategy == conflict.Ignore || replace) {
		// Incremental: the keys the table holds already are conflicts too.
		var existing []conflict.Group
		if existing, err = s.existingGroupsOnce(ctx, eng, &keyedRanges{eng: eng, unique: unique, noRecords: rowIDs}); err == nil && len(existing) > 0 {
			local = mergeGroups(local, existing)
		}
	}
	release()
	if err != nil {
		return fmt.Errorf("scan %s for duplicate keys: %w", dir, err)
	}
	scanned := time.Now()
	if err := s.publishKeys(ctx, st, 1, local, span); err != nil {
		return err
	}
	var (
		groups []conflict.Group
		border []conflict.Group
	)
	if st.mf.KvPartitions <= 1 {
		// The partition holds the whole table: nothing to exchange (the
		// report above is for the conflicts report).
		groups = local
		if replace {
			if err := s.replaceOld(ctx, dir, st, localOldRows(local)); err != nil {
				return err
			}
		}
	} else {
		round1, err := s.gatherKeys(ctx, st, 1)
		if err != nil {
			return err
		}
		if replace {
			// Before round 2: no partition of the table ingests yet.
			if err := s.replaceOld(ctx, dir, st, ownedOldRows(round1, st.partition)); err != nil {
				return err
			}
		}
		if border, err = s.borderKeys(ctx, dir, st, span, round1); err != nil {
			return err
		}
		if err := s.publishKeys(ctx, st, 2, border, nil); err != nil {
			return err
		}
		round2, err := s.gatherKeys(ctx, st, 2)
		if err != nil {
			return err
		}
		groups = conflict.Merge(append(round1, round2...))
	}
	st.duplicateKeys = len(groups)
	log := s.cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Info("duplicate keys exchanged", "table", st.mf.Db+"."+st.mf.Table, "partition", st.partition,
		"local", len(local), "border", len(border), "table_duplicates", len(groups),
		"scan", scanned.Sub(start).Round(time.Millisecond), "exchange", time.Since(scanned).Round(time.Millisecond))
	if len(groups) == 0 {
		st.losers = map[conflict.Pos]bool{}
		return nil
	}
	if s.cfg.Conflict.Strategy == conflict.Error {
		g := groups[0]
		return fmt.Errorf(`%w: conflict.strategy = "error": %s.%s: %s is held by the rows at %s and %s (%d duplicate keys in the table)`,
			ErrConflict, st.mf.Db, st.mf.Table, s.describeKey(ctx, st, g.Key), RowSource(st.mf, g.Holders[0].Pos), RowSource(st.mf, g.Holders[1].Pos), len(groups))
	}
	losers, err := conflict.Resolve(s.cfg.Conflict.Strategy, groups)
	if err != nil {
		return err
	}
	if err := conflict.CheckThreshold(len(losers), s.cfg.Conflict.Threshold); err != nil {
		return fmt.Errorf("%s.%s: %w", st.mf.Db, st.mf.Table, err)
	}
	st.losers = losers
	return nil
}

// mergeGroups is a and b as one list of groups, a key's holders merged.
func mergeGroups(a, b []conflict.Group) []conflict.Group {
	r := &lsv1.DuplicateKeys{}
	for _, g := range append(slices.Clone(a), b...) {
		r.Keys = append(r.Keys, g.ToProto())
	}
	return conflict.Merge([]*lsv1.DuplicateKeys{r})
}

// reportFailure tells the coordinator that the dump stops the import (a
// duplicate key with strategy "error", more losing rows than the
// threshold), as an encoder reports bad input, and returns err: a
// coordinator in another process stops instead of waiting for the table.
func (s *partitionSorter) reportFailure(ctx context.Context, st *partitionState, err error) error {
	if !errors.Is(err, ErrConflict) && !errors.Is(err, conflict.ErrThreshold) {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	aerr := s.events.Append(actx, schemas.Topic(s.cfg.ImportID, schemas.EventsSuffix), st.mf.KvTopic, &lsv1.Event{
		Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: s.cfg.Member,
		Body: &lsv1.Event_Failed{Failed: &lsv1.ImportFailed{Db: st.mf.Db, Table: st.mf.Table, Error: err.Error()}},
	})
	if aerr != nil {
		return fmt.Errorf("%w (telling the coordinator failed too: %w)", err, aerr)
	}
	return err
}

// RowSource names a row's place: its file and offset.
func RowSource(mf *lsv1.TableManifest, p conflict.Pos) string {
	if p == conflict.StorePos {
		return "the table before the import (--incremental)"
	}
	if int(p.Chunk) < len(mf.ChunkFiles) {
		return fmt.Sprintf("%s:%d", mf.ChunkFiles[p.Chunk], p.Offset)
	}
	if int(p.Chunk) < len(mf.ChunkIds) {
		return fmt.Sprintf("chunk %s offset %d", mf.ChunkIds[p.Chunk], p.Offset)
	}
	return p.String()
}

func (s *partitionSorter) describeKey(ctx context.Context, st *partitionState, key []byte) string {
	// The schema is published before any chunk is encoded: a schema that
	// does not come at once is not waited for, the index is named by id.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	t, err := s.tables.Wait(ctx, st.mf.Db, st.mf.Table)
	if err != nil {
		return conflict.DescribeKey(key, nil)
	}
	return conflict.DescribeKey(key, func(id int64) string {
		for _, idx := range t.Model.Indexes {
			if idx.ID == id {
				return idx.Name
			}
		}
		return ""
	})
}

// uniqueIndexes are the ids of the table's unique indexes (nil: the
// schema did not come in time, every index is scanned); rowIDs is true
// when its rows' handles are _tidb_rowid values (no clustered primary
// key), which the encoders give out once each: its record keys cannot
// collide.
func (s *partitionSorter) uniqueIndexes(ctx context.Context, st *partitionState) (unique map[int64]bool, rowIDs bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	t, err := s.tables.Wait(ctx, st.mf.Db, st.mf.Table)
	if err != nil {
		return nil, false
	}
	unique = map[int64]bool{}
	for _, idx := range t.Model.Indexes {
		if idx.Unique || idx.Primary {
			unique[idx.ID] = true
		}
	}
	return unique, !t.Model.PKIsHandle && !t.Model.IsCommonHandle
}

// keyedRanges is an engine's pairs without those of non-unique indexes,
// which it skips by seeking past them: a non-unique index key ends with
// the row's handle, so two rows give it only when they share the handle,
// and their record keys show that (the losing row's entries are still
// left out of the ingest, by its place).
type keyedRanges struct {
	eng    *engine.Engine
	unique map[int64]bool // nil: every index
	// noRecords skips the record keys too (_tidb_rowid handles).
	noRecords bool
}

var errSkipRange = errors.New("skip range")

func (r *keyedRanges) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	var start []byte
	for {
		var next []byte
		err := r.eng.IterateRange(ctx, start, nil, func(k, v []byte) error {
			key := k[:max(len(k)-conflict.SuffixLen, 0)]
			if r.unique != nil && tidbcodec.IsIndexKey(key) {
				if _, id, _, err := tidbcodec.DecodeIndexKeyPrefix(key); err == nil && !r.unique[id] {
					next = prefixEnd(key[:tidbcodec.IndexPrefixLen])
					return errSkipRange
				}
			}
			if r.noRecords && tidbcodec.IsRecordKey(key) {
				next = prefixEnd(key[:tidbcodec.RecordPrefixLen])
				return errSkipRange
			}
			return fn(k, v)
		})
		if !errors.Is(err, errSkipRange) {
			return err
		}
		if next == nil {
			return nil // the skipped index was the last possible key space
		}
		start = next
	}
}

// prefixEnd is the least key after every key starting with p (nil: none).
func prefixEnd(p []byte) []byte {
	end := slices.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i]++; end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// recordSpan passes a suffixed engine's pairs on, noting the ranges
// its record keys lie in: one per physical table, cut where an integer
// handle follows the one before by more than spanGap.
type recordSpan struct {
	src         conflict.Source
	first, last []byte
	spans       []keySpan
}

// keySpan is a key range [first, last].
type keySpan struct{ first, last []byte }

// spanGap and maxSpans bound a partition's record ranges (round 1).
const (
	spanGap  = 1024
	maxSpans = 1024
)

func (r *recordSpan) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	return r.src.Iterate(ctx, func(k, v []byte) error {
		if key := k[:max(len(k)-conflict.SuffixLen, 0)]; tidbcodec.IsRecordKey(key) {
			if r.first == nil {
				r.first = slices.Clone(key)
			}
			if n := len(r.spans); n == 0 || wideGap(r.spans[n-1].last, key) {
				if n >= 2*maxSpans {
					r.spans = halve(r.spans)
				}
				r.spans = append(r.spans, keySpan{first: slices.Clone(key)})
			}
			sp := &r.spans[len(r.spans)-1]
			sp.last = append(sp.last[:0], key...)
			r.last = append(r.last[:0], key...)
		}
		return fn(k, v)
	})
}

// wideGap says whether record key b, after a, starts a new range: another
// physical table, or integer handles more than spanGap apart.
func wideGap(a, b []byte) bool {
	p := tidbcodec.RecordPrefixLen
	if !bytes.Equal(a[:p], b[:p]) {
		return true
	}
	if len(a) != p+8 || len(b) != p+8 {
		return false // common handles: one range
	}
	return binary.BigEndian.Uint64(b[p:])-binary.BigEndian.Uint64(a[p:]) > spanGap
}

// ranges are r's spans, at most maxSpans (neighbours merged), as
// alternating first and last keys.
func (r *recordSpan) ranges() [][]byte {
	spans := r.spans
	for len(spans) > maxSpans {
		spans = halve(spans)
	}
	out := make([][]byte, 0, 2*len(spans))
	for _, sp := range spans {
		out = append(out, sp.first, sp.last)
	}
	return out
}

// halve merges neighbouring spans pairwise (the ranges only widen).
func halve(spans []keySpan) []keySpan {
	merged := make([]keySpan, 0, (len(spans)+1)/2)
	for i := 0; i < len(spans); i += 2 {
		sp := spans[i]
		if i+1 < len(spans) {
			sp.last = spans[i+1].last
		}
		merged = append(merged, sp)
	}
	return merged
}

// borderKeys are the record keys of this partition that lie within
// another partition's record ranges (round 2), one holder each.
func (s *partitionSorter) borderKeys(ctx context.Context, dir string, st *partitionState, own *recordSpan, round1 []*lsv1.DuplicateKeys) ([]conflict.Group, error) {
	if own.first == nil {
		return nil, nil
	}
	var others []keySpan
	for _, r := range round1 {
		if r.Partition == st.partition || r.Part != 0 {
			continue
		}
		rs := r.RecordRanges
		if len(rs) == 0 && len(r.RecordFirst) > 0 {
			rs = [][]byte{r.RecordFirst, r.RecordLast}
		}
		for i := 0; i+1 < len(rs); i += 2 {
			if bytes.Compare(rs[i], own.last) <= 0 && bytes.Compare(rs[i+1], own.first) >= 0 {
				others = append(others, keySpan{rs[i], rs[i+1]})
			}
		}
	}
	if len(others) == 0 {
		return nil, nil
	}
	// The others' ranges as a sorted union, walked alongside the keys.
	slices.SortFunc(others, func(a, b keySpan) int { return bytes.Compare(a.first, b.first) })
	union := others[:1]
	for _, o := range others[1:] {
		if u := &union[len(union)-1]; bytes.Compare(o.first, u.last) <= 0 {
			if bytes.Compare(o.last, u.last) > 0 {
				u.last = o.last
			}
			continue
		}
		union = append(union, o)
	}
	start := own.first
	if bytes.Compare(union[0].first, start) > 0 {
		start = union[0].first
	}
	eng, release, err := s.cfg.Engines.Acquire(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer release()
	var out []conflict.Group
	i := 0
	err = eng.IterateRange(ctx, slices.Clone(start), nil, func(k, v []byte) error {
		key, pos, err := conflict.SplitSuffix(k)
		if err != nil {
			return err
		}
		if !tidbcodec.IsRecordKey(key) {
			return nil // another physical table's index keys (partitioned tables)
		}
		for i < len(union) && bytes.Compare(union[i].last, key) < 0 {
			i++
		}
		if i == len(union) {
			return errStopScan
		}
		if bytes.Compare(key, union[i].first) >= 0 {
			out = append(out, conflict.Group{Key: slices.Clone(key), Holders: []conflict.Holder{{Pos: pos}}})
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, fmt.Errorf("scan %s for border keys: %w", dir, err)
	}
	return out, nil
}

var errStopScan = errors.New("stop scan")

// publishKeys sends a partition's report of one round, in parts.
func (s *partitionSorter) publishKeys(ctx context.Context, st *partitionState, round uint32, groups []conflict.Group, span *recordSpan) error {
	var parts []*lsv1.DuplicateKeys
	cur := &lsv1.DuplicateKeys{}
	size := 0
	for _, g := range groups {
		k := g.ToProto()
		for _, h := range k.Holders {
			// The row's place says everything needed: the report reads
			// the row from the dump, and a dump whose shards overlap
			// sends many keys. The table's row (incremental import) has
			// no place: its stored value names it (replaceOld).
			if (conflict.Pos{Chunk: h.Chunk, Offset: h.Offset}) != conflict.StorePos {
				h.Value = nil
			}
		}
		n := proto.Size(k)
		if size > 0 && size+n > maxReportBytes {
			parts = append(parts, cur)
			cur, size = &lsv1.DuplicateKeys{}, 0
		}
		cur.Keys = append(cur.Keys, k)
		size += n
	}
	parts = append(parts, cur)
	topic := schemas.Topic(s.cfg.ImportID, schemas.ConflictsSuffix)
	for i, p := range parts {
		p.Version, p.Db, p.Table, p.Partition, p.Round = 1, st.mf.Db, st.mf.Table, st.partition, round
		p.Part, p.Parts = uint32(i), uint32(len(parts))
		if i == 0 && span != nil {
			p.RecordFirst, p.RecordLast, p.RecordRanges = span.first, span.last, span.ranges()
		}
		if err := s.events.Append(ctx, topic, st.mf.KvTopic, p); err != nil {
			return fmt.Errorf("publish duplicate keys of %s.%s partition %d: %w", st.mf.Db, st.mf.Table, st.partition, err)
		}
	}
	return nil
}

// gatherKeys waits for every partition's report of one round (a report
// sent twice, after a crash, is identical: the first copy of each part
// counts).
func (s *partitionSorter) gatherKeys(ctx context.Context, st *partitionState, round uint32) ([]*lsv1.DuplicateKeys, error) {
	n := int(st.mf.KvPartitions)
	parts := make([]map[uint32]*lsv1.DuplicateKeys, n)
	want := make([]uint32, n)
	done := 0
	topic := schemas.Topic(s.cfg.ImportID, schemas.ConflictsSuffix)
	err := topiclog.Follow(ctx, s.cfg.Kafka, topic, func(m kafkaio.Message) error {
		if string(m.Key) != st.mf.KvTopic {
			return nil
		}
		var r lsv1.DuplicateKeys
		if err := proto.Unmarshal(m.Value, &r); err != nil {
			return fmt.Errorf("%s offset %d: bad duplicate keys: %w", topic, m.Offset, err)
		}
		p := int(r.Partition)
		if r.Round != round || p >= n || r.Db != st.mf.Db || r.Table != st.mf.Table {
			return nil
		}
		if parts[p] == nil {
			parts[p] = map[uint32]*lsv1.DuplicateKeys{}
		}
		if _, seen := parts[p][r.Part]; seen || (want[p] > 0 && len(parts[p]) >= int(want[p])) {
			return nil
		}
		parts[p][r.Part] = &r
		want[p] = r.Parts
		if len(parts[p]) == int(r.Parts) {
			done++
		}
		if done == n {
			return topiclog.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gather duplicate keys of %s.%s: %w", st.mf.Db, st.mf.Table, err)
	}
	if done < n {
		return nil, ctx.Err()
	}
	var out []*lsv1.DuplicateKeys
	for _, m := range parts {
		for i := range uint32(len(m)) {
			out = append(out, m[i])
		}
	}
	return out, nil
}
