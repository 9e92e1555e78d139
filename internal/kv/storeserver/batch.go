package storeserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/pingcap/kvproto/pkg/coprocessor"
	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/tikv/client-go/v2/tikvrpc"
	"github.com/tikv/client-go/v2/util/codec"
)

// BatchCommands implements tikvpb.TikvServer: client-go's default path for
// every region request. Each received batch is served on its own goroutine
// (requests in a batch in order) and answered with one response message
// carrying the same request IDs; the stream waits for them before ending.
func (t *tikvService) BatchCommands(stream tikvpb.Tikv_BatchCommandsServer) error {
	ctx := stream.Context()
	var (
		wg      sync.WaitGroup
		sendMu  sync.Mutex
		sendErr = make(chan error, 1)
	)
	defer wg.Wait()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case err := <-sendErr:
			return err
		default:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := t.e.s.batch(ctx, req)
			sendMu.Lock()
			err := stream.Send(resp)
			sendMu.Unlock()
			if err != nil {
				select {
				case sendErr <- err:
				default:
				}
			}
		}()
	}
}

// batch answers every request of one BatchCommands message.
func (s *Server) batch(ctx context.Context, req *tikvpb.BatchCommandsRequest) *tikvpb.BatchCommandsResponse {
	out := &tikvpb.BatchCommandsResponse{
		Responses:  make([]*tikvpb.BatchCommandsResponse_Response, len(req.GetRequests())),
		RequestIds: req.GetRequestIds(),
	}
	for i, r := range req.GetRequests() {
		s.calls.add(batchName(r.GetCmd()))
		out.Responses[i] = s.batchOne(ctx, r)
	}
	return out
}

// batchOne answers one request. Every request gets a response of its own
// kind (client-go matches them by ID and waits for each): commands the
// store cannot serve get a region error naming the command, never nothing.
func (s *Server) batchOne(ctx context.Context, r *tikvpb.BatchCommandsRequest_Request) *tikvpb.BatchCommandsResponse_Response {
	switch c := r.GetCmd().(type) {
	case *tikvpb.BatchCommandsRequest_Request_Empty:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Empty{Empty: &tikvpb.BatchCommandsEmptyResponse{TestId: c.Empty.GetTestId()}}}
	case *tikvpb.BatchCommandsRequest_Request_Coprocessor:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Coprocessor{Coprocessor: s.coprocessor(c.Coprocessor)}}
	case *tikvpb.BatchCommandsRequest_Request_CheckSecondaryLocks:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_CheckSecondaryLocks{CheckSecondaryLocks: checkSecondaryLocks(c.CheckSecondaryLocks)}}
	case *tikvpb.BatchCommandsRequest_Request_GetHealthFeedback:
		fb := &kvrpcpb.HealthFeedback{StoreId: s.storeID, SlowScore: 1}
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_GetHealthFeedback{GetHealthFeedback: &kvrpcpb.GetHealthFeedbackResponse{HealthFeedback: fb}}}
	}
	cmd, inner, ok := batchRequest(r)
	if !ok {
		return unsupportedBatch(r)
	}
	resp, err := s.forward(ctx, cmd, inner)
	if err != nil {
		gen, gerr := tikvrpc.GenRegionErrorResp(tikvrpc.NewRequest(cmd, inner), &errorpb.Error{Message: err.Error()})
		if gerr != nil {
			return unsupportedBatch(r)
		}
		resp = gen.Resp
	}
	if out := batchResponse(resp); out != nil {
		return out
	}
	return unsupportedBatch(r)
}

