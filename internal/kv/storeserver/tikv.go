package storeserver

import (
	"context"
	"fmt"

	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/tikv/client-go/v2/tikvrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// tikvService serves TiKV's gRPC API (kvproto tikvpb) for one endpoint.
// Region-scoped commands are handed to the mock TiKV's RPC handler
// (mocktikv/rpc.go), which checks store, region, leader and epoch like TiKV
// and answers wrong-region requests with region errors; store-scoped
// commands are answered here. Commands not listed fall through to
// UnimplementedTikvServer (gRPC Unimplemented).
type tikvService struct {
	tikvpb.UnimplementedTikvServer
	e *endpoint
}

type contextGetter interface {
	GetContext() *kvrpcpb.Context
}

// forward runs one region-scoped request through the mock's handler and
// returns its response message (never nil when err is nil).
func (s *Server) forward(ctx context.Context, cmd tikvrpc.CmdType, inner any) (resp any, err error) {
	var rctx kvrpcpb.Context
	if g, ok := inner.(contextGetter); ok && g.GetContext() != nil {
		rctx = *g.GetContext()
	}
	req := tikvrpc.NewRequest(cmd, inner, rctx)
	// The mock's handlers read the inner request's Context pointer (for
	// example KvScan's resolved locks), so it must be set.
	tikvrpc.AttachContext(req, rctx)
	ctx, cancel := s.requestContext(ctx)
	defer cancel()
	defer func() {
		// The mock panics on a key outside the region it checked the epoch
		// for (mocktikv/rpc.go checkKeyInRegion); TiKV answers that with
		// KeyNotInRegion (tikv/src/storage/mod.rs check_key_ranges).
		if r := recover(); r != nil {
			resp, err = s.keyNotInRegion(req, rctx.GetRegionId(), r)
		}
	}()
	if cmd == tikvrpc.CmdSplitRegion {
		if sr, ok := inner.(*kvrpcpb.SplitRegionRequest); ok && len(sr.GetSplitKeys()) > maxSplitKeys {
			n := len(sr.GetSplitKeys())
			return nil, fmt.Errorf("%s: %d split keys in one request, at most %d", cmd, n, maxSplitKeys)
		}
		s.metaMu.Lock()
		defer s.metaMu.Unlock()
	}
	r, err := s.rpc.SendRequest(ctx, storeAddr, req, s.cfg.RequestTimeout)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if r == nil || r.Resp == nil {
		return nil, fmt.Errorf("%s: store returned no response", cmd)
	}
	if cmd == tikvrpc.CmdSplitRegion {
		if sr, ok := r.Resp.(*kvrpcpb.SplitRegionResponse); ok && sr.GetRegionError() == nil {
			s.meta = snapshotMeta(s.cluster, s.meta)
			if err := saveMeta(s.metaPath, s.meta); err != nil {
				return nil, fmt.Errorf("%s: %w", cmd, err)
			}
		}
	}
	return r.Resp, nil
}

func (s *Server) keyNotInRegion(req *tikvrpc.Request, regionID uint64, cause any) (any, error) {
	e := &errorpb.Error{Message: fmt.Sprint(cause), KeyNotInRegion: &errorpb.KeyNotInRegion{RegionId: regionID}}
	if r, _ := s.cluster.GetRegion(regionID); r != nil {
		e.KeyNotInRegion.StartKey, e.KeyNotInRegion.EndKey = r.GetStartKey(), r.GetEndKey()
	}
	resp, err := tikvrpc.GenRegionErrorResp(req, e)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", req.Type, cause)
	}
	return resp.Resp, nil
}

// call forwards a unary request and converts the result to its type.
func call[T any](t *tikvService, ctx context.Context, cmd tikvrpc.CmdType, req any) (T, error) {
	var zero T
	resp, err := t.e.s.forward(ctx, cmd, req)
	if err != nil {
		return zero, status.Error(codes.Unknown, err.Error())
	}
	out, ok := resp.(T)
	if !ok {
		return zero, status.Errorf(codes.Internal, "%s: unexpected response %T", cmd, resp)
	}
	return out, nil
}

// KvGet implements tikvpb.TikvServer.
func (t *tikvService) KvGet(ctx context.Context, r *kvrpcpb.GetRequest) (*kvrpcpb.GetResponse, error) {
	return call[*kvrpcpb.GetResponse](t, ctx, tikvrpc.CmdGet, r)
}

