package storeserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gogo/protobuf/proto"
	"github.com/google/uuid"
	"github.com/lightstream-io/lightstream/internal/kv/mockmvcc"
	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/tikv/client-go/v2/util/codec"
)

// maxPendingSSTBytes bounds the key+value bytes written through Write
// streams and not yet ingested. Above it a Write is refused with
// ServerIsBusy, which Lightning backs off on and retries.
const maxPendingSSTBytes = 1 << 30

// maxPooledBatchBytes bounds the files whose apply batch is kept for reuse,
// so that a region-sized file does not pin its buffer.
const maxPooledBatchBytes = 8 << 20

// sstFile is what one Write stream produced: the pairs (raw keys, in the
// order sent) and the commit timestamp they are to be visible at. It lives
// in memory until ingested: a restart drops it, and the ingest that follows
// fails with "not found", on which Lightning writes the region again.
type sstFile struct {
	meta     *import_sstpb.SSTMeta
	commitTS uint64
	pairs    []*import_sstpb.Pair
	bytes    int64
}

// sstStore holds written, not yet ingested files by UUID.
type sstStore struct {
	mu    sync.Mutex
	files map[string]*sstFile
	bytes int64
}

func (s *sstStore) reserve(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bytes+n > maxPendingSSTBytes {
		return false
	}
	s.bytes += n
	return true
}

func (s *sstStore) release(n int64) {
	s.mu.Lock()
	s.bytes -= n
	s.mu.Unlock()
}

func (s *sstStore) put(f *sstFile) {
	s.mu.Lock()
	if s.files == nil {
		s.files = make(map[string]*sstFile)
	}
	s.files[string(f.meta.GetUuid())] = f
	s.mu.Unlock()
}

func (s *sstStore) take(id []byte) *sstFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[string(id)]
	delete(s.files, string(id))
	return f
}

func (s *sstStore) restore(f *sstFile) { s.put(f) }

func busy(msg string) *import_sstpb.Error {
	return &import_sstpb.Error{Message: msg, StoreError: &errorpb.Error{Message: msg, ServerIsBusy: &errorpb.ServerIsBusy{Reason: msg}}}
}

// Write implements import_sstpb.ImportSSTServer, Lightning's local backend
// write path (pkg/lightning/backend/local/region_job.go writeToTiKV): a
// Meta message (UUID, region, epoch, encoded key range), then batches of
// raw-key pairs with their commit TS; the response carries the metas to
// ingest. Like TiKV, nothing is checked against the region until ingest.
func (i *importService) Write(stream import_sstpb.ImportSST_WriteServer) error {
	s := i.e.s
	var f *sstFile
	defer func() {
		if f != nil && f.bytes > 0 {
			s.ssts.release(f.bytes)
		}
	}()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch c := req.GetChunk().(type) {
		case *import_sstpb.WriteRequest_Meta:
			if f != nil {
				return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: "write stream: second meta"}})
			}
			f = &sstFile{meta: proto.Clone(c.Meta).(*import_sstpb.SSTMeta)}
		case *import_sstpb.WriteRequest_Batch:
			if f == nil {
				return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: "write stream: batch before meta"}})
			}
			if f.commitTS != 0 && c.Batch.GetCommitTs() != f.commitTS {
				return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: fmt.Sprintf("write stream: commit ts changed from %d to %d", f.commitTS, c.Batch.GetCommitTs())}})
			}
			f.commitTS = c.Batch.GetCommitTs()
			var n int64
			for _, p := range c.Batch.GetPairs() {
				n += int64(len(p.GetKey()) + len(p.GetValue()))
			}
			if !s.ssts.reserve(n) {
				return stream.SendAndClose(&import_sstpb.WriteResponse{Error: busy("too many pending SST bytes, ingest first")})
			}
			f.bytes += n
			// The pairs point into the received message; they are kept, not
			// copied (gRPC does not reuse receive buffers for messages).
			f.pairs = append(f.pairs, c.Batch.GetPairs()...)
		}
	}
	if f == nil {
		return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: "write stream: no meta"}})
	}
	if e := s.injectWrite(); e != nil {
		return stream.SendAndClose(&import_sstpb.WriteResponse{Error: e})
	}
	if len(f.pairs) == 0 {
		return stream.SendAndClose(&import_sstpb.WriteResponse{})
	}
	if f.commitTS == 0 {
		return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: "write stream: commit ts 0"}})
	}
	for j := 1; j < len(f.pairs); j++ {
		if bytes.Compare(f.pairs[j-1].GetKey(), f.pairs[j].GetKey()) >= 0 {
			return stream.SendAndClose(&import_sstpb.WriteResponse{Error: &import_sstpb.Error{Message: fmt.Sprintf("write stream: keys not sorted and distinct at %x", f.pairs[j].GetKey())}})
		}
	}
	meta := proto.Clone(f.meta).(*import_sstpb.SSTMeta)
	if len(meta.GetUuid()) == 0 {
		u := uuid.New()
		meta.Uuid = u[:]
	}
	meta.CfName = "write"
	meta.TotalKvs = uint64(len(f.pairs))
	meta.TotalBytes = uint64(f.bytes)
	meta.Length = uint64(f.bytes)
	meta.Range = &import_sstpb.Range{
		Start: codec.EncodeBytes(nil, f.pairs[0].GetKey()),
		End:   codec.EncodeBytes(nil, f.pairs[len(f.pairs)-1].GetKey()),
	}
	f.meta = meta
	s.ssts.put(f)
	resp := &import_sstpb.WriteResponse{Metas: []*import_sstpb.SSTMeta{meta}}
	f = nil // now owned by the store; released at ingest
	return stream.SendAndClose(resp)
}

