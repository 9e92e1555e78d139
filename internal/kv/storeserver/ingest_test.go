package storeserver

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/pingcap/kvproto/pkg/pdpb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/tikv/client-go/v2/txnkv"
	"github.com/tikv/client-go/v2/util/codec"
)

// writeSST runs one Write stream the way Lightning's local backend does
// (region_job.go writeToTiKV): meta with encoded range, then batches. A kv
// with an empty value is sent as a Delete.
func writeSST(t *testing.T, ic import_sstpb.ImportSSTClient, r *metapb.Region, kvs []kv, commitTS uint64) []*import_sstpb.SSTMeta {
	t.Helper()
	w, err := ic.Write(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u := uuid.New()
	meta := &import_sstpb.SSTMeta{Uuid: u[:], RegionId: r.GetId(), RegionEpoch: r.GetRegionEpoch(), Range: &import_sstpb.Range{
		Start: codec.EncodeBytes(nil, []byte(kvs[0].k)), End: codec.EncodeBytes(nil, []byte(kvs[len(kvs)-1].k)),
	}}
	if err := w.Send(&import_sstpb.WriteRequest{Chunk: &import_sstpb.WriteRequest_Meta{Meta: meta}}); err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(kvs); lo += 300 {
		b := &import_sstpb.WriteBatch{CommitTs: commitTS}
		for _, p := range kvs[lo:min(lo+300, len(kvs))] {
			pair := &import_sstpb.Pair{Key: []byte(p.k), Value: []byte(p.v)}
			if p.v == "" {
				pair.Op = import_sstpb.Pair_Delete
			}
			b.Pairs = append(b.Pairs, pair)
		}
		if err := w.Send(&import_sstpb.WriteRequest{Chunk: &import_sstpb.WriteRequest_Batch{Batch: b}}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := w.CloseAndRecv()
	if err != nil || resp.GetError() != nil {
		t.Fatalf("write: %v %v", err, resp.GetError())
	}
	if len(resp.GetMetas()) != 1 || resp.GetMetas()[0].GetTotalKvs() != uint64(len(kvs)) {
		t.Fatalf("write metas %v", resp.GetMetas())
	}
	return resp.GetMetas()
}

// TestImportWriteIngest drives the ImportSST service like Lightning's
// local backend and reads the result back through client-go.
func TestImportWriteIngest(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, t.TempDir())
	defer s.Close()
	cc := dial(t, s.Addr())
	pdc, kvc, ic := pdpb.NewPDClient(cc), tikvpb.NewTikvClient(cc), import_sstpb.NewImportSSTClient(cc)

	// Lightning's write-stall / MultiIngest support probe.
	if resp, err := ic.MultiIngest(ctx, &import_sstpb.MultiIngestRequest{}); err != nil || resp.GetError() != nil {
		t.Fatalf("empty MultiIngest: %v %v", err, resp.GetError())
	}
	if _, err := ic.SwitchMode(ctx, &import_sstpb.SwitchModeRequest{Mode: import_sstpb.SwitchMode_Import}); err != nil || !s.ImportMode() {
		t.Fatalf("SwitchMode: %v, import mode %v", err, s.ImportMode())
	}

	r, leader := regionOf(t, pdc, "a")
	if split, err := kvc.SplitRegion(ctx, &kvrpcpb.SplitRegionRequest{Context: rpcContext(r, leader), SplitKeys: [][]byte{[]byte("i500")}}); err != nil || split.GetRegionError() != nil {
		t.Fatalf("split: %v %v", err, split.GetRegionError())
	}
	left, leftLeader := regionOf(t, pdc, "i000")
	right, rightLeader := regionOf(t, pdc, "i999")

	kvs := make([]kv, 1000)
	for j := range kvs {
		kvs[j] = kv{fmt.Sprintf("i%03d", j), fmt.Sprintf("ingested-%d", j)}
	}
	c := newClient(t, s.Addr())
	defer c.Close()
	commitTS, err := c.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leftMetas := writeSST(t, ic, left, kvs[:500], commitTS)
	rightMetas := writeSST(t, ic, right, kvs[500:], commitTS)

	// Ingesting into the wrong region is refused.
	resp, err := ic.MultiIngest(ctx, &import_sstpb.MultiIngestRequest{Context: rpcContext(right, rightLeader), Ssts: leftMetas})
	if err != nil || resp.GetError().GetEpochNotMatch() == nil {
		t.Fatalf("wrong region ingest: %v %v, want EpochNotMatch", err, resp.GetError())
	}
	// A stale context epoch gets the region check's error.
	resp, err = ic.MultiIngest(ctx, &import_sstpb.MultiIngestRequest{Context: rpcContext(r, leader), Ssts: leftMetas})
	if err != nil || resp.GetError().GetEpochNotMatch() == nil {
		t.Fatalf("stale epoch ingest: %v %v, want EpochNotMatch", err, resp.GetError())
	}
	for _, in := range []struct {
		r     *metapb.Region
		p     *metapb.Peer
		metas []*import_sstpb.SSTMeta
	}{{left, leftLeader, leftMetas}, {right, rightLeader, rightMetas}} {
		resp, err := ic.MultiIngest(ctx, &import_sstpb.MultiIngestRequest{Context: rpcContext(in.r, in.p), Ssts: in.metas})
		if err != nil || resp.GetError() != nil {
			t.Fatalf("ingest: %v %v", err, resp.GetError())
		}
	}
	// Ingested once: a second ingest of the same file is an error.
	resp, err = ic.Ingest(ctx, &import_sstpb.IngestRequest{Context: rpcContext(left, leftLeader), Sst: leftMetas[0]})
	if err != nil || resp.GetError() == nil {
		t.Fatalf("re-ingest: %v %v, want an error", err, resp.GetError())
	}
	equalKVs(t, scan(t, c, "i", "j"), kvs)
	// The versions are at commitTS: a snapshot just before it sees nothing.
	snap := c.GetSnapshot(commitTS - 1)
	if v, err := snap.Get(ctx, []byte("i000")); err == nil || len(v) != 0 {
		t.Fatalf("read below commit ts: %q, %v; want not found", v, err)
	}
}

// scanAt reads [start, end) in a snapshot at ts.
func scanAt(t *testing.T, c *txnkv.Client, ts uint64, start, end string) []kv {
	t.Helper()
	it, err := c.GetSnapshot(ts).Iter([]byte(start), []byte(end))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []kv
	for it.Valid() {
		out = append(out, kv{string(it.Key()), string(it.Value())})
		if err := it.Next(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestIngestMVCC checks that ingested versions order with transactional
// ones by commit TS, as TiKV's do: they shadow older versions, are
// shadowed by newer ones, are invisible below their commit TS, a Delete
// pair hides the key, and all of it survives a restart.
func TestIngestMVCC(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := startServer(t, dir)
	cc := dial(t, s.Addr())
	pdc, ic := pdpb.NewPDClient(cc), import_sstpb.NewImportSSTClient(cc)
	c := newClient(t, s.Addr())

	old := make([]kv, 10)
	for j := range old {
		old[j] = kv{fmt.Sprintf("m%03d", j), "txn-old"}
	}
	write(t, c, old)
	before, err := c.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	commitTS, err := c.GetTimestamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Committed after the ingest's commit TS was taken: newer than it.
	write(t, c, []kv{{"m005", "txn-newer"}})

	in := make([]kv, 0, 11)
	for j := range 11 {
		in = append(in, kv{fmt.Sprintf("m%03d", j), fmt.Sprintf("ingested-%d", j)})
	}
	in[3].v = "" // a Delete
	r, leader := regionOf(t, pdc, "m")
	metas := writeSST(t, ic, r, in, commitTS)
	if resp, err := ic.MultiIngest(ctx, &import_sstpb.MultiIngestRequest{Context: rpcContext(r, leader), Ssts: metas}); err != nil || resp.GetError() != nil {
		t.Fatalf("ingest: %v %v", err, resp.GetError())
	}

	atCommit := append(append([]kv{}, in[:3]...), in[4:]...)
	latest := append([]kv{}, atCommit...)
	latest[4].v = "txn-newer" // m005
	equalKVs(t, scanAt(t, c, before, "m", "n"), old)
	equalKVs(t, scanAt(t, c, commitTS, "m", "n"), atCommit)
	equalKVs(t, scan(t, c, "m", "n"), latest)

	// A transaction after the ingest wins over it.
	write(t, c, []kv{{"m001", "txn-after"}, {"m003", "txn-after"}})
	latest[1].v = "txn-after"
	latest = append(latest[:3], append([]kv{{"m003", "txn-after"}}, latest[3:]...)...)
	equalKVs(t, scan(t, c, "m", "n"), latest)

	c.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, dir)
	defer s.Close()
	c = newClient(t, s.Addr())
	defer c.Close()
	equalKVs(t, scanAt(t, c, commitTS, "m", "n"), atCommit)
	equalKVs(t, scan(t, c, "m", "n"), latest)
}
