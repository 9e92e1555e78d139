package storeserver

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// etcdKV serves the etcd KV calls client-go makes on the PD address: its
// safe-point reader (tikv/safepoint.go) reads the GC safe point with Range
// every few seconds, and TiDB's GC worker writes it with Put. The keys live
// in memory; an absent safe point reads as 0, which is what a fresh cluster
// answers.
type etcdKV struct {
	etcdserverpb.UnimplementedKVServer
	e *endpoint
}

// etcdState is the in-memory etcd key space with its revision counter.
type etcdState struct {
	mu       sync.Mutex
	revision int64
	kvs      map[string]*mvccpb.KeyValue
}

func (e *endpoint) etcdHeader() *etcdserverpb.ResponseHeader {
	s := &e.s.etcd
	s.mu.Lock()
	defer s.mu.Unlock()
	return &etcdserverpb.ResponseHeader{ClusterId: e.s.clusterID, MemberId: e.memberID(), Revision: s.revision + 1, RaftTerm: 1}
}

// inRange reports whether k is in etcd's [key, end) with etcd's end-key
// conventions: empty end means key alone, "\x00" means every key >= key.
func inRange(k, key, end []byte) bool {
	switch {
	case len(end) == 0:
		return bytes.Equal(k, key)
	case len(end) == 1 && end[0] == 0:
		return bytes.Compare(k, key) >= 0
	default:
		return bytes.Compare(k, key) >= 0 && bytes.Compare(k, end) < 0
	}
}

// Range implements etcdserverpb.KVServer.
func (s *etcdKV) Range(_ context.Context, req *etcdserverpb.RangeRequest) (*etcdserverpb.RangeResponse, error) {
	resp := &etcdserverpb.RangeResponse{Header: s.e.etcdHeader()}
	st := &s.e.s.etcd
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, kv := range st.kvs {
		if inRange(kv.Key, req.GetKey(), req.GetRangeEnd()) {
			resp.Kvs = append(resp.Kvs, kv)
		}
	}
	slices.SortFunc(resp.Kvs, func(a, b *mvccpb.KeyValue) int { return bytes.Compare(a.Key, b.Key) })
	resp.Count = int64(len(resp.Kvs))
	if l := req.GetLimit(); l > 0 && int64(len(resp.Kvs)) > l {
		resp.Kvs, resp.More = resp.Kvs[:l], true
	}
	if req.GetCountOnly() {
		resp.Kvs = nil
	}
	if req.GetKeysOnly() {
		for i, kv := range resp.Kvs {
			resp.Kvs[i] = &mvccpb.KeyValue{Key: kv.Key, CreateRevision: kv.CreateRevision, ModRevision: kv.ModRevision, Version: kv.Version}
		}
	}
	return resp, nil
}

// Put implements etcdserverpb.KVServer.
func (s *etcdKV) Put(_ context.Context, req *etcdserverpb.PutRequest) (*etcdserverpb.PutResponse, error) {
	st := &s.e.s.etcd
	st.mu.Lock()
	if st.kvs == nil {
		st.kvs = make(map[string]*mvccpb.KeyValue)
	}
	st.revision++
	prev := st.kvs[string(req.GetKey())]
	kv := &mvccpb.KeyValue{Key: bytes.Clone(req.GetKey()), Value: bytes.Clone(req.GetValue()), CreateRevision: st.revision, ModRevision: st.revision, Version: 1}
	if prev != nil {
		kv.CreateRevision, kv.Version = prev.CreateRevision, prev.Version+1
	}
	st.kvs[string(kv.Key)] = kv
	st.mu.Unlock()
	resp := &etcdserverpb.PutResponse{Header: s.e.etcdHeader()}
	if req.GetPrevKv() {
		resp.PrevKv = prev
	}
	return resp, nil
}

// DeleteRange implements etcdserverpb.KVServer.
func (s *etcdKV) DeleteRange(_ context.Context, req *etcdserverpb.DeleteRangeRequest) (*etcdserverpb.DeleteRangeResponse, error) {
	st := &s.e.s.etcd
	st.mu.Lock()
	var n int64
	for k, kv := range st.kvs {
		if inRange(kv.Key, req.GetKey(), req.GetRangeEnd()) {
			delete(st.kvs, k)
			n++
		}
	}
	if n > 0 {
		st.revision++
	}
	st.mu.Unlock()
	return &etcdserverpb.DeleteRangeResponse{Header: s.e.etcdHeader(), Deleted: n}, nil
}

// etcdCluster serves etcd's MemberList, which the etcd client calls to
// sync its endpoints (AutoSyncInterval, 30s in client-go's createEtcdKV):
// the one member, at this listener's advertised address.
type etcdCluster struct {
	etcdserverpb.UnimplementedClusterServer
	e *endpoint
}

// MemberList implements etcdserverpb.ClusterServer.
func (c *etcdCluster) MemberList(context.Context, *etcdserverpb.MemberListRequest) (*etcdserverpb.MemberListResponse, error) {
	url := "http://" + c.e.advertise
	m := &etcdserverpb.Member{ID: c.e.memberID(), Name: memberName, PeerURLs: []string{url}, ClientURLs: []string{url}}
	return &etcdserverpb.MemberListResponse{Header: c.e.etcdHeader(), Members: []*etcdserverpb.Member{m}}, nil
}