// KvScan implements tikvpb.TikvServer.
func (t *tikvService) KvScan(ctx context.Context, r *kvrpcpb.ScanRequest) (*kvrpcpb.ScanResponse, error) {
	return call[*kvrpcpb.ScanResponse](t, ctx, tikvrpc.CmdScan, r)
}

// KvPrewrite implements tikvpb.TikvServer.
func (t *tikvService) KvPrewrite(ctx context.Context, r *kvrpcpb.PrewriteRequest) (*kvrpcpb.PrewriteResponse, error) {
	return call[*kvrpcpb.PrewriteResponse](t, ctx, tikvrpc.CmdPrewrite, r)
}

// KvPessimisticLock implements tikvpb.TikvServer.
func (t *tikvService) KvPessimisticLock(ctx context.Context, r *kvrpcpb.PessimisticLockRequest) (*kvrpcpb.PessimisticLockResponse, error) {
	return call[*kvrpcpb.PessimisticLockResponse](t, ctx, tikvrpc.CmdPessimisticLock, r)
}

// KVPessimisticRollback implements tikvpb.TikvServer.
func (t *tikvService) KVPessimisticRollback(ctx context.Context, r *kvrpcpb.PessimisticRollbackRequest) (*kvrpcpb.PessimisticRollbackResponse, error) {
	return call[*kvrpcpb.PessimisticRollbackResponse](t, ctx, tikvrpc.CmdPessimisticRollback, r)
}

// KvTxnHeartBeat implements tikvpb.TikvServer.
func (t *tikvService) KvTxnHeartBeat(ctx context.Context, r *kvrpcpb.TxnHeartBeatRequest) (*kvrpcpb.TxnHeartBeatResponse, error) {
	return call[*kvrpcpb.TxnHeartBeatResponse](t, ctx, tikvrpc.CmdTxnHeartBeat, r)
}

// KvCheckTxnStatus implements tikvpb.TikvServer.
func (t *tikvService) KvCheckTxnStatus(ctx context.Context, r *kvrpcpb.CheckTxnStatusRequest) (*kvrpcpb.CheckTxnStatusResponse, error) {
	return call[*kvrpcpb.CheckTxnStatusResponse](t, ctx, tikvrpc.CmdCheckTxnStatus, r)
}

// KvCheckSecondaryLocks implements tikvpb.TikvServer. The mock has no
// async-commit support, so the request gets a key error rather than a
// wrong answer (WriteBatch leaves async commit off by default).
func (t *tikvService) KvCheckSecondaryLocks(_ context.Context, r *kvrpcpb.CheckSecondaryLocksRequest) (*kvrpcpb.CheckSecondaryLocksResponse, error) {
	return checkSecondaryLocks(r), nil
}

func checkSecondaryLocks(*kvrpcpb.CheckSecondaryLocksRequest) *kvrpcpb.CheckSecondaryLocksResponse {
	return &kvrpcpb.CheckSecondaryLocksResponse{Error: &kvrpcpb.KeyError{Abort: "CheckSecondaryLocks (async commit) is not supported by the lightstream store"}}
}

// KvCommit implements tikvpb.TikvServer.
func (t *tikvService) KvCommit(ctx context.Context, r *kvrpcpb.CommitRequest) (*kvrpcpb.CommitResponse, error) {
	return call[*kvrpcpb.CommitResponse](t, ctx, tikvrpc.CmdCommit, r)
}

// KvCleanup implements tikvpb.TikvServer.
func (t *tikvService) KvCleanup(ctx context.Context, r *kvrpcpb.CleanupRequest) (*kvrpcpb.CleanupResponse, error) {
	return call[*kvrpcpb.CleanupResponse](t, ctx, tikvrpc.CmdCleanup, r)
}

// KvBatchGet implements tikvpb.TikvServer.
func (t *tikvService) KvBatchGet(ctx context.Context, r *kvrpcpb.BatchGetRequest) (*kvrpcpb.BatchGetResponse, error) {
	return call[*kvrpcpb.BatchGetResponse](t, ctx, tikvrpc.CmdBatchGet, r)
}

// KvBatchRollback implements tikvpb.TikvServer.
func (t *tikvService) KvBatchRollback(ctx context.Context, r *kvrpcpb.BatchRollbackRequest) (*kvrpcpb.BatchRollbackResponse, error) {
	return call[*kvrpcpb.BatchRollbackResponse](t, ctx, tikvrpc.CmdBatchRollback, r)
}

