package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/pingcap/kvproto/pkg/kvrpcpb"
	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/tikv/client-go/v2/util/codec"
	"google.golang.org/grpc"
)

var _ BulkWriter = (*Cluster)(nil)

// ingestBatchBytes is the size of one Write stream message (Lightning's
// kv-write-batch-size default, 16 KiB, is tuned for many concurrent
// streams; one stream per region here, so larger batches).
const ingestBatchBytes = 1 << 20

// ingestAttempts bounds how often one region's pairs are retried after
// region errors (Lightning's maxRetryTimes is 5 per ingest, with rescans).
const ingestAttempts = 20

// errRegionChanged marks an ingest refused because the region moved on
// (epoch, leader, range); the pairs are located again and retried.
var errRegionChanged = errors.New("region changed")

// BulkWrite implements BulkWriter the way Lightning's local backend
// imports into TiKV (pkg/lightning/backend/local/region_job.go): pairs
// (sorted, distinct) are cut at region boundaries, each part is sent to
// every peer's ImportSST Write stream with one commit timestamp, and the
// leader's resulting SSTs are ingested with MultiIngest. Region errors
// relocate and retry the part.
func (c *Cluster) BulkWrite(ctx context.Context, pairs []Pair) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	for _, p := range pairs {
		if len(p.Value) == 0 {
			return fmt.Errorf("key %x: %w", p.Key, ErrEmptyValue)
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	commitTS, err := c.currentTS(ctx)
	if err != nil {
		return pdUnavailable(ctx, err)
	}
	codecPD := c.kv.GetPDClient() // decodes region keys
	rest, attempts := pairs, 0
	for len(rest) > 0 {
		r, err := codecPD.GetRegion(ctx, rest[0].Key)
		if err != nil {
			return fmt.Errorf("bulk write: locate key %x: %w", rest[0].Key, pdUnavailable(ctx, err))
		}
		if r == nil || r.Meta == nil || r.Leader == nil {
			return fmt.Errorf("bulk write: locate key %x: region %v: %w", rest[0].Key, r, ErrUnavailable)
		}
		end := r.Meta.GetEndKey()
		n := sort.Search(len(rest), func(i int) bool { return len(end) > 0 && bytes.Compare(rest[i].Key, end) >= 0 })
		err = c.ingestRegion(ctx, r.Meta, r.Leader, rest[:n], commitTS)
		if errors.Is(err, errRegionChanged) && attempts < ingestAttempts {
			attempts++
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempts) * 50 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("bulk write %d pairs from key %x: %w", n, rest[0].Key, err)
		}
		rest, attempts = rest[n:], 0
	}
	return nil
}

// ingestRegion writes pairs (all inside region) to every peer and ingests
// the leader's SSTs.
func (c *Cluster) ingestRegion(ctx context.Context, region *metapb.Region, leader *metapb.Peer, pairs []Pair, commitTS uint64) error {
	u := uuid.New()
	meta := &import_sstpb.SSTMeta{
		Uuid: u[:], RegionId: region.GetId(), RegionEpoch: region.GetRegionEpoch(),
		Range: &import_sstpb.Range{Start: codec.EncodeBytes(nil, pairs[0].Key), End: codec.EncodeBytes(nil, pairs[len(pairs)-1].Key)},
	}
	var leaderMetas []*import_sstpb.SSTMeta
	var leaderConn *grpc.ClientConn
	for _, peer := range region.GetPeers() {
		conn, err := c.storeConn(ctx, peer.GetStoreId())
		if err != nil {
			return err
		}
		metas, err := writeSST(ctx, import_sstpb.NewImportSSTClient(conn), meta, pairs, commitTS)
		if err != nil {
			return fmt.Errorf("write to store %d: %w", peer.GetStoreId(), unavailable(ctx, err))
		}
		if peer.GetId() == leader.GetId() {
			leaderMetas, leaderConn = metas, conn
		}
	}
	if leaderConn == nil {
		return fmt.Errorf("region %d: leader %d not among peers: %w", region.GetId(), leader.GetId(), errRegionChanged)
	}
	if len(leaderMetas) == 0 {
		return nil
	}
	resp, err := import_sstpb.NewImportSSTClient(leaderConn).MultiIngest(ctx, &import_sstpb.MultiIngestRequest{
		Context: &kvrpcpb.Context{RegionId: region.GetId(), RegionEpoch: region.GetRegionEpoch(), Peer: leader},
		Ssts:    leaderMetas,
	})
	if err != nil {
		// Unavailable after the request was sent: the ingest may or may
		// not have been applied; writing the region again is harmless.
		return fmt.Errorf("ingest into region %d: %w", region.GetId(), unavailable(ctx, err))
	}
	if e := resp.GetError(); e != nil {
		if e.GetNotLeader() != nil || e.GetEpochNotMatch() != nil || e.GetRegionNotFound() != nil || e.GetKeyNotInRegion() != nil || e.GetServerIsBusy() != nil || e.GetStoreNotMatch() != nil {
			return fmt.Errorf("ingest into region %d: %s: %w", region.GetId(), e.GetMessage(), errRegionChanged)
		}
		return fmt.Errorf("ingest into region %d: %s", region.GetId(), e.String())
	}
	return nil
}

