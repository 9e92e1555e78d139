package store

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/pingcap/kvproto/pkg/import_sstpb"
	"github.com/tikv/client-go/v2/config"
	"github.com/tikv/client-go/v2/tikv"
	"github.com/tikv/client-go/v2/tikvrpc"
	pd "github.com/tikv/pd/client"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

// clusterDialTimeout bounds connecting to PD at open and to a store for an
// ImportSST call.
const clusterDialTimeout = 10 * time.Second

// Security is the TLS material for a cluster's PD and TiKV endpoints (PEM
// file paths, as TiDB's [security] cluster-ssl-* settings). All empty:
// plain connections.
type Security struct {
	// CAPath is the CA certificate file.
	CAPath string
	// CertPath is the client certificate file.
	CertPath string
	// KeyPath is the client key file.
	KeyPath string
}

func (s Security) clientGo() config.Security {
	return config.NewSecurity(s.CAPath, s.CertPath, s.KeyPath, nil)
}

// ClusterOptions tunes OpenCluster.
type ClusterOptions struct {
	// Security enables TLS; zero value: plain connections.
	Security Security
	// Txn tunes WriteBatch transactions; zero value: plain 2PC.
	Txn TxnOptions
	// RewriteAddr, when set, maps every host:port the cluster advertises
	// (PD member URLs, TiKV store addresses) to the one to dial: for a
	// client outside the network the cluster advertises into (a container
	// alias the host cannot resolve). nil: dial as advertised.
	RewriteAddr func(addr string) string
}

// Cluster is a store reached over the network through PD: a real TiDB
// cluster's PD and TiKV, or `lightstream store`. Transactions, scans and
// splits go through client-go's KVStore exactly as TiDB's own; import mode
// and compaction go to every store's ImportSST service.
type Cluster struct {
	kvStore
	pd   pd.Client
	opts ClusterOptions

	connMu sync.Mutex
	conns  map[string]*grpc.ClientConn // by store address, for BulkWrite
}

var _ Store = (*Cluster)(nil)

// OpenCluster connects to the cluster whose PD answers at pdAddrs
// (host:port, or URLs with http/https) with client-go's PD client and
// tikv.NewKVStore, the same construction as txnkv.NewClient.
func OpenCluster(pdAddrs []string, opts ClusterOptions) (*Cluster, error) {
	if len(pdAddrs) == 0 {
		return nil, fmt.Errorf("open cluster: no PD address")
	}
	sec := opts.Security.clientGo()
	tlsConfig, err := sec.ToTLSConfig()
	if err != nil {
		return nil, fmt.Errorf("open cluster: TLS: %w", err)
	}
	cfg := config.GetGlobalConfig()
	dialOpts := []grpc.DialOption{grpc.WithKeepaliveParams(keepalive.ClientParameters{
		Time:    time.Duration(cfg.TiKVClient.GrpcKeepAliveTime) * time.Second,
		Timeout: cfg.TiKVClient.GetGrpcKeepAliveTimeout(),
	})}
	if opts.RewriteAddr != nil {
		dialOpts = append(dialOpts, grpc.WithContextDialer(rewriteDialer(opts.RewriteAddr)))
	}
	pdCli, err := pd.NewClient(pdAddrs, pd.SecurityOption{
		CAPath: opts.Security.CAPath, CertPath: opts.Security.CertPath, KeyPath: opts.Security.KeyPath,
	}, pd.WithGRPCDialOptions(dialOpts...), pd.WithCustomTimeoutOption(clusterDialTimeout))
	if err != nil {
		return nil, fmt.Errorf("open cluster %s: PD client: %w", strings.Join(pdAddrs, ","), err)
	}
	codecCli := tikv.NewCodecPDClient(tikv.ModeTxn, pdCli)
	var spkv tikv.SafePointKV
	if opts.RewriteAddr == nil {
		spkv, err = tikv.NewEtcdSafePointKV(pdAddrs, tlsConfig)
	} else {
		spkv, err = newRewriteSafePointKV(pdAddrs, tlsConfig, opts.RewriteAddr)
	}
	if err != nil {
		pdCli.Close()
		return nil, fmt.Errorf("open cluster %s: safe point reader: %w", strings.Join(pdAddrs, ","), err)
	}
	var client tikv.Client = tikv.NewRPCClient(tikv.WithSecurity(sec), tikv.WithCodec(codecCli.GetCodec()))
	if opts.RewriteAddr != nil {
		client = rewriteClient{Client: client, rewrite: opts.RewriteAddr}
	}
	uuid := fmt.Sprintf("tikv-%d", codecCli.GetClusterID(context.Background()))
	kv, err := tikv.NewKVStore(uuid, codecCli, spkv, client)
	if err != nil {
		_ = client.Close()
		_ = spkv.Close()
		pdCli.Close()
		return nil, fmt.Errorf("open cluster %s: %w", strings.Join(pdAddrs, ","), err)
	}
	return &Cluster{kvStore: kvStore{kv: kv, opts: opts.Txn}, pd: pdCli, opts: opts}, nil
}