// KvScanLock implements tikvpb.TikvServer.
func (t *tikvService) KvScanLock(ctx context.Context, r *kvrpcpb.ScanLockRequest) (*kvrpcpb.ScanLockResponse, error) {
	return call[*kvrpcpb.ScanLockResponse](t, ctx, tikvrpc.CmdScanLock, r)
}

// KvResolveLock implements tikvpb.TikvServer.
func (t *tikvService) KvResolveLock(ctx context.Context, r *kvrpcpb.ResolveLockRequest) (*kvrpcpb.ResolveLockResponse, error) {
	return call[*kvrpcpb.ResolveLockResponse](t, ctx, tikvrpc.CmdResolveLock, r)
}

// KvGC implements tikvpb.TikvServer.
func (t *tikvService) KvGC(ctx context.Context, r *kvrpcpb.GCRequest) (*kvrpcpb.GCResponse, error) {
	return call[*kvrpcpb.GCResponse](t, ctx, tikvrpc.CmdGC, r)
}

// KvDeleteRange implements tikvpb.TikvServer.
func (t *tikvService) KvDeleteRange(ctx context.Context, r *kvrpcpb.DeleteRangeRequest) (*kvrpcpb.DeleteRangeResponse, error) {
	return call[*kvrpcpb.DeleteRangeResponse](t, ctx, tikvrpc.CmdDeleteRange, r)
}

// RawGet implements tikvpb.TikvServer.
func (t *tikvService) RawGet(ctx context.Context, r *kvrpcpb.RawGetRequest) (*kvrpcpb.RawGetResponse, error) {
	return call[*kvrpcpb.RawGetResponse](t, ctx, tikvrpc.CmdRawGet, r)
}

// RawBatchGet implements tikvpb.TikvServer.
func (t *tikvService) RawBatchGet(ctx context.Context, r *kvrpcpb.RawBatchGetRequest) (*kvrpcpb.RawBatchGetResponse, error) {
	return call[*kvrpcpb.RawBatchGetResponse](t, ctx, tikvrpc.CmdRawBatchGet, r)
}

// RawPut implements tikvpb.TikvServer.
func (t *tikvService) RawPut(ctx context.Context, r *kvrpcpb.RawPutRequest) (*kvrpcpb.RawPutResponse, error) {
	return call[*kvrpcpb.RawPutResponse](t, ctx, tikvrpc.CmdRawPut, r)
}

// RawBatchPut implements tikvpb.TikvServer.
func (t *tikvService) RawBatchPut(ctx context.Context, r *kvrpcpb.RawBatchPutRequest) (*kvrpcpb.RawBatchPutResponse, error) {
	return call[*kvrpcpb.RawBatchPutResponse](t, ctx, tikvrpc.CmdRawBatchPut, r)
}

// RawDelete implements tikvpb.TikvServer.
func (t *tikvService) RawDelete(ctx context.Context, r *kvrpcpb.RawDeleteRequest) (*kvrpcpb.RawDeleteResponse, error) {
	return call[*kvrpcpb.RawDeleteResponse](t, ctx, tikvrpc.CmdRawDelete, r)
}

// RawBatchDelete implements tikvpb.TikvServer.
func (t *tikvService) RawBatchDelete(ctx context.Context, r *kvrpcpb.RawBatchDeleteRequest) (*kvrpcpb.RawBatchDeleteResponse, error) {
	return call[*kvrpcpb.RawBatchDeleteResponse](t, ctx, tikvrpc.CmdRawBatchDelete, r)
}

// RawScan implements tikvpb.TikvServer.
func (t *tikvService) RawScan(ctx context.Context, r *kvrpcpb.RawScanRequest) (*kvrpcpb.RawScanResponse, error) {
	return call[*kvrpcpb.RawScanResponse](t, ctx, tikvrpc.CmdRawScan, r)
}

// RawDeleteRange implements tikvpb.TikvServer.
func (t *tikvService) RawDeleteRange(ctx context.Context, r *kvrpcpb.RawDeleteRangeRequest) (*kvrpcpb.RawDeleteRangeResponse, error) {
	return call[*kvrpcpb.RawDeleteRangeResponse](t, ctx, tikvrpc.CmdRawDeleteRange, r)
}

// RawCompareAndSwap implements tikvpb.TikvServer.
func (t *tikvService) RawCompareAndSwap(ctx context.Context, r *kvrpcpb.RawCASRequest) (*kvrpcpb.RawCASResponse, error) {
	return call[*kvrpcpb.RawCASResponse](t, ctx, tikvrpc.CmdRawCompareAndSwap, r)
}

