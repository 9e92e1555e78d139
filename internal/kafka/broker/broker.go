// Package broker runs lightstream's embedded Kafka-protocol broker: a single
// kfake (github.com/twmb/franz-go/pkg/kfake) node listening on TCP, so every
// stage talks to it with the same kafka-go client code it uses against a real
// Kafka cluster.
//
// What persists with a DataDir (kfake persist.go): topic definitions and
// configs (topics.json, rewritten on every change), partition logs (raw
// record-batch segments plus indexes, appended on every produce and fsynced on
// segment roll and on Close, or on every batch with SyncWrites), consumer
// group state including committed offsets (groups.log, appended on every
// commit), producer ids and sequence windows, ACLs, SASL users, broker
// configs and quotas. An orderly Close writes a full snapshot; after a crash
// kfake replays the segments and logs and drops a torn trailing entry, so
// without SyncWrites the last batches acknowledged before the crash can be
// lost (the same trade real Kafka makes with its default flush settings).
//
// What does not persist: group membership and generations (members rejoin
// after a restart, as after a real broker failover) and fetch sessions.
// Committed offsets of empty groups expire after offsets.retention.minutes
// (7 days by default); topics honour retention.ms / retention.bytes and
// cleanup.policy=compact.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config configures the embedded broker.
type Config struct {
	// DataDir is where topics, logs and committed offsets persist; empty
	// keeps everything in memory (lost on Close).
	DataDir string
	// ListenAddr is the TCP host:port to listen on; default 127.0.0.1:0
	// (loopback, a free port).
	ListenAddr string
	// AdvertisedAddr is the host:port handed to clients in metadata and
	// coordinator responses; default the listen address. A port of 0 means
	// the port actually bound. When the listen host is unspecified
	// (0.0.0.0, ::) the default host is this machine's hostname, as Kafka
	// does for advertised.listeners.
	AdvertisedAddr string
	// DefaultPartitions is the partition count for topics created with
	// NumPartitions -1 or auto-created; default 8.
	DefaultPartitions int
	// AutoCreateTopics lets metadata requests create missing topics;
	// default false, lightstream creates its topics explicitly.
	AutoCreateTopics bool
	// SyncWrites fsyncs every produced batch; default false (fsync on
	// segment roll and Close, like Kafka's default flush policy).
	SyncWrites bool
	// BrokerConfigs are initial Kafka broker configs (message.max.bytes,
	// log.retention.ms, offsets.retention.minutes, ...), passed to kfake.
	BrokerConfigs map[string]string
	// Logger receives the broker's log lines (its handler's level filters
	// them: kfake logs every request at Info); nil discards them.
	Logger *slog.Logger
}

// validate fills defaults and rejects nonsense.
func (c *Config) validate() error {
	if c.ListenAddr == "" {
		c.ListenAddr = "127.0.0.1:0"
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return fmt.Errorf("broker config: ListenAddr %q: %w", c.ListenAddr, err)
	}
	if c.AdvertisedAddr != "" {
		h, p, err := net.SplitHostPort(c.AdvertisedAddr)
		if err != nil {
			return fmt.Errorf("broker config: AdvertisedAddr %q: %w", c.AdvertisedAddr, err)
		}
		if h == "" {
			return fmt.Errorf("broker config: AdvertisedAddr %q has no host", c.AdvertisedAddr)
		}
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("broker config: AdvertisedAddr %q: bad port", c.AdvertisedAddr)
		}
	}
	if c.DefaultPartitions == 0 {
		c.DefaultPartitions = 8
	}
	if c.DefaultPartitions < 0 {
		return fmt.Errorf("broker config: DefaultPartitions %d must be positive", c.DefaultPartitions)
	}
	return nil
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string // advertised host:port
	bound   string // listening host:port
	logger  *shutdownLogger

	closeOnce sync.Once
	closeErr  error
}

// Start starts a broker; ctx only bounds start-up (loading a large DataDir
// cannot be interrupted, but a cancelled ctx closes the broker afterwards
// and returns the context's error). The broker runs until Close.
func Start(ctx context.Context, cfg Config) (*Broker, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("broker: create data dir: %w", err)
		}
	}
	lg := &shutdownLogger{out: cfg.Logger}
	var advertised, bound string
	listen := func(network, _ string) (net.Listener, error) {
		// kfake always asks for 127.0.0.1:port; we listen where the
		// config says and report the advertised address as the
		// listener's Addr, which is what kfake puts into metadata.
		ln, err := net.Listen(network, cfg.ListenAddr)
		if err != nil {
			return nil, err
		}
		bound = ln.Addr().String()
		advertised, err = advertisedAddr(cfg.AdvertisedAddr, ln.Addr().(*net.TCPAddr))
		if err != nil {
			ln.Close()
			return nil, err
		}
		return &advertisedListener{Listener: ln, addr: hostPortAddr(advertised)}, nil
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(listen),
		kfake.ClusterID("lightstream"),
		kfake.DefaultNumPartitions(cfg.DefaultPartitions),
		kfake.WithLogger(lg),
	}
	if cfg.AutoCreateTopics {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
		if cfg.SyncWrites {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	if len(cfg.BrokerConfigs) > 0 {
		opts = append(opts, kfake.BrokerConfigs(cfg.BrokerConfigs))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("broker: start on %s (data dir %q): %w", cfg.ListenAddr, cfg.DataDir, err)
	}
	b := &Broker{cluster: c, addr: advertised, bound: bound, logger: lg}
	if err := ctx.Err(); err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return b, nil
}

// Addrs returns the advertised bootstrap addresses (one: the broker is a
// single node).
func (b *Broker) Addrs() []string { return []string{b.addr} }

// ListenAddrs returns the addresses actually bound, which differ from Addrs
// when an advertised address was configured.
func (b *Broker) ListenAddrs() []string { return []string{b.bound} }

// Close stops the broker; with a DataDir it first drains in-flight offset
// commits and writes and fsyncs the full state. It returns any error kfake
// reported while saving. Close is idempotent.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		b.logger.startCapture()
		b.cluster.Close()
		b.closeErr = b.logger.captured()
	})
	return b.closeErr
}

func advertisedAddr(configured string, bound *net.TCPAddr) (string, error) {
	port := strconv.Itoa(bound.Port)
	if configured != "" {
		h, p, _ := net.SplitHostPort(configured)
		if p == "0" {
			p = port
		}
		return net.JoinHostPort(h, p), nil
	}
	if bound.IP.IsUnspecified() {
		h, err := os.Hostname()
		if err != nil {
			return "", fmt.Errorf("broker: no AdvertisedAddr and hostname unknown: %w", err)
		}
		return net.JoinHostPort(h, port), nil
	}
	return net.JoinHostPort(bound.IP.String(), port), nil
}

// advertisedListener reports the advertised address as its Addr: kfake
// builds the broker host/port of metadata responses from Listener.Addr.
type advertisedListener struct {
	net.Listener
	addr net.Addr
}

func (l *advertisedListener) Addr() net.Addr { return l.addr }

type hostPortAddr string

func (hostPortAddr) Network() string  { return "tcp" }
func (a hostPortAddr) String() string { return string(a) }