// batchRequest maps a BatchCommands entry to the tikvrpc command the mock
// handles (the inverse of tikvrpc.Request.ToBatchCommandsRequest).
func batchRequest(r *tikvpb.BatchCommandsRequest_Request) (tikvrpc.CmdType, any, bool) {
	switch c := r.GetCmd().(type) {
	case *tikvpb.BatchCommandsRequest_Request_Get:
		return tikvrpc.CmdGet, c.Get, true
	case *tikvpb.BatchCommandsRequest_Request_Scan:
		return tikvrpc.CmdScan, c.Scan, true
	case *tikvpb.BatchCommandsRequest_Request_Prewrite:
		return tikvrpc.CmdPrewrite, c.Prewrite, true
	case *tikvpb.BatchCommandsRequest_Request_Commit:
		return tikvrpc.CmdCommit, c.Commit, true
	case *tikvpb.BatchCommandsRequest_Request_Cleanup:
		return tikvrpc.CmdCleanup, c.Cleanup, true
	case *tikvpb.BatchCommandsRequest_Request_BatchGet:
		return tikvrpc.CmdBatchGet, c.BatchGet, true
	case *tikvpb.BatchCommandsRequest_Request_BatchRollback:
		return tikvrpc.CmdBatchRollback, c.BatchRollback, true
	case *tikvpb.BatchCommandsRequest_Request_ScanLock:
		return tikvrpc.CmdScanLock, c.ScanLock, true
	case *tikvpb.BatchCommandsRequest_Request_ResolveLock:
		return tikvrpc.CmdResolveLock, c.ResolveLock, true
	case *tikvpb.BatchCommandsRequest_Request_GC:
		return tikvrpc.CmdGC, c.GC, true
	case *tikvpb.BatchCommandsRequest_Request_DeleteRange:
		return tikvrpc.CmdDeleteRange, c.DeleteRange, true
	case *tikvpb.BatchCommandsRequest_Request_RawGet:
		return tikvrpc.CmdRawGet, c.RawGet, true
	case *tikvpb.BatchCommandsRequest_Request_RawBatchGet:
		return tikvrpc.CmdRawBatchGet, c.RawBatchGet, true
	case *tikvpb.BatchCommandsRequest_Request_RawPut:
		return tikvrpc.CmdRawPut, c.RawPut, true
	case *tikvpb.BatchCommandsRequest_Request_RawBatchPut:
		return tikvrpc.CmdRawBatchPut, c.RawBatchPut, true
	case *tikvpb.BatchCommandsRequest_Request_RawDelete:
		return tikvrpc.CmdRawDelete, c.RawDelete, true
	case *tikvpb.BatchCommandsRequest_Request_RawBatchDelete:
		return tikvrpc.CmdRawBatchDelete, c.RawBatchDelete, true
	case *tikvpb.BatchCommandsRequest_Request_RawScan:
		return tikvrpc.CmdRawScan, c.RawScan, true
	case *tikvpb.BatchCommandsRequest_Request_RawDeleteRange:
		return tikvrpc.CmdRawDeleteRange, c.RawDeleteRange, true
	case *tikvpb.BatchCommandsRequest_Request_PessimisticLock:
		return tikvrpc.CmdPessimisticLock, c.PessimisticLock, true
	case *tikvpb.BatchCommandsRequest_Request_PessimisticRollback:
		return tikvrpc.CmdPessimisticRollback, c.PessimisticRollback, true
	case *tikvpb.BatchCommandsRequest_Request_CheckTxnStatus:
		return tikvrpc.CmdCheckTxnStatus, c.CheckTxnStatus, true
	case *tikvpb.BatchCommandsRequest_Request_TxnHeartBeat:
		return tikvrpc.CmdTxnHeartBeat, c.TxnHeartBeat, true
	}
	return 0, nil, false
}

