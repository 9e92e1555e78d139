package cli

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v2"
)

// lightningConfig is the part of TiDB Lightning's configuration file
// (tidb-lightning.toml) that lightstream import honours. Other keys are
// reported as ignored; keys whose meaning it cannot honour are errors.
type lightningConfig struct {
	Lightning struct {
		// MaxError is `max-error = N` or `[lightning.max-error] type = N`.
		MaxError any `toml:"max-error"`
	} `toml:"lightning"`
	Mydumper struct {
		DataSourceDir string   `toml:"data-source-dir"`
		Filter        []string `toml:"filter"`
		NoSchema      bool     `toml:"no-schema"`
		CSV           struct {
			Separator         *string `toml:"separator"`
			Delimiter         *string `toml:"delimiter"`
			Terminator        *string `toml:"terminator"`
			Header            *bool   `toml:"header"`
			NotNull           *bool   `toml:"not-null"`
			Null              any     `toml:"null"` // a string or a list of strings
			BackslashEscape   *bool   `toml:"backslash-escape"`
			TrimLastSeparator *bool   `toml:"trim-last-separator"`
		} `toml:"csv"`
	} `toml:"mydumper"`
	TiDB struct {
		Host       string  `toml:"host"`
		Port       int     `toml:"port"`
		User       *string `toml:"user"`
		Password   *string `toml:"password"`
		StatusPort int     `toml:"status-port"`
		PDAddr     string  `toml:"pd-addr"`
		SQLMode    *string `toml:"sql-mode"`
	} `toml:"tidb"`
	TiKVImporter struct {
		Backend string `toml:"backend"`
		// DiskQuota is Lightning's ByteSize: bytes, or text such as "10GB"
		// (binary units, as Lightning reads them).
		DiskQuota any `toml:"disk-quota"`
	} `toml:"tikv-importer"`
	Security struct {
		CAPath   string `toml:"ca-path"`
		CertPath string `toml:"cert-path"`
		KeyPath  string `toml:"key-path"`
	} `toml:"security"`
	Routes []map[string]any `toml:"routes"`
}

// configLists are a configuration's list values, returned rather than
// set as flags: urfave/cli splits a list flag's values at commas, and a
// filter rule or a NULL marker may hold one.
type configLists struct {
	Filter []string
	Null   []string
}

// applyLightningConfig reads the Lightning configuration file at path and
// sets the import flags its keys stand for, wherever the command line did
// not set them (the command line wins); the filter and NULL markers come
// back in lists, for the caller to use where --filter and --csv-null were
// not given. warn receives the keys that have no meaning here
// (concurrency, checkpoint and importer tuning: lightstream has its own).
func applyLightningConfig(c *cli.Context, path string, warn func(string)) (configLists, error) {
	var (
		cfg   lightningConfig
		lists configLists
	)
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		return lists, fmt.Errorf("--config %s: %w", path, err)
	}
	var ignored []string
	for _, k := range md.Undecoded() {
		// A table's own key is listed with its sub-keys; only leaves matter.
		if md.Type(k...) != "Hash" {
			ignored = append(ignored, k.String())
		}
	}
	if len(ignored) > 0 {
		warn(fmt.Sprintf("--config %s: ignored (no equivalent in lightstream): %s", path, strings.Join(ignored, ", ")))
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("--config %s: %s", path, fmt.Sprintf(format, args...))
	}
	var routes []string
	for i, r := range cfg.Routes {
		str := func(k string) string { v, _ := r[k].(string); return v }
		for k := range r {
			switch k {
			case "schema-pattern", "table-pattern", "target-schema", "target-table":
			default:
				return lists, fail("routes[%d].%s is not supported (only schema-pattern, table-pattern, target-schema, target-table)", i, k)
			}
		}
		src, dst := str("schema-pattern"), str("target-schema")
		if t := str("table-pattern"); t != "" {
			src += "." + t
			if tt := str("target-table"); tt != "" {
				dst += "." + tt
			}
		}
		routes = append(routes, src+"="+dst)
	}
	if cfg.Mydumper.NoSchema {
		return lists, fail("mydumper.no-schema = true is not supported: lightstream creates the tables from the dump's schema files")
	}
	switch b := strings.ToLower(cfg.TiKVImporter.Backend); b {
	case "", "local":
	default:
		return lists, fail("tikv-importer.backend = %q: lightstream writes KV pairs as the local backend does, and has no other backend", cfg.TiKVImporter.Backend)
	}

	var sets []error
	set := func(name, value string) {
		if !c.IsSet(name) {
			sets = append(sets, c.Set(name, value))
		}
	}
	setBool := func(name string, v *bool) {
		if v != nil {
			set(name, strconv.FormatBool(*v))
		}
	}
	setString := func(name string, v *string) {
		if v != nil {
			set(name, *v)
		}
	}
	if d := cfg.Mydumper.DataSourceDir; d != "" {
		set("dump", strings.TrimPrefix(d, "file://"))
	}
	if !c.IsSet("route") {
		for _, r := range routes {
			sets = append(sets, c.Set("route", r))
		}
	}
	lists.Filter = cfg.Mydumper.Filter
	csv := &cfg.Mydumper.CSV
	setString("csv-separator", csv.Separator)
	setString("csv-delimiter", csv.Delimiter)
	setString("csv-terminator", csv.Terminator)
	setBool("csv-header", csv.Header)
	setBool("csv-not-null", csv.NotNull)
	setBool("csv-backslash-escape", csv.BackslashEscape)
	setBool("csv-trim-last-separator", csv.TrimLastSeparator)
	switch v := csv.Null.(type) {
	case nil:
	case string:
		lists.Null = []string{v}
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return lists, fail("mydumper.csv.null: %v is not a string", x)
			}
			lists.Null = append(lists.Null, s)
		}
	default:
		return lists, fail("mydumper.csv.null: want a string or a list of strings, got %v", v)
	}
	setString("sql-mode", cfg.TiDB.SQLMode)
	if cfg.TiDB.PDAddr != "" && cfg.TiDB.Host == "" {
		// Lightning's default: a config aimed at a cluster without a host
		// means the TiDB on this machine. Writing to that cluster's TiKV
		// with lightstream's own catalog instead would put data under
		// table IDs TiDB never gave out.
		cfg.TiDB.Host = "127.0.0.1"
	}
	if cfg.TiDB.Host != "" {
		port := cfg.TiDB.Port
		if port == 0 {
			port = 4000
		}
		set("tidb", net.JoinHostPort(cfg.TiDB.Host, strconv.Itoa(port)))
		if cfg.TiDB.StatusPort != 0 {
			set("tidb-status", net.JoinHostPort(cfg.TiDB.Host, strconv.Itoa(cfg.TiDB.StatusPort)))
		}
	}
	setString("tidb-user", cfg.TiDB.User)
	setString("tidb-password", cfg.TiDB.Password)
	if cfg.TiDB.PDAddr != "" {
		set("pd", cfg.TiDB.PDAddr)
	}
	if cfg.Security.CAPath != "" {
		set("ca", cfg.Security.CAPath)
	}
	if cfg.Security.CertPath != "" {
		set("cert", cfg.Security.CertPath)
	}
	if cfg.Security.KeyPath != "" {
		set("key", cfg.Security.KeyPath)
	}
	switch v := cfg.Lightning.MaxError.(type) {
	case nil:
	case int64:
		set("max-error", strconv.FormatInt(v, 10))
	case map[string]any:
		if n, ok := v["type"].(int64); ok {
			set("max-error", strconv.FormatInt(n, 10))
		}
	default:
		return lists, fail("lightning.max-error: want a number or a table with type = N, got %v", v)
	}
	if cfg.TiKVImporter.DiskQuota != nil {
		n, err := lightningByteSize(cfg.TiKVImporter.DiskQuota)
		if err != nil {
			return lists, fail("tikv-importer.disk-quota: %v", err)
		}
		set("disk-quota", strconv.FormatInt(n, 10))
	}
	if err := errors.Join(sets...); err != nil {
		return lists, fail("%v", err)
	}
	return lists, nil
}
