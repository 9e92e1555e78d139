package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// StoreConfig says which store an import writes to.
type StoreConfig struct {
	// PD are the PD endpoints (host:port or URLs) of a cluster or of
	// `lightstream store`. Empty: the embedded store under the work dir.
	PD []string
	// Security is the TLS material for PD and the stores (Lightning's
	// [security] ca-path, cert-path, key-path).
	Security store.Security
}

// External reports whether the store is reached through PD.
func (s StoreConfig) External() bool { return len(s.PD) > 0 }

// OpenStore opens the configured store: the cluster behind PD, or the
// embedded store under workDir.
func OpenStore(workDir string, s StoreConfig) (store.Store, error) {
	if s.External() {
		st, err := store.OpenCluster(s.PD, store.ClusterOptions{Security: s.Security})
		if err != nil {
			return nil, fmt.Errorf("open cluster at %s: %w", strings.Join(s.PD, ","), err)
		}
		return st, nil
	}
	st, err := store.OpenEmbedded(StoreDir(workDir))
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	return st, nil
}

// IngestOptions adjusts o for the store s: the embedded store keeps its
// bulk path (committed versions written directly, as Lightning's SST
// ingest does on a real cluster: client transactions into the mock store
// run at a tenth of the speed) unless transactions are asked for; a
// cluster defaults to physical ingest where it supports it.
func IngestOptions(s StoreConfig, o ingest.Options) ingest.Options {
	if o.Mode == "" {
		o.Mode = ingest.ModeAuto
	}
	if !s.External() && o.Mode != ingest.ModeTxn {
		o.Bulk = true
	}
	return o
}

// SpanChecksums says whether sorters should read the store's checksum of
// each partition right after its ingest (sorter.Config.SpanChecksums): on
// the embedded store, whose checksum the coordinator reads itself and
// whose reads are single-threaded, so that most of the read overlaps the
// import instead of following it.
func SpanChecksums(s StoreConfig) bool { return !s.External() }

// openRuntime connects to the broker and the store a work directory's
// import uses: the given Kafka cluster, or an embedded broker keeping its
// data under the work directory; the cluster in cfg.Store, or the embedded
// store. closeAll releases both.
func openRuntime(ctx context.Context, cfg Config) (kafkaio.Config, store.Store, func(), error) {
	kcfg := cfg.Kafka
	var b *broker.Broker
	if len(kcfg.Brokers) == 0 {
		var err error
		if b, err = broker.Start(ctx, broker.Config{DataDir: BrokerDir(cfg.WorkDir)}); err != nil {
			return kcfg, nil, nil, fmt.Errorf("start embedded broker: %w", err)
		}
		kcfg.Brokers = b.Addrs()
	}
	st, err := OpenStore(cfg.WorkDir, cfg.Store)
	if err != nil {
		if b != nil {
			b.Close()
		}
		return kcfg, nil, nil, err
	}
	return kcfg, st, func() {
		st.Close()
		if b != nil {
			b.Close()
		}
	}, nil
}
