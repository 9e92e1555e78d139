package storeserver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/pingcap/kvproto/pkg/pdpb"
	"github.com/pingcap/kvproto/pkg/tikvpb"
	"github.com/tikv/client-go/v2/testutils"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/lightstream-io/lightstream/internal/kv/mockmvcc"
)

// storeAddr is the store's address inside the mock cluster. Clients never
// see it: PD answers rewrite it to the address of the listener asked.
const storeAddr = "lightstream-store"

// maxMsgSize bounds one gRPC message (TiKV's max-grpc-send-msg-len is 10 MiB
// by default; Lightning's write batches and client-go's scan batches stay
// well below this).
const maxMsgSize = 256 << 20

// Version is the TiKV/PD version the server reports. Clients compare it
// against feature gates (client-go, Lightning's version checks); it names a
// release whose protocol the served subset matches.
const Version = "8.5.0"

// ErrNoListener rejects a configuration without any listen address.
var ErrNoListener = errors.New("no listen address")

// Config configures a Server.
type Config struct {
	// DataDir is where the store persists (required). It is the same layout
	// as store.OpenEmbedded's directory.
	DataDir string
	// Listeners are the addresses to serve on (at least one).
	Listeners []Listener
	// RequestTimeout bounds one TiKV request inside the server; default 60s.
	RequestTimeout time.Duration
	// InjectRegionErrors is a test knob: the first N ImportSST ingests and
	// writes fail with a region error, in turn a real split of the region
	// (then EpochNotMatch), NotLeader, RegionNotFound and ServerIsBusy on
	// Write (inject.go). 0: none.
	InjectRegionErrors int
	// OnInject, if set, is told about every injected error.
	OnInject func(msg string)
}

// Listener is one address to serve on.
type Listener struct {
	// Addr is host:port to listen on; port 0 picks a free port.
	Addr string
	// Advertise is host:port clients of this listener are told to use for
	// PD and TiKV; default: the bound address.
	Advertise string
}

func (c *Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("store server: data dir is required")
	}
	if len(c.Listeners) == 0 {
		return fmt.Errorf("store server: %w", ErrNoListener)
	}
	for i, l := range c.Listeners {
		if l.Addr == "" {
			return fmt.Errorf("store server: listener %d: %w", i, ErrNoListener)
		}
		if l.Advertise != "" {
			if _, _, err := net.SplitHostPort(l.Advertise); err != nil {
				return fmt.Errorf("store server: listener %d advertise %q: %w", i, l.Advertise, err)
			}
		}
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 60 * time.Second
	}
	return nil
}

// Server is a running PD + TiKV endpoint over the persisted mock store.
type Server struct {
	cfg      Config
	rpc      *testutils.MockClient
	cluster  *testutils.MockCluster
	mvcc     testutils.MVCCStore
	tso      *tsoAllocator
	metaPath string

	// metaMu serializes region splits with saving the layout, so the file
	// always holds a layout the cluster had; meta is read and written under
	// it. clusterID and storeID never change after start: read them, not
	// meta, from request handlers.
	metaMu             sync.Mutex
	meta               clusterMeta
	clusterID, storeID uint64

	gc   gcState
	ssts sstStore
	// batches pools mockmvcc.Batch buffers for ingest (apply).
	batches sync.Pool
	calls   callCounter
	etcd    etcdState

	importMu   sync.Mutex
	importMode bool

	inject injector

	endpoints []*endpoint
	serveWG   sync.WaitGroup
	serveErr  chan error
	closed    atomic.Bool
	started   time.Time
}

// endpoint is one listener and what it advertises.
type endpoint struct {
	s         *Server
	lis       net.Listener
	grpc      *grpc.Server
	advertise string
}

// Open opens the store under cfg.DataDir, binds every listener and starts
// serving. Only one process may hold a data directory at a time (goleveldb
// locks it).
func Open(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("store server: %w", err)
	}
	tso, err := openTSO(filepath.Join(cfg.DataDir, tsoFileName))
	if err != nil {
		return nil, fmt.Errorf("store server %s: %w", cfg.DataDir, err)
	}
	s := &Server{cfg: cfg, tso: tso, metaPath: filepath.Join(cfg.DataDir, metaFileName), serveErr: make(chan error, len(cfg.Listeners)), started: time.Now()}
	s.inject.left = cfg.InjectRegionErrors
	m, loaded, err := loadMeta(s.metaPath)
	if err != nil {
		return nil, fmt.Errorf("store server %s: %w", cfg.DataDir, err)
	}
	rpc, cluster, _, err := testutils.NewMockTiKV(filepath.Join(cfg.DataDir, "mvcc"), nil)
	if err != nil {
		return nil, fmt.Errorf("store server %s: open store: %w", cfg.DataDir, err)
	}
	if err := mockmvcc.Reopen(rpc.MvccStore, filepath.Join(cfg.DataDir, "mvcc"), mockmvcc.StoreOptions()); err != nil {
		_ = rpc.Close()
		return nil, fmt.Errorf("store server %s: open store: %w", cfg.DataDir, err)
	}
	s.rpc, s.cluster, s.mvcc = rpc, cluster, rpc.MvccStore
	// The layout is saved again after a restart too: the restored epochs
	// (raised by restartVersionGap) must be what the next restart raises.
	if s.meta, err = bootstrap(cluster, storeAddr, m, loaded); err == nil {
		s.meta = snapshotMeta(cluster, s.meta)
		err = saveMeta(s.metaPath, s.meta)
	}
	if err != nil {
		_ = rpc.Close()
		return nil, fmt.Errorf("store server %s: %w", cfg.DataDir, err)
	}
	s.clusterID, s.storeID = s.meta.ClusterID, s.meta.StoreID
	for _, l := range cfg.Listeners {
		lis, err := net.Listen("tcp", l.Addr)
		if err != nil {
			s.closeListeners()
			_ = rpc.Close()
			return nil, fmt.Errorf("store server: listen %s: %w", l.Addr, err)
		}
		adv := l.Advertise
		if adv == "" {
			adv = defaultAdvertise(lis.Addr())
		}
		s.endpoints = append(s.endpoints, s.newEndpoint(lis, adv))
	}
	for _, e := range s.endpoints {
		s.serveWG.Add(1)
		go func(e *endpoint) {
			defer s.serveWG.Done()
			if err := e.grpc.Serve(e.lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				s.serveErr <- fmt.Errorf("serve %s: %w", e.lis.Addr(), err)
			}
		}(e)
	}
	return s, nil
}

