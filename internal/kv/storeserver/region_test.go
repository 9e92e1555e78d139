package storeserver

import (
	"context"
	"testing"
	"time"

	"github.com/pingcap/kvproto/pkg/errorpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/kvproto/pkg/pdpb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/tikv/client-go/v2/util/codec"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return cc
}

func regionOf(t *testing.T, pdc pdpb.PDClient, key string) (*metapb.Region, *metapb.Peer) {
	t.Helper()
	resp, err := pdc.GetRegion(context.Background(), &pdpb.GetRegionRequest{RegionKey: codec.EncodeBytes(nil, []byte(key))})
	if err != nil || resp.GetRegion() == nil {
		t.Fatalf("GetRegion(%q) = %v, %v", key, resp, err)
	}
	return resp.GetRegion(), resp.GetLeader()
}

func rpcContext(r *metapb.Region, p *metapb.Peer) *kvrpcpb.Context {
	return &kvrpcpb.Context{RegionId: r.GetId(), RegionEpoch: r.GetRegionEpoch(), Peer: p}
}

// get sends a KvGet both as a unary call and inside BatchCommands and
// checks both answer the same region error.
func get(t *testing.T, kvc tikvpb.TikvClient, rctx *kvrpcpb.Context, key string) *errorpb.Error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := &kvrpcpb.GetRequest{Context: rctx, Key: []byte(key), Version: 1 << 62}
	unary, err := kvc.KvGet(ctx, req)
	if err != nil {
		t.Fatalf("KvGet: %v", err)
	}
	stream, err := kvc.BatchCommands(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = stream.Send(&tikvpb.BatchCommandsRequest{
		Requests:   []*tikvpb.BatchCommandsRequest_Request{{Cmd: &tikvpb.BatchCommandsRequest_Request_Get{Get: req}}},
		RequestIds: []uint64{42},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetRequestIds()) != 1 || resp.GetRequestIds()[0] != 42 {
		t.Fatalf("batch response ids %v", resp.GetRequestIds())
	}
	batched := resp.GetResponses()[0].GetGet()
	if (unary.GetRegionError() == nil) != (batched.GetRegionError() == nil) {
		t.Fatalf("unary region error %v, batched %v", unary.GetRegionError(), batched.GetRegionError())
	}
	_ = stream.CloseSend()
	return unary.GetRegionError()
}

// TestRegionErrors checks that requests to the wrong region get TiKV's
// region errors (what client-go's retry paths act on), both as unary calls
// and through BatchCommands.
func TestRegionErrors(t *testing.T) {
	s := startServer(t, t.TempDir())
	defer s.Close()
	cc := dial(t, s.Addr())
	pdc, kvc := pdpb.NewPDClient(cc), tikvpb.NewTikvClient(cc)

	old, leader := regionOf(t, pdc, "a")
	if rerr := get(t, kvc, rpcContext(old, leader), "a"); rerr != nil {
		t.Fatalf("valid get: region error %v", rerr)
	}
	split, err := kvc.SplitRegion(context.Background(), &kvrpcpb.SplitRegionRequest{Context: rpcContext(old, leader), SplitKeys: [][]byte{[]byte("m")}})
	if err != nil || split.GetRegionError() != nil {
		t.Fatalf("split: %v %v", err, split.GetRegionError())
	}
	left, _ := regionOf(t, pdc, "a")
	right, rightLeader := regionOf(t, pdc, "z")
	if left.GetId() == right.GetId() {
		t.Fatalf("split did not split: %v", left)
	}

	if rerr := get(t, kvc, rpcContext(old, leader), "a"); rerr.GetEpochNotMatch() == nil {
		t.Fatalf("stale epoch: %v, want EpochNotMatch", rerr)
	}
	if rerr := get(t, kvc, rpcContext(left, leader), "z"); rerr.GetKeyNotInRegion() == nil {
		t.Fatalf("key outside region: %v, want KeyNotInRegion", rerr)
	}
	if rerr := get(t, kvc, &kvrpcpb.Context{RegionId: 999999, RegionEpoch: right.GetRegionEpoch(), Peer: rightLeader}, "z"); rerr.GetRegionNotFound() == nil {
		t.Fatalf("unknown region: %v, want RegionNotFound", rerr)
	}
	wrongStore := &metapb.Peer{Id: rightLeader.GetId(), StoreId: 777}
	if rerr := get(t, kvc, rpcContext(right, wrongStore), "z"); rerr.GetStoreNotMatch() == nil {
		t.Fatalf("wrong store: %v, want StoreNotMatch", rerr)
	}
	if rerr := get(t, kvc, rpcContext(right, rightLeader), "z"); rerr != nil {
		t.Fatalf("valid get on right region: %v", rerr)
	}

	// PD answers with region keys in encoded form, adjacent after a split.
	if string(left.GetEndKey()) != string(right.GetStartKey()) || string(right.GetStartKey()) != string(codec.EncodeBytes(nil, []byte("m"))) {
		t.Fatalf("split boundary: left end %x, right start %x", left.GetEndKey(), right.GetStartKey())
	}
	prev, err := pdc.GetPrevRegion(context.Background(), &pdpb.GetRegionRequest{RegionKey: codec.EncodeBytes(nil, []byte("z"))})
	if err != nil || prev.GetRegion().GetId() != left.GetId() {
		t.Fatalf("GetPrevRegion = %v, %v; want region %d", prev.GetRegion(), err, left.GetId())
	}
	scan, err := pdc.ScanRegions(context.Background(), &pdpb.ScanRegionsRequest{Limit: 10})
	if err != nil || len(scan.GetRegions()) != 2 {
		t.Fatalf("ScanRegions = %v, %v; want 2 regions", scan, err)
	}
	batch, err := pdc.BatchScanRegions(context.Background(), &pdpb.BatchScanRegionsRequest{Ranges: []*pdpb.KeyRange{
		{StartKey: codec.EncodeBytes(nil, []byte("a")), EndKey: codec.EncodeBytes(nil, []byte("b"))},
		{StartKey: codec.EncodeBytes(nil, []byte("c")), EndKey: codec.EncodeBytes(nil, []byte("d"))},
		{StartKey: codec.EncodeBytes(nil, []byte("x")), EndKey: codec.EncodeBytes(nil, []byte("y"))},
	}})
	if err != nil || len(batch.GetRegions()) != 2 {
		t.Fatalf("BatchScanRegions = %v, %v; want 2 regions", batch, err)
	}
}

// TestTSOStream checks the Tso stream's batch contract: the response
// carries the last of Count timestamps, batches never overlap, and a
// persisted high-water mark in the future is respected after restart.
func TestTSOStream(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)
	clusterID := s.ClusterID()
	cc := dial(t, s.Addr())
	stream, err := pdpb.NewPDClient(cc).Tso(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for _, n := range []uint32{1, 10, 1000, 1} {
		if err := stream.Send(&pdpb.TsoRequest{Header: &pdpb.RequestHeader{ClusterId: clusterID}, Count: n}); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetCount() != n {
			t.Fatalf("count %d, want %d", resp.GetCount(), n)
		}
		ts := uint64(resp.GetTimestamp().GetPhysical())<<18 | uint64(resp.GetTimestamp().GetLogical())
		first := ts - uint64(n) + 1
		if resp.GetTimestamp().GetLogical() < int64(n)-1 {
			t.Fatalf("batch of %d straddles a millisecond: logical %d", n, resp.GetTimestamp().GetLogical())
		}
		if first <= last {
			t.Fatalf("batch [%d, %d] overlaps previous %d", first, ts, last)
		}
		last = ts
	}
	_ = stream.CloseSend()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).UnixMilli()
	tso, err := openTSO(dir + "/" + tsoFileName)
	if err != nil {
		t.Fatal(err)
	}
	if err := tso.persist(future); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, dir)
	defer s.Close()
	if s.ClusterID() != clusterID {
		t.Fatalf("cluster ID changed across restart: %d -> %d", clusterID, s.ClusterID())
	}
	ts, err := s.tso.next(1)
	if err != nil {
		t.Fatal(err)
	}
	if phys := int64(ts >> 18); phys < future {
		t.Fatalf("timestamp physical %d below persisted mark %d", phys, future)
	}
}