// writeSST sends pairs through one ImportSST Write stream.
func writeSST(ctx context.Context, cli import_sstpb.ImportSSTClient, meta *import_sstpb.SSTMeta, pairs []Pair, commitTS uint64) ([]*import_sstpb.SSTMeta, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := cli.Write(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.Send(&import_sstpb.WriteRequest{Chunk: &import_sstpb.WriteRequest_Meta{Meta: meta}}); err != nil {
		return nil, fmt.Errorf("send meta: %w", err)
	}
	batch := &import_sstpb.WriteBatch{CommitTs: commitTS}
	req := &import_sstpb.WriteRequest{Chunk: &import_sstpb.WriteRequest_Batch{Batch: batch}}
	buf := make([]import_sstpb.Pair, 0, 1024)
	size := 0
	flush := func() error {
		if len(batch.Pairs) == 0 {
			return nil
		}
		if err := w.Send(req); err != nil {
			return fmt.Errorf("send batch: %w", err)
		}
		batch.Pairs, buf, size = batch.Pairs[:0], buf[:0], 0
		return nil
	}
	for _, p := range pairs {
		buf = append(buf, import_sstpb.Pair{Key: p.Key, Value: p.Value})
		batch.Pairs = append(batch.Pairs, &buf[len(buf)-1])
		if size += len(p.Key) + len(p.Value); size >= ingestBatchBytes || len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	resp, err := w.CloseAndRecv()
	if err != nil {
		return nil, fmt.Errorf("close write stream: %w", err)
	}
	if e := resp.GetError(); e != nil {
		if e.GetStoreError().GetServerIsBusy() != nil {
			return nil, fmt.Errorf("write: %s: %w", e.GetMessage(), errRegionChanged)
		}
		return nil, fmt.Errorf("write: %s", e.GetMessage())
	}
	return resp.GetMetas(), nil
}

// storeConn returns a cached connection to a store's gRPC address.
func (c *Cluster) storeConn(ctx context.Context, storeID uint64) (*grpc.ClientConn, error) {
	st, err := c.pd.GetStore(ctx, storeID)
	if err != nil {
		return nil, fmt.Errorf("store %d: %w", storeID, pdUnavailable(ctx, err))
	}
	if st == nil {
		return nil, fmt.Errorf("store %d: not known to PD: %w", storeID, ErrUnavailable)
	}
	addr := st.GetAddress()
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if conn := c.conns[addr]; conn != nil {
		return conn, nil
	}
	conn, err := c.dialStore(addr)
	if err != nil {
		return nil, fmt.Errorf("store %d at %s: %w", storeID, addr, err)
	}
	if c.conns == nil {
		c.conns = make(map[string]*grpc.ClientConn)
	}
	c.conns[addr] = conn
	return conn, nil
}