// RawChecksum implements tikvpb.TikvServer.
func (t *tikvService) RawChecksum(ctx context.Context, r *kvrpcpb.RawChecksumRequest) (*kvrpcpb.RawChecksumResponse, error) {
	return call[*kvrpcpb.RawChecksumResponse](t, ctx, tikvrpc.CmdRawChecksum, r)
}

// SplitRegion implements tikvpb.TikvServer; the new layout is saved before
// the response so that a split the client saw survives a restart.
func (t *tikvService) SplitRegion(ctx context.Context, r *kvrpcpb.SplitRegionRequest) (*kvrpcpb.SplitRegionResponse, error) {
	return call[*kvrpcpb.SplitRegionResponse](t, ctx, tikvrpc.CmdSplitRegion, r)
}

// MvccGetByKey implements tikvpb.TikvServer.
func (t *tikvService) MvccGetByKey(ctx context.Context, r *kvrpcpb.MvccGetByKeyRequest) (*kvrpcpb.MvccGetByKeyResponse, error) {
	return call[*kvrpcpb.MvccGetByKeyResponse](t, ctx, tikvrpc.CmdMvccGetByKey, r)
}

// MvccGetByStartTs implements tikvpb.TikvServer.
func (t *tikvService) MvccGetByStartTs(ctx context.Context, r *kvrpcpb.MvccGetByStartTsRequest) (*kvrpcpb.MvccGetByStartTsResponse, error) {
	return call[*kvrpcpb.MvccGetByStartTsResponse](t, ctx, tikvrpc.CmdMvccGetByStartTs, r)
}

// Coprocessor implements tikvpb.TikvServer. No DAG/analyze/checksum
// executor is served: after the region checks the request gets TiKV's
// other-error field, which clients report as an error.
func (t *tikvService) Coprocessor(_ context.Context, r *coprocessor.Request) (*coprocessor.Response, error) {
	return t.e.s.coprocessor(r), nil
}

func (s *Server) coprocessor(r *coprocessor.Request) *coprocessor.Response {
	if rerr := s.checkRegion(r.GetContext()); rerr != nil {
		return &coprocessor.Response{RegionError: rerr}
	}
	return &coprocessor.Response{OtherError: fmt.Sprintf("coprocessor request type %d is not supported by the lightstream store", r.GetTp())}
}

// checkRegion runs the mock's store/region/leader/epoch check for a
// request handled here rather than by the mock (a Get with the same context
// is checked and, when the context is valid, not run).
func (s *Server) checkRegion(ctx *kvrpcpb.Context) *errorpb.Error {
	if ctx == nil {
		return &errorpb.Error{Message: "missing request context", RegionNotFound: &errorpb.RegionNotFound{}}
	}
	r, _ := s.cluster.GetRegion(ctx.GetRegionId())
	if r == nil {
		return &errorpb.Error{Message: "region not found", RegionNotFound: &errorpb.RegionNotFound{RegionId: ctx.GetRegionId()}}
	}
	// A Get for the region's start key passes the key check; its region
	// error, if any, is the mock's verdict on the context.
	resp, err := s.forward(context.Background(), tikvrpc.CmdGet, &kvrpcpb.GetRequest{Context: ctx, Key: decodeStart(r.GetStartKey()), Version: 0})
	if err != nil {
		return &errorpb.Error{Message: err.Error()}
	}
	return resp.(*kvrpcpb.GetResponse).GetRegionError()
}

// GetStoreSafeTS implements tikvpb.TikvServer. Stale reads are not
// served, so the safe TS is 0 (nothing may be read stale).
func (t *tikvService) GetStoreSafeTS(context.Context, *kvrpcpb.StoreSafeTSRequest) (*kvrpcpb.StoreSafeTSResponse, error) {
	return &kvrpcpb.StoreSafeTSResponse{SafeTs: 0}, nil
}

// UnsafeDestroyRange implements tikvpb.TikvServer (store-scoped, used by
// TiDB's GC after DROP TABLE): every version in the range is deleted.
func (t *tikvService) UnsafeDestroyRange(_ context.Context, r *kvrpcpb.UnsafeDestroyRangeRequest) (*kvrpcpb.UnsafeDestroyRangeResponse, error) {
	if err := t.e.s.mvcc.DeleteRange(r.GetStartKey(), r.GetEndKey()); err != nil {
		return &kvrpcpb.UnsafeDestroyRangeResponse{Error: err.Error()}, nil
	}
	return &kvrpcpb.UnsafeDestroyRangeResponse{}, nil
}
