package storeserver

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/pingcap/kvproto/pkg/metapb"
	"github.com/tikv/client-go/v2/testutils"
)

// metaFileName holds the cluster metadata the mock cluster keeps only in
// memory: cluster ID, store ID, the ID allocator's high-water mark and the
// region layout, so splits survive a restart.
const metaFileName = "cluster.json"

// clusterMeta is the persisted form of the mock cluster's routing metadata.
type clusterMeta struct {
	// ClusterID is the PD cluster ID, random at first start.
	ClusterID uint64 `json:"cluster_id"`
	// StoreID is the one store's ID.
	StoreID uint64 `json:"store_id"`
	// NextID is above every ID allocated so far (regions, peers, stores).
	NextID uint64 `json:"next_id"`
	// Regions in key order; the first starts at the empty key and each ends
	// where the next starts.
	Regions []regionMeta `json:"regions"`
}

// regionMeta is one region: its IDs, its start key in the encoded
// (memcomparable EncodeBytes) form the cluster stores, and its epoch.
type regionMeta struct {
	ID     uint64 `json:"id"`
	PeerID uint64 `json:"peer_id"`
	Start  []byte `json:"start"`
	// ConfVer and Version are the region's epoch when saved (absent from
	// files written before epochs were kept: both 0).
	ConfVer uint64 `json:"conf_ver,omitempty"`
	Version uint64 `json:"version,omitempty"`
}

// restartVersionGap is added to every region's epoch version at a restart.
// TiKV never hands out an epoch twice: a client's cached region whose epoch
// the store no longer has is refused with EpochNotMatch. A restarted mock
// cluster rebuilds its regions by splitting, which gives them small fresh
// versions: a client still caching an older layout of a region (say
// [a, c) at version 1, before the region was split again at b) could find
// that epoch matched by the rebuilt [a, b), and a scan of the cached
// region would then stop at b while the client resumes at c, silently
// skipping [b, c) (the checksum mismatch after a store restart of issue
// 23). Restoring the saved epochs is not enough: a split applied but not
// yet saved when the process was killed may have been seen by a client
// (through PD or a region error) with versions up to maxSplitKeys above
// the saved one. Adding the gap puts every restored epoch above any
// version handed out before.
const restartVersionGap = 1 << 20

// maxSplitKeys bounds the split keys of one SplitRegion request, which
// raises the split region's version by one per key: see restartVersionGap.
// client-go sends at most 2048 per request (splitBatchRegionLimit).
const maxSplitKeys = restartVersionGap / 2

// loadMeta reads the metadata; ok is false when there is none yet.
func loadMeta(path string) (m clusterMeta, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read cluster metadata: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("read cluster metadata %s: %w", path, err)
	}
	if m.ClusterID == 0 || m.StoreID == 0 || len(m.Regions) == 0 || len(m.Regions[0].Start) != 0 {
		return m, false, fmt.Errorf("read cluster metadata %s: incomplete (cluster %d, store %d, %d regions)", path, m.ClusterID, m.StoreID, len(m.Regions))
	}
	for i := 1; i < len(m.Regions); i++ {
		if bytes.Compare(m.Regions[i-1].Start, m.Regions[i].Start) >= 0 {
			return m, false, fmt.Errorf("read cluster metadata %s: regions out of order at %d", path, i)
		}
	}
	return m, true, nil
}

// newClusterID returns a random nonzero cluster ID (PD derives its ID from
// time and randomness, pd/server/cluster_id.go; only uniqueness matters).
func newClusterID() (uint64, error) {
	var b [8]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("generate cluster ID: %w", err)
		}
		if id := binary.BigEndian.Uint64(b[:]) >> 1; id != 0 {
			return id, nil
		}
	}
}

// bootstrap builds the mock cluster's store and regions: from m when it was
// loaded, otherwise a fresh single-region cluster. Regions are rebuilt with
// their original IDs by splitting left to right (the left part of a split
// keeps the old ID, mocktikv/cluster.go Region.split), so a client's cached
// region IDs still name the same key ranges; epochs restart, which clients
// see as EpochNotMatch and refresh.
func bootstrap(c *testutils.MockCluster, storeAddr string, m clusterMeta, loaded bool) (clusterMeta, error) {
	if !loaded {
		id, err := newClusterID()
		if err != nil {
			return m, err
		}
		ids := c.AllocIDs(3)
		m = clusterMeta{ClusterID: id, StoreID: ids[0], Regions: []regionMeta{{ID: ids[2], PeerID: ids[1]}}}
	} else if m.NextID > 0 {
		// Burn IDs so that new regions never reuse an ID handed out before.
		c.AllocIDs(int(m.NextID))
	}
	c.AddStore(m.StoreID, storeAddr)
	first := m.Regions[0]
	c.Bootstrap(first.ID, []uint64{m.StoreID}, []uint64{first.PeerID}, first.PeerID)
	prev := first.ID
	for _, r := range m.Regions[1:] {
		c.SplitRaw(prev, r.ID, r.Start, []uint64{r.PeerID}, r.PeerID)
		prev = r.ID
	}
	if loaded {
		restoreEpochs(c, m)
	}
	return m, nil
}

// restoreEpochs gives the rebuilt regions their saved epochs, versions
// raised by restartVersionGap. It runs before the server serves, so the
// cluster's regions are changed in place without its lock.
func restoreEpochs(c *testutils.MockCluster, m clusterMeta) {
	saved := make(map[uint64]regionMeta, len(m.Regions))
	for _, r := range m.Regions {
		saved[r.ID] = r
	}
	for _, r := range c.GetAllRegions() {
		s, ok := saved[r.Meta.GetId()]
		if !ok {
			continue
		}
		e := r.Meta.GetRegionEpoch()
		r.Meta.RegionEpoch = &metapb.RegionEpoch{
			ConfVer: max(s.ConfVer, e.GetConfVer()),
			Version: max(s.Version, e.GetVersion()) + restartVersionGap,
		}
	}
}

// snapshotMeta reads the cluster's current layout into m's region list.
func snapshotMeta(c *testutils.MockCluster, m clusterMeta) clusterMeta {
	regions := c.ScanRegions(nil, nil, 0)
	m.Regions = m.Regions[:0]
	for _, r := range regions {
		var peer uint64
		if p := findPeer(r.Meta, m.StoreID); p != nil {
			peer = p.GetId()
		}
		e := r.Meta.GetRegionEpoch()
		m.Regions = append(m.Regions, regionMeta{ID: r.Meta.GetId(), PeerID: peer, Start: r.Meta.GetStartKey(),
			ConfVer: e.GetConfVer(), Version: e.GetVersion()})
	}
	slices.SortFunc(m.Regions, func(a, b regionMeta) int { return bytes.Compare(a.Start, b.Start) })
	// One allocation marks the high-water point; it is never reused.
	m.NextID = c.AllocID() + 1
	return m
}

func findPeer(r *metapb.Region, storeID uint64) *metapb.Peer {
	for _, p := range r.GetPeers() {
		if p.GetStoreId() == storeID {
			return p
		}
	}
	return nil
}

// saveMeta writes m durably.
func saveMeta(path string, m clusterMeta) error {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("encode cluster metadata: %w", err)
	}
	if err := writeFileSync(path, b); err != nil {
		return fmt.Errorf("save cluster metadata: %w", err)
	}
	return nil
}
