package tidbcatalog

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
)

// DefaultStatusPort is TiDB's default status (HTTP API) port.
const DefaultStatusPort = "10080"

// Config says how to reach TiDB.
type Config struct {
	// Addr is TiDB's MySQL-protocol address: host:port (Net "tcp", the
	// default) or a socket path (Net "unix"). Required.
	Addr string
	Net  string
	// User (default "root") and Password log in.
	User     string
	Password string
	// TLS: "" or "false" plain; "preferred" TLS when the server offers it;
	// "skip-verify" TLS without certificate checks; "true" verified TLS,
	// with CAPath, CertPath and KeyPath (PEM files) when given. The status
	// API is reached over https when TLS is "true" or "skip-verify".
	TLS                       string
	CAPath, CertPath, KeyPath string
	// StatusAddr is the status API: host:port or a base URL (default: the
	// host of Addr with port 10080).
	StatusAddr string
	// StatusWait is how long a table the status API does not show yet is
	// asked for again (default 1m): the status port of another TiDB
	// instance learns of a new table when its schema lease (45s by default)
	// runs out.
	StatusWait time.Duration
	// PDAddrs are PD endpoints (host:port or URLs) whose HTTP API pauses
	// the schedulers during the import; none: schedulers are not paused.
	PDAddrs []string
	// SchedulerPause is how long one pause lasts in PD; the pause is
	// renewed every third of it until the import ends (default 5m, BR's
	// pauseTimeout), so a crashed importer leaves PD paused for at most
	// this long.
	SchedulerPause time.Duration
	// SQLMode is the session sql_mode DDL runs with: the dump's (default:
	// the import's value-conversion mode, TiDB Lightning's default sql-mode).
	SQLMode string
	// HTTP is the client for the status and PD APIs (default: one with a
	// 30s timeout and this config's TLS).
	HTTP *http.Client
	// Logger receives the catalog's log (nil: slog.Default()); records
	// carry component=tidb-catalog.
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.Addr == "" {
		return errors.New("tidb catalog: no address (--tidb)")
	}
	if c.Net == "" {
		c.Net = "tcp"
	}
	if c.User == "" {
		c.User = "root"
	}
	switch c.TLS {
	case "", "false", "preferred", "skip-verify", "true":
	default:
		return fmt.Errorf("tidb catalog: TLS %q: want false, preferred, skip-verify or true", c.TLS)
	}
	if c.StatusAddr == "" {
		host := "127.0.0.1"
		if c.Net == "tcp" {
			h, _, err := net.SplitHostPort(c.Addr)
			if err != nil {
				return fmt.Errorf("tidb catalog: address %q: %w", c.Addr, err)
			}
			if h != "" {
				host = h
			}
		}
		c.StatusAddr = net.JoinHostPort(host, DefaultStatusPort)
	}
	if c.StatusWait <= 0 {
		c.StatusWait = time.Minute
	}
	if c.SchedulerPause <= 0 {
		c.SchedulerPause = 5 * time.Minute
	}
	if c.SchedulerPause < 3*time.Second {
		return fmt.Errorf("tidb catalog: scheduler pause %v is shorter than 3s", c.SchedulerPause)
	}
	if c.SQLMode == "" {
		c.SQLMode = sqlmode.DefaultText
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("component", "tidb-catalog")
	return nil
}

// tlsConfig builds the client TLS settings (nil: plain).
func (c *Config) tlsConfig() (*tls.Config, error) {
	switch c.TLS {
	case "", "false":
		return nil, nil
	case "preferred", "skip-verify":
		return &tls.Config{InsecureSkipVerify: true}, nil //nolint:gosec // the user asked for it
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		host = c.Addr
	}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.CAPath != "" {
		pem, err := os.ReadFile(c.CAPath)
		if err != nil {
			return nil, fmt.Errorf("tidb catalog: CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tidb catalog: CA %s holds no PEM certificate", c.CAPath)
		}
		tc.RootCAs = pool
	}
	if c.CertPath != "" || c.KeyPath != "" {
		cert, err := tls.LoadX509KeyPair(c.CertPath, c.KeyPath)
		if err != nil {
			return nil, fmt.Errorf("tidb catalog: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// httpBase turns host:port or a URL into a base URL without a trailing
// slash.
func (c *Config) httpBase(addr string) string {
	addr = strings.TrimRight(addr, "/")
	if strings.HasPrefix(addr, "http://") || strings.HasPrefix(addr, "https://") {
		return addr
	}
	if c.TLS == "true" || c.TLS == "skip-verify" {
		return "https://" + addr
	}
	return "http://" + addr
}

var tlsConfigSeq atomic.Int64

// Open connects to TiDB's MySQL protocol and returns the catalog; it
// fails early when the server does not answer.
func Open(ctx context.Context, cfg Config) (*TiDB, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.Net, mc.Addr = cfg.User, cfg.Password, cfg.Net, cfg.Addr
	// The fallback path sends a schema file the parser cannot read as it
	// is, several statements at once.
	mc.MultiStatements = true
	mc.Timeout = 10 * time.Second
	switch {
	case cfg.TLS == "preferred":
		mc.TLSConfig = "preferred"
	case tc != nil:
		name := fmt.Sprintf("lightstream-%d", tlsConfigSeq.Add(1))
		if err := mysql.RegisterTLSConfig(name, tc); err != nil {
			return nil, fmt.Errorf("tidb catalog: %w", err)
		}
		mc.TLSConfig = name
	}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("tidb catalog: %w", err)
	}
	db := sql.OpenDB(conn)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("tidb catalog: connect to %s: %w", cfg.Addr, err)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc, Proxy: http.ProxyFromEnvironment}}
	}
	return New(cfg, NewDB(db))
}