// MultiIngest implements import_sstpb.ImportSSTServer. An empty request is
// Lightning's write-stall probe (answered "not busy"). Otherwise the
// context gets the same region checks as a KV request, every SST must
// belong to that region at its current epoch with its range inside it
// (TiKV sst_service.rs check_write_stall / ingest), and then each file's
// pairs become committed at their commit TS.
func (i *importService) MultiIngest(ctx context.Context, req *import_sstpb.MultiIngestRequest) (*import_sstpb.IngestResponse, error) {
	if req.GetContext() == nil && len(req.GetSsts()) == 0 {
		return &import_sstpb.IngestResponse{}, nil
	}
	return i.e.s.ingest(ctx, req.GetContext(), req.GetSsts()), nil
}

// Ingest implements import_sstpb.ImportSSTServer (one SST; older
// Lightning versions).
func (i *importService) Ingest(ctx context.Context, req *import_sstpb.IngestRequest) (*import_sstpb.IngestResponse, error) {
	return i.e.s.ingest(ctx, req.GetContext(), []*import_sstpb.SSTMeta{req.GetSst()}), nil
}

func (s *Server) ingest(ctx context.Context, rctx *kvrpcpb.Context, metas []*import_sstpb.SSTMeta) *import_sstpb.IngestResponse {
	if rerr := s.checkRegion(rctx); rerr != nil {
		return &import_sstpb.IngestResponse{Error: rerr}
	}
	region, _ := s.cluster.GetRegion(rctx.GetRegionId())
	if region == nil {
		return &import_sstpb.IngestResponse{Error: &errorpb.Error{Message: "region not found", RegionNotFound: &errorpb.RegionNotFound{RegionId: rctx.GetRegionId()}}}
	}
	if rerr := s.injectIngest(rctx, region, metas); rerr != nil {
		return &import_sstpb.IngestResponse{Error: rerr}
	}
	// An injected split changed the region: read it again.
	if region, _ = s.cluster.GetRegion(rctx.GetRegionId()); region == nil {
		return &import_sstpb.IngestResponse{Error: &errorpb.Error{Message: "region not found", RegionNotFound: &errorpb.RegionNotFound{RegionId: rctx.GetRegionId()}}}
	}
	for _, m := range metas {
		if m.GetRegionId() != region.GetId() || !proto.Equal(m.GetRegionEpoch(), region.GetRegionEpoch()) {
			return &import_sstpb.IngestResponse{Error: &errorpb.Error{
				Message:       fmt.Sprintf("SST for region %d epoch %v, region %d is at %v", m.GetRegionId(), m.GetRegionEpoch(), region.GetId(), region.GetRegionEpoch()),
				EpochNotMatch: &errorpb.EpochNotMatch{CurrentRegions: []*metapb.Region{region}},
			}}
		}
		r := m.GetRange()
		if bytes.Compare(r.GetStart(), region.GetStartKey()) < 0 || (len(region.GetEndKey()) > 0 && bytes.Compare(r.GetEnd(), region.GetEndKey()) >= 0) {
			return &import_sstpb.IngestResponse{Error: &errorpb.Error{
				Message:        fmt.Sprintf("SST range [%x, %x] not in region %d", r.GetStart(), r.GetEnd(), region.GetId()),
				KeyNotInRegion: &errorpb.KeyNotInRegion{RegionId: region.GetId(), StartKey: region.GetStartKey(), EndKey: region.GetEndKey()},
			}}
		}
	}
	for _, m := range metas {
		f := s.ssts.take(m.GetUuid())
		if f == nil {
			return &import_sstpb.IngestResponse{Error: &errorpb.Error{Message: fmt.Sprintf("SST %x not found (already ingested, or written before a restart)", m.GetUuid())}}
		}
		if err := s.apply(ctx, f); err != nil {
			// The file is kept so a retry can ingest it; those before it are
			// in, and Lightning drops finished metas before retrying.
			s.ssts.restore(f)
			return &import_sstpb.IngestResponse{Error: &errorpb.Error{Message: fmt.Sprintf("ingest SST %x: %v", m.GetUuid(), err)}}
		}
		s.ssts.release(f.bytes)
	}
	return &import_sstpb.IngestResponse{}
}

// apply makes f's pairs committed MVCC versions at f.commitTS, written
// straight into the mock's MVCC store in one atomic batch: TiKV's ingest
// likewise puts the SST's versions (start TS = commit TS) into the write CF
// with no locks and no conflict checks (components/sst_importer). The
// region checks were made by the caller; the commit TS is the one the
// client got from PD and sent in the Write stream.
func (s *Server) apply(ctx context.Context, f *sstFile) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, _ := s.batches.Get().(*mockmvcc.Batch)
	if b == nil {
		b = mockmvcc.NewBatch(f.commitTS)
	}
	if f.bytes <= maxPooledBatchBytes {
		defer s.batches.Put(b)
	}
	b.Reset(f.commitTS)
	b.Grow(len(f.pairs), int(f.bytes))
	for _, p := range f.pairs {
		if p.GetOp() == import_sstpb.Pair_Delete {
			b.Delete(p.GetKey())
		} else {
			b.Put(p.GetKey(), p.GetValue())
		}
	}
	if err := b.Write(s.mvcc); err != nil {
		return fmt.Errorf("apply %d pairs from key %x at %d: %w", len(f.pairs), f.pairs[0].GetKey(), f.commitTS, err)
	}
	return nil
}