// batchResponse wraps a response message in its BatchCommands entry, or
// returns nil for a type that has none.
func batchResponse(resp any) *tikvpb.BatchCommandsResponse_Response {
	switch r := resp.(type) {
	case *kvrpcpb.GetResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Get{Get: r}}
	case *kvrpcpb.ScanResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Scan{Scan: r}}
	case *kvrpcpb.PrewriteResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Prewrite{Prewrite: r}}
	case *kvrpcpb.CommitResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Commit{Commit: r}}
	case *kvrpcpb.CleanupResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Cleanup{Cleanup: r}}
	case *kvrpcpb.BatchGetResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_BatchGet{BatchGet: r}}
	case *kvrpcpb.BatchRollbackResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_BatchRollback{BatchRollback: r}}
	case *kvrpcpb.ScanLockResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_ScanLock{ScanLock: r}}
	case *kvrpcpb.ResolveLockResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_ResolveLock{ResolveLock: r}}
	case *kvrpcpb.GCResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_GC{GC: r}}
	case *kvrpcpb.DeleteRangeResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_DeleteRange{DeleteRange: r}}
	case *kvrpcpb.RawGetResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawGet{RawGet: r}}
	case *kvrpcpb.RawBatchGetResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawBatchGet{RawBatchGet: r}}
	case *kvrpcpb.RawPutResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawPut{RawPut: r}}
	case *kvrpcpb.RawBatchPutResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawBatchPut{RawBatchPut: r}}
	case *kvrpcpb.RawDeleteResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawDelete{RawDelete: r}}
	case *kvrpcpb.RawBatchDeleteResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawBatchDelete{RawBatchDelete: r}}
	case *kvrpcpb.RawScanResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawScan{RawScan: r}}
	case *kvrpcpb.RawDeleteRangeResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawDeleteRange{RawDeleteRange: r}}
	case *kvrpcpb.PessimisticLockResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_PessimisticLock{PessimisticLock: r}}
	case *kvrpcpb.PessimisticRollbackResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_PessimisticRollback{PessimisticRollback: r}}
	case *kvrpcpb.CheckTxnStatusResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_CheckTxnStatus{CheckTxnStatus: r}}
	case *kvrpcpb.TxnHeartBeatResponse:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_TxnHeartBeat{TxnHeartBeat: r}}
	case *coprocessor.Response:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Coprocessor{Coprocessor: r}}
	}
	return nil
}

// unsupportedBatch answers a command the store does not serve with a
// response of the matching kind carrying a region error, so the client
// fails the request with a message instead of waiting for a reply. Kinds
// without a region error field get an Empty response, which client-go
// reports as an unexpected response type.
func unsupportedBatch(r *tikvpb.BatchCommandsRequest_Request) *tikvpb.BatchCommandsResponse_Response {
	e := &errorpb.Error{Message: fmt.Sprintf("command %T is not supported by the lightstream store", r.GetCmd())}
	switch r.GetCmd().(type) {
	case *tikvpb.BatchCommandsRequest_Request_Flush:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Flush{Flush: &kvrpcpb.FlushResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_BufferBatchGet:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_BufferBatchGet{BufferBatchGet: &kvrpcpb.BufferBatchGetResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_FlashbackToVersion:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_FlashbackToVersion{FlashbackToVersion: &kvrpcpb.FlashbackToVersionResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_PrepareFlashbackToVersion:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_PrepareFlashbackToVersion{PrepareFlashbackToVersion: &kvrpcpb.PrepareFlashbackToVersionResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_Import:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Import{Import: &kvrpcpb.ImportResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_RawBatchScan:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawBatchScan{RawBatchScan: &kvrpcpb.RawBatchScanResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_RawCoprocessor:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_RawCoprocessor{RawCoprocessor: &kvrpcpb.RawCoprocessorResponse{RegionError: e}}}
	case *tikvpb.BatchCommandsRequest_Request_BroadcastTxnStatus:
		return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_BroadcastTxnStatus{BroadcastTxnStatus: &kvrpcpb.BroadcastTxnStatusResponse{}}}
	}
	return &tikvpb.BatchCommandsResponse_Response{Cmd: &tikvpb.BatchCommandsResponse_Response_Empty{Empty: &tikvpb.BatchCommandsEmptyResponse{}}}
}

// decodeStart turns a region's encoded start key into the raw key.
func decodeStart(k []byte) []byte {
	if len(k) == 0 {
		return nil
	}
	_, raw, err := codec.DecodeBytes(k, nil)
	if err != nil {
		return nil
	}
	return raw
}