func (s *Server) newEndpoint(lis net.Listener, advertise string) *endpoint {
	e := &endpoint{s: s, lis: lis, advertise: advertise}
	e.grpc = grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMsgSize),
		grpc.ChainUnaryInterceptor(s.calls.unary),
		grpc.ChainStreamInterceptor(s.calls.stream),
		grpc.MaxSendMsgSize(math.MaxInt32),
		// client-go and the PD client ping every 10s even without streams
		// (config TiKVClient.GrpcKeepAliveTime); gRPC's default policy (5
		// min) would answer with GOAWAY "too_many_pings".
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}),
	)
	pdpb.RegisterPDServer(e.grpc, &pdService{e: e})
	tikvpb.RegisterTikvServer(e.grpc, &tikvService{e: e})
	import_sstpb.RegisterImportSSTServer(e.grpc, &importService{e: e})
	etcdserverpb.RegisterKVServer(e.grpc, &etcdKV{e: e})
	etcdserverpb.RegisterClusterServer(e.grpc, &etcdCluster{e: e})
	healthpb.RegisterHealthServer(e.grpc, health.NewServer())
	return e
}

// Addrs returns the bound address of each listener, in configuration order
// (useful with port 0).
func (s *Server) Addrs() []string {
	out := make([]string, len(s.endpoints))
	for i, e := range s.endpoints {
		out[i] = e.lis.Addr().String()
	}
	return out
}

// Addr returns the first listener's bound address.
func (s *Server) Addr() string { return s.endpoints[0].lis.Addr().String() }

// ClusterID returns the PD cluster ID (stable across restarts).
func (s *Server) ClusterID() uint64 { return s.clusterID }

// RegionCount returns how many regions the cluster holds.
func (s *Server) RegionCount() int { return len(s.cluster.ScanRegions(nil, nil, 0)) }

// ImportMode reports the mode last set through ImportSST SwitchMode.
func (s *Server) ImportMode() bool {
	s.importMu.Lock()
	defer s.importMu.Unlock()
	return s.importMode
}

// Err returns a channel that receives a listener's serve error, if one
// fails while running.
func (s *Server) Err() <-chan error { return s.serveErr }

// Close stops every listener (cancelling open streams), saves the region
// layout and closes the store, releasing the directory.
func (s *Server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	for _, e := range s.endpoints {
		e.grpc.Stop()
	}
	s.serveWG.Wait()
	s.metaMu.Lock()
	s.meta = snapshotMeta(s.cluster, s.meta)
	err := saveMeta(s.metaPath, s.meta)
	s.metaMu.Unlock()
	if cerr := s.rpc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close store %s: %w", s.cfg.DataDir, cerr)
	}
	return err
}

func (s *Server) closeListeners() {
	for _, e := range s.endpoints {
		_ = e.lis.Close()
	}
}

// requestContext bounds one request's work inside the server.
func (s *Server) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.RequestTimeout)
}

// storeStats reports what PD's store statistics can say about this store.
func (s *Server) storeStats(storeID uint64) *pdpb.StoreStats {
	return &pdpb.StoreStats{StoreId: storeID, RegionCount: uint32(s.RegionCount()), StartTime: uint32(s.started.Unix())}
}

// Advertised returns the address each listener advertises, in
// configuration order.
func (s *Server) Advertised() []string {
	out := make([]string, len(s.endpoints))
	for i, e := range s.endpoints {
		out[i] = e.advertise
	}
	return out
}

// defaultAdvertise is the address advertised for a listener without one:
// the bound address, with an unspecified host (0.0.0.0, ::) replaced by
// loopback, since no client can dial the wildcard. Clients on other hosts
// need Listener.Advertise.
func defaultAdvertise(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
