package storeserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gogo/protobuf/proto"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/kvproto/pkg/pdpb"
	"github.com/tikv/client-go/v2/oracle"
	pd "github.com/tikv/pd/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// memberName is the PD member's name.
const memberName = "lightstream-store"

// pdService serves PD's gRPC API (kvproto pdpb) for one endpoint: what the
// PD client (github.com/tikv/pd/client) calls for membership, TSO, region
// and store lookup, scatter, and GC safe points. Region keys are in the
// encoded form a real PD stores; client-go's CodecPDClient decodes them.
type pdService struct {
	pdpb.UnimplementedPDServer
	e *endpoint
}

func (p *pdService) header() *pdpb.ResponseHeader {
	return &pdpb.ResponseHeader{ClusterId: p.e.s.clusterID}
}

func (p *pdService) errHeader(t pdpb.ErrorType, msg string) *pdpb.ResponseHeader {
	h := p.header()
	h.Error = &pdpb.Error{Type: t, Message: msg}
	return h
}

// memberID is the member's ID, derived from the cluster ID so that it is
// stable across restarts and equal on every listener.
func (e *endpoint) memberID() uint64 { return e.s.clusterID>>1 | 1 }

func (e *endpoint) member() *pdpb.Member {
	url := "http://" + e.advertise
	return &pdpb.Member{
		Name:          memberName,
		MemberId:      e.memberID(),
		PeerUrls:      []string{url},
		ClientUrls:    []string{url},
		BinaryVersion: Version,
	}
}

// GetMembers implements pdpb.PDServer: one member, the leader, reached at
// this listener's advertised address.
func (p *pdService) GetMembers(context.Context, *pdpb.GetMembersRequest) (*pdpb.GetMembersResponse, error) {
	m := p.e.member()
	return &pdpb.GetMembersResponse{Header: p.header(), Members: []*pdpb.Member{m}, Leader: m, EtcdLeader: m}, nil
}

// GetClusterInfo implements pdpb.PDServer: plain PD mode (no TSO
// microservice), which the PD client requires to be reported.
func (p *pdService) GetClusterInfo(context.Context, *pdpb.GetClusterInfoRequest) (*pdpb.GetClusterInfoResponse, error) {
	return &pdpb.GetClusterInfoResponse{Header: p.header(), ServiceModes: []pdpb.ServiceMode{pdpb.ServiceMode_PD_SVC_MODE}}, nil
}

// GetClusterConfig implements pdpb.PDServer.
func (p *pdService) GetClusterConfig(context.Context, *pdpb.GetClusterConfigRequest) (*pdpb.GetClusterConfigResponse, error) {
	return &pdpb.GetClusterConfigResponse{Header: p.header(), Cluster: &metapb.Cluster{Id: p.e.s.clusterID, MaxPeerCount: 1}}, nil
}

// IsBootstrapped implements pdpb.PDServer.
func (p *pdService) IsBootstrapped(context.Context, *pdpb.IsBootstrappedRequest) (*pdpb.IsBootstrappedResponse, error) {
	return &pdpb.IsBootstrappedResponse{Header: p.header(), Bootstrapped: true}, nil
}

// AllocID implements pdpb.PDServer from the cluster's ID allocator.
func (p *pdService) AllocID(context.Context, *pdpb.AllocIDRequest) (*pdpb.AllocIDResponse, error) {
	return &pdpb.AllocIDResponse{Header: p.header(), Id: p.e.s.cluster.AllocID()}, nil
}

