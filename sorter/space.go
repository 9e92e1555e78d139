package sorter

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// EngineSpace accounts for the disk the engines of one engine directory
// take (shared by the sorter members of a process, like EnginePool) and
// enforces its quota, as TiDB Lightning's tikv-importer.disk-quota does:
// when writing a batch would take the engines past the quota, the largest
// engine that a claim is writing is ingested as it is (partially: the
// rest of its partition's pairs are ingested later) and its runs are
// dropped, and the writer waits for the space. Meanwhile the claim does
// not fetch: its partition's lag grows, nothing is lost.
type EngineSpace struct {
	limit int64

	mu      sync.Mutex
	engines map[string]*spaceEntry // by engine directory
	used    int64
	// reserved: bytes of batches being written, let in by reserve and
	// not yet in used.
	reserved int64
	peak     int64
	written  int64
	freed    int64
	spills   int64
	changed  chan struct{} // closed and replaced on every change
}

type spaceEntry struct {
	bytes int64
	// owned: a claim is writing the engine and can spill it; spill: it
	// was asked to; wake interrupts its fetch to make it look.
	owned bool
	spill bool
	wake  func()
}

// NewEngineSpace accounts for engines, within limit bytes (0: no limit).
func NewEngineSpace(limit int64) *EngineSpace {
	return &EngineSpace{limit: limit, engines: map[string]*spaceEntry{}, changed: make(chan struct{})}
}

// Limit is the quota in bytes (0: none).
func (s *EngineSpace) Limit() int64 {
	if s == nil {
		return 0
	}
	return s.limit
}

// SpaceStats are what the engines took.
type SpaceStats struct {
	// Written is the bytes of run files written, Freed those removed
	// (after ingest, or dropped to stay within the quota); Used what the
	// engines hold now and Peak the most they held at once.
	Written, Freed, Used, Peak int64
	// Spills counts the engines ingested early to stay within the quota.
	Spills int64
}

// Stats returns what the engines took so far.
func (s *EngineSpace) Stats() SpaceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SpaceStats{Written: s.written, Freed: s.freed, Used: s.used, Peak: s.peak, Spills: s.spills}
}

func (s *EngineSpace) entry(dir string) *spaceEntry {
	e := s.engines[dir]
	if e == nil {
		e = &spaceEntry{}
		s.engines[dir] = e
	}
	return e
}

func (s *EngineSpace) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// found records an engine found on disk (an earlier run's): its bytes
// count as used, not as written now.
func (s *EngineSpace) found(dir string, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entry(dir)
	s.used += bytes - e.bytes
	e.bytes = bytes
	s.peak = max(s.peak, s.used)
	s.broadcastLocked()
}

// update records that dir's engine now takes bytes: growth counts as
// written, shrinking as freed.
func (s *EngineSpace) update(dir string, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entry(dir)
	if d := bytes - e.bytes; d > 0 {
		s.written += d
	} else {
		s.freed -= d
	}
	s.used += bytes - e.bytes
	e.bytes = bytes
	if bytes == 0 {
		e.spill = false
	}
	s.peak = max(s.peak, s.used)
	s.broadcastLocked()
}

// spilled counts an early ingest.
func (s *EngineSpace) spilled() {
	s.mu.Lock()
	s.spills++
	s.mu.Unlock()
}

// removed records that dir's engine is gone.
func (s *EngineSpace) removed(dir string) {
	s.update(dir, 0)
	s.mu.Lock()
	if e := s.engines[dir]; e != nil && !e.owned {
		delete(s.engines, dir)
	}
	s.mu.Unlock()
}

// own registers the claim writing dir's engine; wake interrupts its
// fetch. The returned func unregisters it.
func (s *EngineSpace) own(dir string, wake func()) func() {
	s.mu.Lock()
	e := s.entry(dir)
	e.owned, e.wake, e.spill = true, wake, false
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		e.owned, e.wake = false, nil
		s.broadcastLocked()
		s.mu.Unlock()
	}
}

// spillAsked reports whether dir's engine was asked to free its space.
func (s *EngineSpace) spillAsked(dir string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.engines[dir]
	return e != nil && e.spill && e.bytes > 0
}

// noCandidateWait is how long a writer waits over quota while no engine
// it could free exists (every byte held by engines no claim writes, as
// during a group rebalance) before it writes anyway.
const noCandidateWait = 10 * time.Second

// reserve waits until need more bytes fit dir's engine within the quota,
// and holds them for the writer until it calls done (after recording the
// write with update). While they do not fit, the largest engine a claim
// writes is made to spill: dir's own through spillSelf, another's by
// asking its claim.
func (s *EngineSpace) reserve(ctx context.Context, dir string, need int64, spillSelf func() error) (done func(), err error) {
	if s == nil || s.limit <= 0 {
		return func() {}, nil
	}
	var noCandidateSince time.Time
	admit := func() func() {
		s.reserved += need
		return func() {
			s.mu.Lock()
			s.reserved -= need
			s.broadcastLocked()
			s.mu.Unlock()
		}
	}
	for {
		s.mu.Lock()
		if s.used+s.reserved+need <= s.limit || s.used+s.reserved == 0 {
			done := admit()
			s.mu.Unlock()
			return done, nil
		}
		self := s.entry(dir)
		var largest string
		var most int64
		for d, e := range s.engines {
			if e.owned && e.bytes > most {
				largest, most = d, e.bytes
			}
		}
		switch {
		case self.bytes > 0 && (self.spill || largest == dir):
			s.mu.Unlock()
			if err := spillSelf(); err != nil {
				return nil, err
			}
			continue
		case largest != "":
			noCandidateSince = time.Time{}
			e := s.engines[largest]
			if !e.spill {
				e.spill = true
				if e.wake != nil {
					e.wake()
				}
			}
		default:
			if noCandidateSince.IsZero() {
				noCandidateSince = time.Now()
			} else if time.Since(noCandidateSince) > noCandidateWait {
				done := admit()
				s.mu.Unlock()
				slog.Warn("engine disk quota: no engine can be freed, writing past the quota", "engine", dir, "quota", s.limit, "bytes", need)
				return done, nil
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		case <-time.After(time.Second):
		}
	}
}

// ErrQuotaTooSmall: one KV partition is larger than the engines' disk
// quota; the quota cannot be kept.
var ErrQuotaTooSmall = fmt.Errorf("disk quota smaller than a KV partition")

// CheckQuota fails when a table's largest KV partition is estimated to
// exceed the disk quota limit: its record share (source bytes over the
// partitions, as the record pairs are spread by source bytes) taken as
// as many KV bytes, a lower bound for most tables, since a row's pairs
// are rarely smaller than its dump text. A partition found larger only
// while it is written fails then, before its engine passes the quota.
func CheckQuota(manifests []*lsv1.TableManifest, limit int64) error {
	if limit <= 0 {
		return nil
	}
	for _, mf := range manifests {
		n := max(int64(mf.KvPartitions), 1)
		if est := mf.SourceBytes / n; est > limit {
			return fmt.Errorf("%w: --disk-quota %s cannot hold one KV partition of %s.%s, about %s of KV pairs (%s of source over %d partitions); raise the quota to at least that, or --kv-partitions",
				ErrQuotaTooSmall, formatBytes(limit), mf.Db, mf.Table, formatBytes(est), formatBytes(mf.SourceBytes), n)
		}
	}
	return nil
}

// formatBytes prints n in binary units.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