// ClusterID returns PD's cluster ID.
func (c *Cluster) ClusterID() uint64 { return c.kv.GetPDClient().GetClusterID(context.Background()) }

// RegionCount returns how many regions PD reports over the whole key
// space (for tests and reports; it pages through region metadata).
func (c *Cluster) RegionCount(ctx context.Context) (int, error) {
	if err := c.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	var start []byte // PD's encoded keys: no codec needed to page through
	for {
		rs, err := c.pd.ScanRegions(ctx, start, nil, 1024)
		if err != nil {
			return 0, fmt.Errorf("scan regions from %x: %w", start, err)
		}
		if len(rs) == 0 {
			return n, nil
		}
		n += len(rs)
		start = rs[len(rs)-1].Meta.GetEndKey()
		if len(start) == 0 {
			return n, nil
		}
	}
}

// SwitchMode implements Store through ImportSST SwitchMode on every store,
// as Lightning's local backend does (lightning/backend/local tikv_mode.go).
func (c *Cluster) SwitchMode(ctx context.Context, importMode bool) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	mode := import_sstpb.SwitchMode_Normal
	if importMode {
		mode = import_sstpb.SwitchMode_Import
	}
	return c.eachStore(ctx, func(ctx context.Context, cli import_sstpb.ImportSSTClient) error {
		_, err := cli.SwitchMode(ctx, &import_sstpb.SwitchModeRequest{Mode: mode})
		return err
	}, "switch to %s mode", mode)
}

// Compact implements Store through ImportSST Compact on every store.
func (c *Cluster) Compact(ctx context.Context, start, end []byte) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	req := &import_sstpb.CompactRequest{OutputLevel: -1}
	if len(start) > 0 || len(end) > 0 {
		req.Range = &import_sstpb.Range{Start: start, End: end}
	}
	return c.eachStore(ctx, func(ctx context.Context, cli import_sstpb.ImportSSTClient) error {
		_, err := cli.Compact(ctx, req)
		return err
	}, "compact [%x, %x)", start, end)
}

// eachStore calls fn with an ImportSST client for every live store, in
// parallel.
func (c *Cluster) eachStore(ctx context.Context, fn func(context.Context, import_sstpb.ImportSSTClient) error, what string, args ...any) error {
	stores, err := c.pd.GetAllStores(ctx, pd.WithExcludeTombstone())
	if err != nil {
		return fmt.Errorf("%s: list stores: %w", fmt.Sprintf(what, args...), err)
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, st := range stores {
		addr := st.GetAddress()
		g.Go(func() error {
			conn, err := c.dialStore(addr)
			if err != nil {
				return fmt.Errorf("%s: store %d at %s: %w", fmt.Sprintf(what, args...), st.GetId(), addr, err)
			}
			defer conn.Close()
			cctx, cancel := context.WithTimeout(gctx, clusterDialTimeout)
			defer cancel()
			if err := fn(cctx, import_sstpb.NewImportSSTClient(conn)); err != nil {
				return fmt.Errorf("%s: store %d at %s: %w", fmt.Sprintf(what, args...), st.GetId(), addr, err)
			}
			return nil
		})
	}
	return g.Wait()
}

func (c *Cluster) dialStore(addr string) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	sec := c.opts.Security.clientGo()
	tlsConfig, err := sec.ToTLSConfig()
	if err != nil {
		return nil, err
	}
	if tlsConfig != nil {
		creds = credentials.NewTLS(tlsConfig)
	}
	if c.opts.RewriteAddr != nil {
		addr = c.opts.RewriteAddr(addr)
	}
	return grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
}

// Close implements Store: it stops client-go's background work and closes
// the PD, TiKV and safe-point connections.
func (c *Cluster) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.connMu.Lock()
	for _, conn := range c.conns {
		_ = conn.Close()
	}
	c.conns = nil
	c.connMu.Unlock()
	if err := c.kv.Close(); err != nil {
		return fmt.Errorf("close cluster: %w", err)
	}
	return nil
}

func rewriteDialer(rewrite func(string) string) func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", rewrite(addr))
	}
}

// rewriteClient sends TiKV requests to the rewritten store address.
type rewriteClient struct {
	tikv.Client
	rewrite func(string) string
}

func (r rewriteClient) SendRequest(ctx context.Context, addr string, req *tikvrpc.Request, timeout time.Duration) (*tikvrpc.Response, error) {
	return r.Client.SendRequest(ctx, r.rewrite(addr), req, timeout)
}

func (r rewriteClient) CloseAddr(addr string) error { return r.Client.CloseAddr(r.rewrite(addr)) }