// TestListenersAdvertise serves two listeners with different advertised
// addresses: each answers PD membership, store lookups and etcd member
// lists with its own address, over the same store.
func TestListenersAdvertise(t *testing.T) {
	s, err := Open(Config{DataDir: t.TempDir(), Listeners: []Listener{
		{Addr: "127.0.0.1:0", Advertise: "store-alias:2379"},
		{Addr: "127.0.0.1:0"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, addr := range s.Addrs() {
		want := s.Advertised()[i]
		if i == 1 && want != addr {
			t.Fatalf("default advertise %q, want bound %q", want, addr)
		}
		pdc := pdpb.NewPDClient(dial(t, addr))
		m, err := pdc.GetMembers(context.Background(), &pdpb.GetMembersRequest{})
		if err != nil || m.GetLeader().GetClientUrls()[0] != "http://"+want || m.GetHeader().GetClusterId() != s.ClusterID() {
			t.Fatalf("listener %d GetMembers = %v, %v; want leader http://%s", i, m, err, want)
		}
		stores, err := pdc.GetAllStores(context.Background(), &pdpb.GetAllStoresRequest{})
		if err != nil || len(stores.GetStores()) != 1 || stores.GetStores()[0].GetAddress() != want {
			t.Fatalf("listener %d GetAllStores = %v, %v; want address %s", i, stores, err, want)
		}
		ml, err := etcdserverpb.NewClusterClient(dial(t, addr)).MemberList(context.Background(), &etcdserverpb.MemberListRequest{})
		if err != nil || ml.GetMembers()[0].GetClientURLs()[0] != "http://"+want {
			t.Fatalf("listener %d MemberList = %v, %v", i, ml, err)
		}
	}
}