// Tso implements pdpb.PDServer: each request reserves Count timestamps and
// the response carries the last of them (pd/server/grpc_service.go Tso).
func (p *pdService) Tso(stream pdpb.PD_TsoServer) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if id := req.GetHeader().GetClusterId(); id != 0 && id != p.e.s.clusterID {
			return status.Errorf(codes.FailedPrecondition, "mismatch cluster id, need %d but got %d", p.e.s.clusterID, id)
		}
		ts, err := p.e.s.tso.next(req.GetCount())
		if err != nil {
			return status.Error(codes.Unknown, err.Error())
		}
		resp := &pdpb.TsoResponse{
			Header:    p.header(),
			Count:     req.GetCount(),
			Timestamp: &pdpb.Timestamp{Physical: oracle.ExtractPhysical(ts), Logical: int64(ts & (maxLogical - 1))},
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// GetMinTS implements pdpb.PDServer: with one TSO allocator the minimum
// is a fresh timestamp.
func (p *pdService) GetMinTS(context.Context, *pdpb.GetMinTSRequest) (*pdpb.GetMinTSResponse, error) {
	ts, err := p.e.s.tso.next(1)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	return &pdpb.GetMinTSResponse{Header: p.header(), Timestamp: &pdpb.Timestamp{Physical: oracle.ExtractPhysical(ts), Logical: int64(ts & (maxLogical - 1))}}, nil
}

// store returns the store's metadata as this endpoint advertises it.
func (e *endpoint) store(s *metapb.Store) *metapb.Store {
	if s == nil {
		return nil
	}
	s = proto.Clone(s).(*metapb.Store)
	s.Address = e.advertise
	s.PeerAddress = e.advertise
	s.Version = Version
	s.State = metapb.StoreState_Up
	s.NodeState = metapb.NodeState_Serving
	return s
}

// GetStore implements pdpb.PDServer.
func (p *pdService) GetStore(_ context.Context, req *pdpb.GetStoreRequest) (*pdpb.GetStoreResponse, error) {
	st := p.e.s.cluster.GetStore(req.GetStoreId())
	if st == nil {
		return &pdpb.GetStoreResponse{Header: p.errHeader(pdpb.ErrorType_UNKNOWN, "invalid store ID "+uitoa(req.GetStoreId())+", not found")}, nil
	}
	return &pdpb.GetStoreResponse{Header: p.header(), Store: p.e.store(st), Stats: p.e.s.storeStats(st.GetId())}, nil
}

// GetAllStores implements pdpb.PDServer.
func (p *pdService) GetAllStores(context.Context, *pdpb.GetAllStoresRequest) (*pdpb.GetAllStoresResponse, error) {
	all := p.e.s.cluster.GetAllStores()
	out := make([]*metapb.Store, 0, len(all))
	for _, st := range all {
		out = append(out, p.e.store(st))
	}
	return &pdpb.GetAllStoresResponse{Header: p.header(), Stores: out}, nil
}

// StoreHeartbeat implements pdpb.PDServer (accepted and ignored: the store
// is in-process).
func (p *pdService) StoreHeartbeat(context.Context, *pdpb.StoreHeartbeatRequest) (*pdpb.StoreHeartbeatResponse, error) {
	return &pdpb.StoreHeartbeatResponse{Header: p.header()}, nil
}

func regionResponse(h *pdpb.ResponseHeader, r *metapb.Region, leader *metapb.Peer) *pdpb.GetRegionResponse {
	return &pdpb.GetRegionResponse{Header: h, Region: r, Leader: leader}
}

// GetRegion implements pdpb.PDServer: the region containing the (encoded)
// key.
func (p *pdService) GetRegion(_ context.Context, req *pdpb.GetRegionRequest) (*pdpb.GetRegionResponse, error) {
	r, leader, _, _ := p.e.s.cluster.GetRegionByKey(req.GetRegionKey())
	return regionResponse(p.header(), r, leader), nil
}

// GetPrevRegion implements pdpb.PDServer.
func (p *pdService) GetPrevRegion(_ context.Context, req *pdpb.GetRegionRequest) (*pdpb.GetRegionResponse, error) {
	cur, _, _, _ := p.e.s.cluster.GetRegionByKey(req.GetRegionKey())
	if cur == nil || len(cur.GetStartKey()) == 0 {
		return regionResponse(p.header(), nil, nil), nil
	}
	r, leader, _, _ := p.e.s.cluster.GetPrevRegionByKey(req.GetRegionKey())
	return regionResponse(p.header(), r, leader), nil
}

// GetRegionByID implements pdpb.PDServer.
func (p *pdService) GetRegionByID(_ context.Context, req *pdpb.GetRegionByIDRequest) (*pdpb.GetRegionResponse, error) {
	r, leader, _, _ := p.e.s.cluster.GetRegionByID(req.GetRegionId())
	return regionResponse(p.header(), r, leader), nil
}

func toPDRegions(rs []*pd.Region) []*pdpb.Region {
	out := make([]*pdpb.Region, 0, len(rs))
	for _, r := range rs {
		out = append(out, &pdpb.Region{Region: r.Meta, Leader: r.Leader})
	}
	return out
}

// ScanRegions implements pdpb.PDServer.
func (p *pdService) ScanRegions(_ context.Context, req *pdpb.ScanRegionsRequest) (*pdpb.ScanRegionsResponse, error) {
	rs := p.e.s.cluster.ScanRegions(req.GetStartKey(), req.GetEndKey(), int(req.GetLimit()))
	resp := &pdpb.ScanRegionsResponse{Header: p.header(), Regions: toPDRegions(rs)}
	for _, r := range rs {
		resp.RegionMetas = append(resp.RegionMetas, r.Meta)
		resp.Leaders = append(resp.Leaders, r.Leader)
	}
	return resp, nil
}

// BatchScanRegions implements pdpb.PDServer: the regions overlapping any of
// the sorted ranges, each region once, at most Limit in all.
func (p *pdService) BatchScanRegions(_ context.Context, req *pdpb.BatchScanRegionsRequest) (*pdpb.BatchScanRegionsResponse, error) {
	limit := int(req.GetLimit())
	if limit <= 0 {
		limit = math.MaxInt
	}
	var out []*pd.Region
	for _, kr := range req.GetRanges() {
		for _, r := range p.e.s.cluster.ScanRegions(kr.GetStartKey(), kr.GetEndKey(), 0) {
			if n := len(out); n > 0 && bytes.Equal(out[n-1].Meta.GetStartKey(), r.Meta.GetStartKey()) {
				continue
			}
			out = append(out, r)
			if len(out) >= limit {
				return &pdpb.BatchScanRegionsResponse{Header: p.header(), Regions: toPDRegions(out)}, nil
			}
		}
	}
	return &pdpb.BatchScanRegionsResponse{Header: p.header(), Regions: toPDRegions(out)}, nil
}

// ScatterRegion implements pdpb.PDServer. With one store there is nothing
// to move; the region must exist.
func (p *pdService) ScatterRegion(_ context.Context, req *pdpb.ScatterRegionRequest) (*pdpb.ScatterRegionResponse, error) {
	ids := req.GetRegionsId()
	if id := req.GetRegionId(); id != 0 {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if r, _ := p.e.s.cluster.GetRegion(id); r == nil {
			return &pdpb.ScatterRegionResponse{Header: p.errHeader(pdpb.ErrorType_REGION_NOT_FOUND, "region "+uitoa(id)+" not found")}, nil
		}
	}
	return &pdpb.ScatterRegionResponse{Header: p.header(), FinishedPercentage: 100}, nil
}

// GetOperator implements pdpb.PDServer: a scatter finishes at once, so the
// operator is reported done (client-go waitScatterRegionFinish stops when
// the status is no longer RUNNING).
func (p *pdService) GetOperator(_ context.Context, req *pdpb.GetOperatorRequest) (*pdpb.GetOperatorResponse, error) {
	if r, _ := p.e.s.cluster.GetRegion(req.GetRegionId()); r == nil {
		return &pdpb.GetOperatorResponse{Header: p.errHeader(pdpb.ErrorType_REGION_NOT_FOUND, "region "+uitoa(req.GetRegionId())+" not found"), RegionId: req.GetRegionId()}, nil
	}
	return &pdpb.GetOperatorResponse{Header: p.header(), RegionId: req.GetRegionId(), Desc: []byte("scatter-region"), Status: pdpb.OperatorStatus_SUCCESS}, nil
}

// gcState is PD's GC safe point and service safe points (in memory: a
// restarted server forgets them, which only lets GC run earlier, and this
// store never runs GC on its own).
type gcState struct {
	mu        sync.Mutex
	safePoint uint64
	services  map[string]serviceSafePoint
}

type serviceSafePoint struct {
	safePoint uint64
	expire    time.Time
}

// GetGCSafePoint implements pdpb.PDServer.
func (p *pdService) GetGCSafePoint(context.Context, *pdpb.GetGCSafePointRequest) (*pdpb.GetGCSafePointResponse, error) {
	g := &p.e.s.gc
	g.mu.Lock()
	defer g.mu.Unlock()
	return &pdpb.GetGCSafePointResponse{Header: p.header(), SafePoint: g.safePoint}, nil
}

// UpdateGCSafePoint implements pdpb.PDServer: the safe point only moves
// forward (pd/server/gc_service.go).
func (p *pdService) UpdateGCSafePoint(_ context.Context, req *pdpb.UpdateGCSafePointRequest) (*pdpb.UpdateGCSafePointResponse, error) {
	g := &p.e.s.gc
	g.mu.Lock()
	defer g.mu.Unlock()
	if req.GetSafePoint() > g.safePoint {
		g.safePoint = req.GetSafePoint()
	}
	return &pdpb.UpdateGCSafePointResponse{Header: p.header(), NewSafePoint: g.safePoint}, nil
}

// UpdateServiceGCSafePoint implements pdpb.PDServer the way PD does: a TTL
// of zero or less removes the service; a safe point below the GC safe point
// is not stored; the response carries the minimum over live services.
func (p *pdService) UpdateServiceGCSafePoint(_ context.Context, req *pdpb.UpdateServiceGCSafePointRequest) (*pdpb.UpdateServiceGCSafePointResponse, error) {
	g := &p.e.s.gc
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.services == nil {
		g.services = make(map[string]serviceSafePoint)
	}
	now := time.Now()
	id := string(req.GetServiceId())
	switch {
	case req.GetTTL() <= 0:
		delete(g.services, id)
	case req.GetSafePoint() >= g.safePoint:
		g.services[id] = serviceSafePoint{safePoint: req.GetSafePoint(), expire: now.Add(time.Duration(req.GetTTL()) * time.Second)}
	}
	var minID string
	min := uint64(math.MaxUint64)
	for sid, sp := range g.services {
		if now.After(sp.expire) {
			delete(g.services, sid)
			continue
		}
		if sp.safePoint < min {
			min, minID = sp.safePoint, sid
		}
	}
	if minID == "" {
		min = g.safePoint
	}
	return &pdpb.UpdateServiceGCSafePointResponse{Header: p.header(), ServiceId: []byte(minID), TTL: req.GetTTL(), MinSafePoint: min}, nil
}

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }
