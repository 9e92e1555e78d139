// Package kafkaio is lightstream's one Kafka client boundary: its own
// Message, Writer, Reader, ConsumerGroup, Compression and GroupBalancer
// types, client configuration (TLS, SASL), topic and group management, the
// send queue, topic naming and the retriable-error classifier. kafka-go
// (github.com/segmentio/kafka-go) stays behind it, as franz-go's kgo keeps
// its client behind one type: no exported name of this package mentions a
// kafka-go type, and the rest of the project (stages, the application
// layer, member, topiclog) imports this package, never kafka-go
// (tests/architecture keeps kafka-go inside internal/kafka).
package kafkaio

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// SASL mechanism names accepted in SASLConfig.Mechanism.
const (
	SASLPlain       = "plain"
	SASLScramSHA256 = "scram-sha-256"
	SASLScramSHA512 = "scram-sha-512"
)

// Config is how a stage reaches Kafka (the embedded broker or a real
// cluster).
type Config struct {
	// Brokers are bootstrap host:port addresses; required.
	Brokers []string
	// ClientID is sent with every request; default "lightstream".
	ClientID string
	// DialTimeout bounds connecting (including TLS and SASL); default 10s.
	DialTimeout time.Duration
	// SASL authenticates connections when Mechanism is set.
	SASL SASLConfig
	// TLS encrypts connections when Enable is set (or any file is given).
	TLS TLSConfig
}

// SASLConfig selects SASL authentication.
type SASLConfig struct {
	// Mechanism is "", "plain", "scram-sha-256" or "scram-sha-512"
	// (case-insensitive); "" disables SASL.
	Mechanism string
	// User and Password are the credentials; required with a mechanism.
	User     string
	Password string
}

// TLSConfig selects TLS.
type TLSConfig struct {
	// Enable turns TLS on with the system roots; implied by CAFile,
	// CertFile or InsecureSkipVerify.
	Enable bool
	// CAFile is a PEM bundle of trusted roots; default the system pool.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and key for mutual
	// TLS; both or neither.
	CertFile string
	KeyFile  string
	// ServerName overrides the name verified in the server certificate;
	// default the host dialled.
	ServerName string
	// InsecureSkipVerify disables certificate verification (tests only).
	InsecureSkipVerify bool
}

// Validate fills defaults and rejects an unusable configuration, naming the
// field. Every constructor in this package calls it on its own copy.
func (c *Config) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka config: Brokers is empty")
	}
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return fmt.Errorf("kafka config: Brokers entry %q: %w", b, err)
		}
	}
	if c.ClientID == "" {
		c.ClientID = "lightstream"
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 10 * time.Second
	}
	if c.DialTimeout < 0 {
		return fmt.Errorf("kafka config: DialTimeout %v is negative", c.DialTimeout)
	}
	c.SASL.Mechanism = strings.ToLower(c.SASL.Mechanism)
	switch c.SASL.Mechanism {
	case "":
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if c.SASL.User == "" {
			return fmt.Errorf("kafka config: SASL mechanism %s needs a User", c.SASL.Mechanism)
		}
	default:
		return fmt.Errorf("kafka config: SASL Mechanism %q: want plain, scram-sha-256 or scram-sha-512", c.SASL.Mechanism)
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return errors.New("kafka config: TLS CertFile and KeyFile must be given together")
	}
	if c.TLS.CAFile != "" || c.TLS.CertFile != "" || c.TLS.InsecureSkipVerify || c.TLS.ServerName != "" {
		c.TLS.Enable = true
	}
	return nil
}

// validated returns a validated copy of c.
func (c Config) validated() (Config, error) {
	c.Brokers = append([]string(nil), c.Brokers...)
	return c, c.Validate()
}

func (c *Config) tlsConfig() (*tls.Config, error) {
	if !c.TLS.Enable {
		return nil, nil
	}
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         c.TLS.ServerName,
		InsecureSkipVerify: c.TLS.InsecureSkipVerify, //nolint:gosec // explicit opt-in for tests
	}
	if c.TLS.CAFile != "" {
		pem, err := os.ReadFile(c.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka config: TLS CAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka config: TLS CAFile %s holds no PEM certificate", c.TLS.CAFile)
		}
		tc.RootCAs = pool
	}
	if c.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.TLS.CertFile, c.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka config: TLS CertFile/KeyFile: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func (c *Config) saslMechanism() (sasl.Mechanism, error) {
	switch c.SASL.Mechanism {
	case "":
		return nil, nil
	case SASLPlain:
		return plain.Mechanism{Username: c.SASL.User, Password: c.SASL.Password}, nil
	case SASLScramSHA256, SASLScramSHA512:
		algo := scram.SHA256
		if c.SASL.Mechanism == SASLScramSHA512 {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, c.SASL.User, c.SASL.Password)
		if err != nil {
			return nil, fmt.Errorf("kafka config: SASL %s: %w", c.SASL.Mechanism, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("kafka config: SASL Mechanism %q unknown", c.SASL.Mechanism)
}

// transport builds the kafka-go transport (used by Writer and Client) from
// the configuration. Close its idle connections when done with it.
func (c Config) transport() (*kafka.Transport, error) {
	v, err := c.validated()
	if err != nil {
		return nil, err
	}
	tc, err := v.tlsConfig()
	if err != nil {
		return nil, err
	}
	mech, err := v.saslMechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Transport{
		Dial:        (&net.Dialer{Timeout: v.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		DialTimeout: v.DialTimeout,
		ClientID:    v.ClientID,
		TLS:         tc,
		SASL:        mech,
		// Topics we create must become visible quickly to writers.
		MetadataTTL: 2 * time.Second,
	}, nil
}

// dialer builds the kafka-go dialer (used by Reader) from the configuration.
func (c Config) dialer() (*kafka.Dialer, error) {
	v, err := c.validated()
	if err != nil {
		return nil, err
	}
	tc, err := v.tlsConfig()
	if err != nil {
		return nil, err
	}
	mech, err := v.saslMechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Dialer{
		ClientID:      v.ClientID,
		Timeout:       v.DialTimeout,
		DualStack:     true,
		KeepAlive:     30 * time.Second,
		TLS:           tc,
		SASLMechanism: mech,
	}, nil
}

// client returns a kafka-go admin client and the transport to release.
func (c Config) client() (*kafka.Client, *kafka.Transport, error) {
	tr, err := c.transport()
	if err != nil {
		return nil, nil, err
	}
	return &kafka.Client{Addr: kafka.TCP(c.Brokers...), Transport: tr, Timeout: 30 * time.Second}, tr, nil
}
