package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tikv/client-go/v2/testutils"
	"github.com/tikv/client-go/v2/tikv"
	pd "github.com/tikv/pd/client"

	"github.com/lightstream-io/lightstream/internal/kv/gate"
	"github.com/lightstream-io/lightstream/internal/kv/mockmvcc"
)

// Embedded is the in-process TiKV-protocol store: client-go's mock TiKV
// (testutils.NewMockTiKV) with its goleveldb-backed MVCC store persisted
// under a directory, reached through client-go's normal transactional
// client exactly like a real cluster.
//
// What persists: every committed MVCC version, lock and rollback record
// (goleveldb under dir/mvcc), and the TSO high-water mark (dir/tso).
// What does not: the mock cluster's metadata (stores, regions, region
// splits) and the mock PD's safe points live in memory; a reopened store
// starts with one region covering all keys. Data is unaffected: regions are
// only routing metadata over the single MVCC store.
type Embedded struct {
	kvStore
	dir     string
	mvcc    testutils.MVCCStore
	cluster *testutils.MockCluster

	mu         sync.Mutex
	importMode bool

	// bulk admits one source at a time to BulkWrite, the largest waiting
	// one next (AcquireBulk): the last source to become ready is often
	// the largest (a table's index partition needs every chunk), and
	// making it wait behind small ones puts their ingests on the import's
	// critical path.
	bulk *gate.Gate[uint64]
	// batches recycles BulkWrite's encoded batches: a fresh batch of a
	// megabyte or more, allocated and cleared on every call, showed in
	// the ingest's CPU profile.
	batches sync.Pool
}

var _ Store = (*Embedded)(nil)

// EmbeddedOptions tunes OpenEmbedded.
type EmbeddedOptions struct {
	// Txn tunes WriteBatch transactions; zero value: plain 2PC.
	Txn TxnOptions
}

// OpenEmbedded opens (or creates) the embedded store under dir. Only one
// Embedded may hold a directory at a time (goleveldb locks it).
func OpenEmbedded(dir string) (*Embedded, error) {
	return OpenEmbeddedWith(dir, EmbeddedOptions{})
}

// OpenEmbeddedWith is OpenEmbedded with options.
func OpenEmbeddedWith(dir string, opts EmbeddedOptions) (*Embedded, error) {
	if dir == "" {
		return nil, fmt.Errorf("open embedded store: empty directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	if err := dropUnfinishedCreate(filepath.Join(dir, "mvcc")); err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	client, cluster, pdClient, err := testutils.NewMockTiKV(filepath.Join(dir, "mvcc"), nil)
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	if err := mockmvcc.Reopen(client.MvccStore, filepath.Join(dir, "mvcc"), mockmvcc.StoreOptions()); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	testutils.BootstrapWithSingleStore(cluster)
	var floorErr error
	hijack := func(c pd.Client) pd.Client {
		f, err := newTSOFloor(c, filepath.Join(dir, "tso"))
		if err != nil {
			floorErr = err
			return c
		}
		return f
	}
	kv, err := tikv.NewTestTiKVStore(client, pdClient, nil, hijack, 0)
	if err == nil && floorErr != nil {
		_ = kv.Close()
		err = floorErr
	}
	if err != nil {
		if kv == nil {
			_ = client.Close()
		}
		return nil, fmt.Errorf("open embedded store %s: %w", dir, err)
	}
	return &Embedded{
		kvStore: kvStore{kv: kv, opts: opts.Txn},
		dir:     dir,
		mvcc:    client.MvccStore,
		cluster: cluster,
		bulk:    gate.New(func(a, b uint64) bool { return a > b }),
	}, nil
}

// Dir returns the directory the store persists to.
func (e *Embedded) Dir() string { return e.dir }

// SwitchMode implements Store. The embedded store has no import mode (it
// exists to relax TiKV's RocksDB write stalls, tikv/src/import); the request
// is recorded so ImportMode reports it, and ErrNotSupported is returned for
// the coordinator to report as skipped.
func (e *Embedded) SwitchMode(ctx context.Context, importMode bool) error {
	if err := e.check(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	e.importMode = importMode
	e.mu.Unlock()
	return fmt.Errorf("switch to import mode %v: skipped: embedded store has no import mode: %w", importMode, ErrNotSupported)
}

// ImportMode reports the mode last requested through SwitchMode.
func (e *Embedded) ImportMode() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.importMode
}

// Compact implements Store: goleveldb compacts on its own, so this is
// skipped with ErrNotSupported.
func (e *Embedded) Compact(ctx context.Context, start, end []byte) error {
	if err := e.check(ctx); err != nil {
		return err
	}
	return fmt.Errorf("compact [%x, %x): skipped: embedded store compacts itself: %w", start, end, ErrNotSupported)
}

// RegionCount returns how many regions the mock cluster holds (for tests
// and reports).
func (e *Embedded) RegionCount() int {
	return len(e.cluster.GetAllRegions())
}

// Close implements Store. It stops client-go's background work and closes
// the MVCC store, releasing the directory.
func (e *Embedded) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	if err := e.kv.Close(); err != nil {
		return fmt.Errorf("close embedded store %s: %w", e.dir, err)
	}
	return nil
}

// dropUnfinishedCreate removes a goleveldb directory whose creation was cut
// short: it has files but no CURRENT, which goleveldb writes last when it
// creates a database (after its LOCK, LOG and first manifest), before any
// data can be written. goleveldb refuses to open such a directory ("file
// missing MANIFEST-000000") rather than trash what might be data; a process
// killed in its first milliseconds leaves one behind, and the rerun would
// then fail for good.
func dropUnfinishedCreate(mvcc string) error {
	entries, err := os.ReadDir(mvcc)
	if err != nil || len(entries) == 0 {
		return nil // nothing there yet (or unreadable: the open says why)
	}
	for _, e := range entries {
		if e.Name() == "CURRENT" {
			return nil
		}
		if strings.HasSuffix(e.Name(), ".ldb") || strings.HasSuffix(e.Name(), ".log") && e.Name() != "LOG" {
			return nil // tables or a journal without CURRENT: not ours to drop
		}
	}
	return os.RemoveAll(mvcc)
}
