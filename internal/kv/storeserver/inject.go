package storeserver

import (
	"context"
	"fmt"
	"sync"

	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/tikv/client-go/v2/tikvrpc"
)

// Injected region errors (Config.InjectRegionErrors) take turns through
// these kinds, so that one small import meets each of the errors
// Lightning's local backend retries (pkg/lightning/backend/local
// region_job.go convertStageOnIngestError): a real split of the region
// under the SST (the ingest then fails the ordinary epoch check), a
// NotLeader, a RegionNotFound, and a ServerIsBusy answer to a Write.
const (
	injectSplit = iota
	injectNotLeader
	injectRegionNotFound
	injectWriteBusy
	injectKinds
)

// injector hands out the configured number of injected errors.
type injector struct {
	mu   sync.Mutex
	left int
	seq  int // injected so far
}

// next consumes an injection if one is left and the next kind is a Write's
// (write) or an ingest's; it returns the kind. A split's turn is taken
// only when splittable says the ingest can be split inside (an SST of one
// pair cannot): it stays for a later ingest, so that every kind is met
// as often as configured.
func (in *injector) next(write bool, splittable func() bool) (int, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.left <= 0 {
		return 0, false
	}
	kind := in.seq % injectKinds
	if (kind == injectWriteBusy) != write || kind == injectSplit && (splittable == nil || !splittable()) {
		return 0, false
	}
	in.left--
	in.seq++
	return kind, true
}

func (s *Server) noteInjected(format string, args ...any) {
	if s.cfg.OnInject != nil {
		s.cfg.OnInject(fmt.Sprintf(format, args...))
	}
}

// injectWrite answers a Write stream with ServerIsBusy when it is that
// kind's turn.
func (s *Server) injectWrite() *import_sstpb.Error {
	if _, ok := s.inject.next(true, nil); !ok {
		return nil
	}
	s.noteInjected("injected ServerIsBusy on Write")
	return busy("injected: server is busy")
}

// injectIngest returns an injected region error for an ingest into a
// region that passed the region check, or nil. The split kind splits the
// region in the middle of the first SST and returns nil: the ingest's own
// epoch check then refuses the SST, as TiKV does after a real split.
func (s *Server) injectIngest(rctx *kvrpcpb.Context, region *metapb.Region, metas []*import_sstpb.SSTMeta) *errorpb.Error {
	var key []byte
	kind, ok := s.inject.next(false, func() bool {
		key = s.ssts.middleKey(metas)
		return key != nil
	})
	if !ok {
		return nil
	}
	switch kind {
	case injectSplit:
		resp, err := s.forward(context.Background(), tikvrpc.CmdSplitRegion, &kvrpcpb.SplitRegionRequest{Context: rctx, SplitKeys: [][]byte{key}})
		if err == nil && resp.(*kvrpcpb.SplitRegionResponse).GetRegionError() == nil {
			s.noteInjected("injected split of region %d at %x before ingest", region.GetId(), key)
			return nil
		}
		// The split itself failed: the region error stands in for it.
		fallthrough
	case injectNotLeader:
		s.noteInjected("injected NotLeader on ingest into region %d", region.GetId())
		return &errorpb.Error{Message: "injected: not leader", NotLeader: &errorpb.NotLeader{RegionId: region.GetId()}}
	default:
		s.noteInjected("injected RegionNotFound on ingest into region %d", region.GetId())
		return &errorpb.Error{Message: "injected: region not found", RegionNotFound: &errorpb.RegionNotFound{RegionId: region.GetId()}}
	}
}

// middleKey returns the key in the middle of the first written SST of
// metas (not its first key), or nil.
func (s *sstStore) middleKey(metas []*import_sstpb.SSTMeta) []byte {
	if len(metas) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[string(metas[0].GetUuid())]
	if f == nil || len(f.pairs) < 2 {
		return nil
	}
	return append([]byte(nil), f.pairs[len(f.pairs)/2].GetKey()...)
}
