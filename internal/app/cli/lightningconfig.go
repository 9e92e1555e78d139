package cli

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/source/dump"
)

// ErrConfig: the Lightning configuration file has a key that is not
// Lightning's, or a value lightstream cannot honour.
var ErrConfig = errors.New("invalid configuration file")

// lightningConfig is the part of TiDB Lightning's configuration file
// (tidb-lightning.toml) that lightstream import honours or checks. Every
// key of Lightning is known (lightningKeys): the others are errors, and
// known keys with no effect here are reported with why.
type lightningConfig struct {
	Lightning struct {
		// MaxError is `max-error = N` or `[lightning.max-error] type = N`.
		MaxError          any     `toml:"max-error"`
		ServerMode        bool    `toml:"server-mode"`
		CheckRequirements *bool   `toml:"check-requirements"`
		Level             *string `toml:"level"`
		File              *string `toml:"file"`
		Format            *string `toml:"format"`
		StatusAddr        *string `toml:"status-addr"`
		PProfPort         int     `toml:"pprof-port"`
	} `toml:"lightning"`
	Mydumper struct {
		DataSourceDir          string           `toml:"data-source-dir"`
		Filter                 []string         `toml:"filter"`
		NoSchema               bool             `toml:"no-schema"`
		CaseSensitive          *bool            `toml:"case-sensitive"`
		CharacterSet           *string          `toml:"character-set"`
		DataCharacterSet       *string          `toml:"data-character-set"`
		DataInvalidCharReplace *string          `toml:"data-invalid-char-replace"`
		DefaultFileRules       bool             `toml:"default-file-rules"`
		MaxRegionSize          any              `toml:"max-region-size"`
		Files                  []dump.FileRule  `toml:"files"`
		IgnoreDataColumns      []map[string]any `toml:"ignore-data-columns"`
		IgnoreColumns          []map[string]any `toml:"ignore-columns"`
		CSV                    struct {
			Separator         *string `toml:"separator"`
			Delimiter         *string `toml:"delimiter"`
			Terminator        *string `toml:"terminator"`
			Header            *bool   `toml:"header"`
			HeaderSchemaMatch *bool   `toml:"header-schema-match"`
			NotNull           *bool   `toml:"not-null"`
			Null              any     `toml:"null"` // a string or a list of strings
			BackslashEscape   *bool   `toml:"backslash-escape"`
			EscapedBy         *string `toml:"escaped-by"`
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
		TLS        string  `toml:"tls"`
	} `toml:"tidb"`
	TiKVImporter struct {
		Backend             string  `toml:"backend"`
		SortedKVDir         *string `toml:"sorted-kv-dir"`
		KeyspaceName        string  `toml:"keyspace-name"`
		DuplicateResolution string  `toml:"duplicate-resolution"`
		OnDuplicate         string  `toml:"on-duplicate"`
		// ParallelImport (IncrementalImport before v6) lets Lightning
		// import into tables that hold rows (it skips the empty-table
		// pre-check and verifies against the table's checksum before the
		// import): --incremental.
		ParallelImport    *bool `toml:"parallel-import"`
		IncrementalImport *bool `toml:"incremental-import"`
		// DiskQuota is Lightning's ByteSize: bytes, or text such as "10GB"
		// (binary units, as Lightning reads them).
		DiskQuota any `toml:"disk-quota"`
		// The tidb backend's statement bounds (a ByteSize; rows).
		LogicalImportBatchSize any `toml:"logical-import-batch-size"`
		LogicalImportBatchRows int `toml:"logical-import-batch-rows"`
	} `toml:"tikv-importer"`
	PostRestore struct {
		Checksum any `toml:"checksum"`
	} `toml:"post-restore"`
	Conflict struct {
		Strategy      string `toml:"strategy"`
		Threshold     *int64 `toml:"threshold"`
		MaxRecordRows *int64 `toml:"max-record-rows"`
	} `toml:"conflict"`
	Security struct {
		CAPath   string `toml:"ca-path"`
		CertPath string `toml:"cert-path"`
		KeyPath  string `toml:"key-path"`
	} `toml:"security"`
	Routes []map[string]any `toml:"routes"`
	BWList struct {
		DoDBs        []string    `toml:"do-dbs"`
		IgnoreDBs    []string    `toml:"ignore-dbs"`
		DoTables     []bwTableKV `toml:"do-tables"`
		IgnoreTables []bwTableKV `toml:"ignore-tables"`
	} `toml:"black-white-list"`
}

type bwTableKV struct {
	DB    string `toml:"db-name"`
	Table string `toml:"tbl-name"`
}

// configLists are what a configuration says that is not a flag: list
// values (urfave/cli splits a list flag's values at commas, and a filter
// rule or a NULL marker may hold one), the [[mydumper.files]] rules and
// the [black-white-list].
type configLists struct {
	Filter []string
	Null   []string
	// Notes are for the log (slog), once it is set up.
	Notes            []string
	FileRules        []dump.FileRule
	DefaultFileRules bool
	BWList           dump.BWList
}

// applyLightningConfig reads the Lightning configuration file at path and
// sets the import flags its keys stand for, wherever the command line did
// not set them (the command line wins, for every key); the lists, file
// rules and [black-white-list] come back for the caller. A key Lightning
// does not know is an error (all of them named at once); warn receives
// the known keys that have no effect here, with why.
func applyLightningConfig(c *cli.Context, path string, warn func(string)) (configLists, error) {
	var (
		cfg   lightningConfig
		lists configLists
	)
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		return lists, fmt.Errorf("--config %s: %w", path, err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("--config %s: %w: %s", path, ErrConfig, fmt.Sprintf(format, args...))
	}
	unknown, noEffect := classifyKeys(md)
	if len(unknown) > 0 {
		return lists, fail("unknown configuration options (not TiDB Lightning's): %s", strings.Join(unknown, ", "))
	}
	if len(noEffect) > 0 {
		warn(fmt.Sprintf("--config %s: no effect in lightstream: %s", path, strings.Join(noEffect, "; ")))
	}
	if err := checkRefused(c, &cfg, fail); err != nil {
		return lists, err
	}
	if v, ok := cfg.PostRestore.Checksum.(string); (ok && (strings.EqualFold(v, "off") || strings.EqualFold(v, "false"))) || cfg.PostRestore.Checksum == false {
		warn(fmt.Sprintf("--config %s: post-restore.checksum = off has no effect: lightstream always compares every table's checksum", path))
	}
	if b := strings.ToLower(cfg.TiKVImporter.Backend); b == "importer" && !c.IsSet("backend") {
		// Lightning's former physical path (tikv-importer): what its local
		// backend does now, and what lightstream does.
		lists.Notes = append(lists.Notes, `tikv-importer.backend = "importer" is TiDB Lightning's former name of the physical import: imported as backend = "local"`)
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
	if len(cfg.Mydumper.Files) > 0 && (len(cfg.Routes) > 0 || c.IsSet("route")) {
		// Lightning's loader refuses the pair.
		return lists, fail("table route is deprecated, can't config both [routes] (--route) and [mydumper.files]")
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
	lists.FileRules, lists.DefaultFileRules = cfg.Mydumper.Files, cfg.Mydumper.DefaultFileRules
	lists.BWList = dump.BWList{DoDBs: cfg.BWList.DoDBs, IgnoreDBs: cfg.BWList.IgnoreDBs}
	for _, t := range cfg.BWList.DoTables {
		lists.BWList.DoTables = append(lists.BWList.DoTables, dump.BWTable{DB: t.DB, Table: t.Table})
	}
	for _, t := range cfg.BWList.IgnoreTables {
		lists.BWList.IgnoreTables = append(lists.BWList.IgnoreTables, dump.BWTable{DB: t.DB, Table: t.Table})
	}
	if !lists.BWList.Empty() {
		lists.Notes = append(lists.Notes, "the config `black-white-list` has been deprecated, please replace with `mydumper.filter`")
		// Lightning's Adjust: the legacy list and a filter (from the file,
		// or -f, which replaces the file's) cannot be both given.
		if (lists.Filter != nil && !slices.Equal(lists.Filter, dump.DefaultFilterRules)) ||
			(filterGiven(c) && !slices.Equal(c.StringSlice("filter"), dump.DefaultFilterRules)) {
			return lists, fail("`mydumper.filter` (or -f) and `black-white-list` cannot be simultaneously defined")
		}
	}
	if b := strings.ToLower(cfg.TiKVImporter.Backend); b != "" {
		if b == "importer" {
			b = "local"
		}
		set("backend", b)
	}
	setString("sorted-kv-dir", cfg.TiKVImporter.SortedKVDir)
	if err := lightningConflict(&cfg, set, fail); err != nil {
		return lists, err
	}
	inc := cfg.TiKVImporter.ParallelImport
	if old := cfg.TiKVImporter.IncrementalImport; old != nil && (inc == nil || *old) {
		inc = old
	}
	setBool("incremental", inc)
	app := &cfg.Lightning
	setBool("check-requirements", app.CheckRequirements)
	setString("log-level", app.Level)
	setString("log-file", app.File)
	setString("log-format", app.Format)
	setString("status-addr", app.StatusAddr)
	if app.StatusAddr == nil && app.PProfPort != 0 {
		// Lightning's legacy alias of status-addr.
		set("status-addr", ":"+strconv.Itoa(app.PProfPort))
	}
	setBool("case-sensitive", cfg.Mydumper.CaseSensitive)
	setString("character-set", cfg.Mydumper.CharacterSet)
	setString("data-character-set", cfg.Mydumper.DataCharacterSet)
	setString("data-invalid-char-replace", cfg.Mydumper.DataInvalidCharReplace)
	switch v := cfg.Mydumper.MaxRegionSize.(type) {
	case nil:
	case int64:
		// Lightning's region is a chunk: the unit of work of one encoder.
		set("chunk-size", strconv.FormatInt(v, 10))
	case string:
		set("chunk-size", v)
	default:
		return lists, fail("mydumper.max-region-size: want a size, got %v", v)
	}
	csv := &cfg.Mydumper.CSV
	setString("csv-separator", csv.Separator)
	setString("csv-delimiter", csv.Delimiter)
	setString("csv-terminator", csv.Terminator)
	setBool("csv-header", csv.Header)
	setBool("csv-not-null", csv.NotNull)
	setBool("csv-backslash-escape", csv.BackslashEscape)
	if e := csv.EscapedBy; e != nil {
		// Lightning's escaped-by wins over backslash-escape.
		set("csv-backslash-escape", strconv.FormatBool(*e == `\`))
	}
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
	applyTiDB(c, &cfg, set)
	setString("tidb-user", cfg.TiDB.User)
	setString("tidb-password", cfg.TiDB.Password)
	switch strings.ToLower(cfg.TiDB.TLS) {
	case "":
	case "cluster":
		set("tidb-tls", "true")
	case "false", "skip-verify", "preferred":
		set("tidb-tls", strings.ToLower(cfg.TiDB.TLS))
	default:
		return lists, fail("unsupported `tidb.tls` config %s", cfg.TiDB.TLS)
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
		set("max-error", strconv.FormatInt(max(v, 0), 10))
	case map[string]any:
		if n, ok := v["type"].(int64); ok {
			set("max-error", strconv.FormatInt(max(n, 0), 10))
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
	if err := applyLogicalKeys(&cfg, set); err != nil {
		return lists, fail("%v", err)
	}
	if err := errors.Join(sets...); err != nil {
		return lists, fail("%v", err)
	}
	return lists, nil
}

// applyTiDB sets the catalog and store flags of [tidb]: TiDB's address,
// status API and PD. --no-tidb, or --tidb ” on the command line, keeps
// the embedded catalog and store whatever the file says.
func applyTiDB(c *cli.Context, cfg *lightningConfig, set func(name, value string)) {
	if c.Bool("no-tidb") || (c.IsSet("tidb") && c.String("tidb") == "") {
		return
	}
	host := cfg.TiDB.Host
	if cfg.TiDB.PDAddr != "" && host == "" {
		// Lightning's default: a config aimed at a cluster without a host
		// means the TiDB on this machine. Writing to that cluster's TiKV
		// with lightstream's own catalog instead would put data under
		// table IDs TiDB never gave out.
		host = "127.0.0.1"
	}
	if host != "" {
		port := cfg.TiDB.Port
		if port == 0 {
			port = 4000
		}
		set("tidb", net.JoinHostPort(host, strconv.Itoa(port)))
		if cfg.TiDB.StatusPort != 0 {
			set("tidb-status", net.JoinHostPort(host, strconv.Itoa(cfg.TiDB.StatusPort)))
		}
	}
	if cfg.TiDB.PDAddr != "" {
		set("pd", cfg.TiDB.PDAddr)
	}
}

// checkRefused rejects the values whose meaning lightstream cannot
// honour: importing them otherwise would give other tables or rows than
// Lightning.
func checkRefused(c *cli.Context, cfg *lightningConfig, fail func(string, ...any) error) error {
	b := strings.ToLower(cfg.TiKVImporter.Backend)
	if c.IsSet("backend") {
		b = "" // the command line's --backend wins (checked with it)
	}
	switch b {
	case "", "local", "importer":
	case "tidb":
	default:
		return fail("tikv-importer.backend = %q: want local or tidb", cfg.TiKVImporter.Backend)
	}
	m := &cfg.Mydumper
	switch {
	case m.NoSchema:
		return fail("mydumper.no-schema = true is not supported: lightstream creates the tables from the dump's schema files")
	case len(m.IgnoreDataColumns) > 0 || len(m.IgnoreColumns) > 0:
		return fail("mydumper.ignore-data-columns is not supported: lightstream imports every column of the data files")
	case m.CSV.HeaderSchemaMatch != nil && !*m.CSV.HeaderSchemaMatch:
		return fail("mydumper.csv.header-schema-match = false is not supported: lightstream maps CSV columns by the header's names")
	case m.CSV.EscapedBy != nil && *m.CSV.EscapedBy != "" && *m.CSV.EscapedBy != `\`:
		return fail("mydumper.csv.escaped-by = %q is not supported (only \\ or empty)", *m.CSV.EscapedBy)
	case cfg.Lightning.ServerMode && !c.IsSet("server-mode"):
		return fail("lightning.server-mode = true is not supported: lightstream imports one dump per command")
	case cfg.TiKVImporter.KeyspaceName != "":
		return fail("tikv-importer.keyspace-name is not supported: lightstream writes keys without a keyspace prefix")
	}
	switch v := cfg.PostRestore.Checksum.(type) {
	case nil, bool:
	case string:
		switch strings.ToLower(v) {
		case "off", "false", "required", "true", "optional":
		default:
			return fail("invalid op level '%s', please choose valid option between ['off', 'optional', 'required']", v)
		}
	}
	for _, cs := range []struct {
		key  string
		v    *string
		auto bool
	}{{"mydumper.character-set", m.CharacterSet, true}, {"mydumper.data-character-set", m.DataCharacterSet, false}} {
		if cs.v == nil {
			continue
		}
		if _, err := dump.ParseCharset(*cs.v, cs.auto); err != nil {
			return fail("%s: %v", cs.key, err)
		}
	}
	return nil
}
