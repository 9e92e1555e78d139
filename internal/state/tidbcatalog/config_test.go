package tidbcatalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	c := Config{Addr: "tidb.example:4000"}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.Net != "tcp" || c.User != "root" || c.StatusAddr != "tidb.example:10080" || c.StatusWait != time.Minute ||
		c.SchedulerPause != 5*time.Minute || c.SQLMode == "" || c.Logger == nil {
		t.Fatalf("defaults: %+v", c)
	}
	// A socket has no host: the status API is on loopback.
	u := Config{Addr: "/run/tidb.sock", Net: "unix"}
	if err := u.validate(); err != nil || u.StatusAddr != "127.0.0.1:10080" {
		t.Fatalf("unix socket: %v %q", err, u.StatusAddr)
	}
	// An address without a host keeps loopback too.
	l := Config{Addr: ":4000"}
	if err := l.validate(); err != nil || l.StatusAddr != "127.0.0.1:10080" {
		t.Fatalf(":4000: %v %q", err, l.StatusAddr)
	}
	for _, bad := range []struct {
		c    Config
		want string
	}{
		{Config{}, "no address"},
		{Config{Addr: "h:4000", TLS: "always"}, `TLS "always"`},
		{Config{Addr: "no-port"}, `address "no-port"`},
		{Config{Addr: "h:4000", SchedulerPause: time.Second}, "shorter than 3s"},
	} {
		if err := bad.c.validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want %q", bad.c, err, bad.want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	for _, mode := range []string{"", "false"} {
		c := Config{Addr: "h:4000", TLS: mode}
		if tc, err := c.tlsConfig(); err != nil || tc != nil {
			t.Errorf("TLS %q: %v %v, want plain", mode, tc, err)
		}
	}
	for _, mode := range []string{"preferred", "skip-verify"} {
		c := Config{Addr: "h:4000", TLS: mode}
		if tc, err := c.tlsConfig(); err != nil || tc == nil || !tc.InsecureSkipVerify {
			t.Errorf("TLS %q: %+v %v", mode, tc, err)
		}
	}
	c := Config{Addr: "tidb.example:4000", TLS: "true"}
	tc, err := c.tlsConfig()
	if err != nil || tc.ServerName != "tidb.example" || tc.InsecureSkipVerify {
		t.Fatalf("verified TLS: %+v %v", tc, err)
	}
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		c    Config
		want string
	}{
		{Config{Addr: "h:4000", TLS: "true", CAPath: filepath.Join(dir, "missing.pem")}, "CA"},
		{Config{Addr: "h:4000", TLS: "true", CAPath: notPEM}, "holds no PEM certificate"},
		{Config{Addr: "h:4000", TLS: "true", CertPath: notPEM}, "client certificate"},
	} {
		if _, err := bad.c.tlsConfig(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want %q", bad.c, err, bad.want)
		}
	}
}

func TestHTTPBase(t *testing.T) {
	for _, c := range []struct {
		tls, addr, want string
	}{
		{"", "h:10080", "http://h:10080"},
		{"preferred", "h:10080/", "http://h:10080"},
		{"true", "h:10080", "https://h:10080"},
		{"skip-verify", "h:10080", "https://h:10080"},
		{"true", "http://proxy:80/tidb/", "http://proxy:80/tidb"},
	} {
		cfg := Config{TLS: c.tls}
		if got := cfg.httpBase(c.addr); got != c.want {
			t.Errorf("TLS %q, %q: %q, want %q", c.tls, c.addr, got, c.want)
		}
	}
}
