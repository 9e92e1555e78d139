package cli

import (
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Why keys of tidb-lightning.toml have no effect here, by topic.
const (
	whyConcurrency = "lightstream's concurrency is --encoders, --sorters and --ingest-concurrency"
	whyLog         = "lightstream does not rotate its log (--log-file) and redacts nothing"
	whyState       = "lightstream keeps its checkpoint, rejects and state in --work-dir (rerun the same command to resume)"
	whyReader      = "lightstream reads and cuts files with its own reader (--chunk-size)"
	whyTiDBSession = "TiDB session tuning: lightstream's DDL session uses TiDB's defaults"
	whyImporter    = "local-backend tuning: lightstream sorts in its own engines under --work-dir and splits regions itself"
	whyCron        = "lightstream switches TiKV's import mode and shows progress on its own schedule"
	whyPostRestore = "lightstream always compares the checksum of every table, and compacts nothing"
	whyConflict    = "lightstream detects conflicts in its sorters, after the encoding: there is nothing to check before"
	whySecurity    = "TLS to TiDB, PD and TiKV uses [security] (--ca, --cert, --key) and --tidb-tls"
)

// lightningKeys are the keys TiDB Lightning's configuration knows
// (pkg/lightning/config config.go and global.go, every section, with the
// deprecated ones real files still carry). "" marks a key lightstream
// honours (applyLightningConfig maps or checks it); any other value says
// why the key has no effect here. A key that is not listed is a typo and
// an error, as in Lightning.
var lightningKeys = map[string]string{
	// [lightning] (config.Lightning, GlobalLightning, log.Config)
	"lightning":                       "",
	"lightning.table-concurrency":     whyConcurrency,
	"lightning.index-concurrency":     whyConcurrency,
	"lightning.region-concurrency":    whyConcurrency,
	"lightning.io-concurrency":        whyConcurrency,
	"lightning.check-requirements":    "",
	"lightning.meta-schema-name":      whyState,
	"lightning.task-info-schema-name": whyState,
	"lightning.max-error":             "",
	"lightning.max-error.type":        "",
	"lightning.max-error.syntax":      "syntax errors always stop the import, as in Lightning (its syntax limit is fixed at 0)",
	"lightning.max-error.charset":     "bytes the data character set cannot decode become data-invalid-char-replace",
	"lightning.max-error.conflict":    "conflicts are counted against conflict.threshold (--conflict-threshold)",
	"lightning.max-error-records":     whyState,
	"lightning.level":                 "",
	"lightning.file":                  "",
	"lightning.format":                "",
	"lightning.max-size":              whyLog,
	"lightning.max-days":              whyLog,
	"lightning.max-backups":           whyLog,
	"lightning.enable-diagnose-logs":  whyLog,
	"lightning.status-addr":           "",
	"lightning.pprof-port":            "",
	"lightning.server-mode":           "",

	// [tidb] (config.DBStore, GlobalTiDB)
	"tidb":                               "",
	"tidb.host":                          "",
	"tidb.port":                          "",
	"tidb.user":                          "",
	"tidb.password":                      "",
	"tidb.status-port":                   "",
	"tidb.pd-addr":                       "",
	"tidb.sql-mode":                      "",
	"tidb.tls":                           "",
	"tidb.security":                      whySecurity,
	"tidb.security.ca-path":              whySecurity,
	"tidb.security.cert-path":            whySecurity,
	"tidb.security.key-path":             whySecurity,
	"tidb.security.redact-info-log":      whyLog,
	"tidb.max-allowed-packet":            whyTiDBSession,
	"tidb.distsql-scan-concurrency":      whyTiDBSession,
	"tidb.build-stats-concurrency":       whyTiDBSession,
	"tidb.index-serial-scan-concurrency": whyTiDBSession,
	"tidb.checksum-table-concurrency":    whyTiDBSession,
	"tidb.session-vars":                  whyTiDBSession,
	"tidb.log-level":                     whyLog,

	// [checkpoint]
	"checkpoint":                    whyState,
	"checkpoint.enable":             whyState,
	"checkpoint.schema":             whyState,
	"checkpoint.driver":             whyState,
	"checkpoint.dsn":                whyState,
	"checkpoint.keep-after-success": whyState,

	// [mydumper] (config.MydumperRuntime, GlobalMydumper)
	"mydumper":                                  "",
	"mydumper.data-source-dir":                  "",
	"mydumper.filter":                           "",
	"mydumper.no-schema":                        "",
	"mydumper.case-sensitive":                   "",
	"mydumper.character-set":                    "",
	"mydumper.data-character-set":               "",
	"mydumper.data-invalid-char-replace":        "",
	"mydumper.default-file-rules":               "",
	"mydumper.max-region-size":                  "",
	"mydumper.read-block-size":                  whyReader,
	"mydumper.batch-size":                       whyReader,
	"mydumper.batch-import-ratio":               whyReader,
	"mydumper.strict-format":                    "lightstream finds row boundaries with its real reader, which needs no strict format",
	"mydumper.source-id":                        "it only feeds [[routes]] extract-source columns, which lightstream refuses",
	"mydumper.ignore-data-columns":              "",
	"mydumper.ignore-data-columns.db":           "",
	"mydumper.ignore-data-columns.table":        "",
	"mydumper.ignore-data-columns.table-filter": "",
	"mydumper.ignore-data-columns.columns":      "",
	"mydumper.ignore-columns":                   "",
	"mydumper.ignore-columns.db":                "",
	"mydumper.ignore-columns.table":             "",
	"mydumper.ignore-columns.table-filter":      "",
	"mydumper.ignore-columns.columns":           "",
	"mydumper.files":                            "",
	"mydumper.files.pattern":                    "",
	"mydumper.files.path":                       "",
	"mydumper.files.schema":                     "",
	"mydumper.files.table":                      "",
	"mydumper.files.type":                       "",
	"mydumper.files.key":                        "",
	"mydumper.files.compression":                "",
	"mydumper.csv":                              "",
	"mydumper.csv.separator":                    "",
	"mydumper.csv.delimiter":                    "",
	"mydumper.csv.terminator":                   "",
	"mydumper.csv.null":                         "",
	"mydumper.csv.header":                       "",
	"mydumper.csv.header-schema-match":          "",
	"mydumper.csv.trim-last-separator":          "",
	"mydumper.csv.not-null":                     "",
	"mydumper.csv.backslash-escape":             "",
	"mydumper.csv.escaped-by":                   "",

	// [tikv-importer] (config.TikvImporter, GlobalImporter)
	"tikv-importer":                             "",
	"tikv-importer.backend":                     "",
	"tikv-importer.keyspace-name":               "",
	"tikv-importer.addr":                        whyImporter,
	"tikv-importer.remote-worker-addr":          whyImporter,
	"tikv-importer.remote-addr":                 whyImporter,
	"tikv-importer.on-duplicate":                "",
	"tikv-importer.duplicate-resolution":        "",
	"tikv-importer.max-kv-pairs":                whyImporter,
	"tikv-importer.send-kv-pairs":               whyImporter,
	"tikv-importer.send-kv-size":                whyImporter,
	"tikv-importer.compress-kv-pairs":           "lightstream compresses KV batches as --kv-compression says",
	"tikv-importer.region-split-size":           whyImporter,
	"tikv-importer.region-split-keys":           whyImporter,
	"tikv-importer.region-split-batch-size":     whyImporter,
	"tikv-importer.region-split-concurrency":    whyImporter,
	"tikv-importer.region-check-backoff-limit":  whyImporter,
	"tikv-importer.sorted-kv-dir":               "",
	"tikv-importer.disk-quota":                  "",
	"tikv-importer.range-concurrency":           whyImporter,
	"tikv-importer.incremental-import":          "",
	"tikv-importer.parallel-import":             "",
	"tikv-importer.add-index-by-sql":            "lightstream writes index KV pairs with the rows",
	"tikv-importer.engine-mem-cache-size":       whyImporter,
	"tikv-importer.local-writer-mem-cache-size": whyImporter,
	"tikv-importer.store-write-bwlimit":         whyImporter,
	"tikv-importer.logical-import-batch-size":   "",
	"tikv-importer.logical-import-batch-rows":   "",
	"tikv-importer.logical-import-prep-stmt":    "the tidb backend's statements carry their values as literals",
	"tikv-importer.pause-pd-scheduler-scope":    "lightstream pauses PD's schedulers with --tidb (--scheduler-pause)",
	"tikv-importer.block-size":                  whyImporter,
	"tikv-importer.chunk-size":                  whyImporter,
	"tikv-importer.chunk-cache-dir":             whyImporter,

	// [post-restore]
	"post-restore":                      "",
	"post-restore.checksum":             "",
	"post-restore.analyze":              "with --tidb lightstream runs ANALYZE TABLE after the import; on the embedded store there are no statistics",
	"post-restore.level-1-compact":      whyPostRestore,
	"post-restore.compact":              whyPostRestore,
	"post-restore.post-process-at-last": whyPostRestore,
	"post-restore.checksum-via-sql":     whyPostRestore,

	// [cron]
	"cron":                  whyCron,
	"cron.switch-mode":      whyCron,
	"cron.log-progress":     whyCron,
	"cron.check-disk-quota": whyCron,

	// [security]
	"security":                 "",
	"security.ca-path":         "",
	"security.cert-path":       "",
	"security.key-path":        "",
	"security.redact-info-log": whyLog,

	// [conflict]
	"conflict":          "",
	"conflict.strategy": "",
	"conflict.precheck-conflict-before-import": whyConflict,
	"conflict.threshold":                       "",
	"conflict.max-record-rows":                 "",

	// [[routes]] (table-router TableRule)
	"routes":                              "",
	"routes.schema-pattern":               "",
	"routes.table-pattern":                "",
	"routes.target-schema":                "",
	"routes.target-table":                 "",
	"routes.extract-table":                "",
	"routes.extract-table.table-regexp":   "",
	"routes.extract-table.target-column":  "",
	"routes.extract-schema":               "",
	"routes.extract-schema.schema-regexp": "",
	"routes.extract-schema.target-column": "",
	"routes.extract-source":               "",
	"routes.extract-source.source-regexp": "",
	"routes.extract-source.target-column": "",

	// [black-white-list] (table-filter MySQLReplicationRules)
	"black-white-list":                        "",
	"black-white-list.do-dbs":                 "",
	"black-white-list.ignore-dbs":             "",
	"black-white-list.do-tables":              "",
	"black-white-list.do-tables.db-name":      "",
	"black-white-list.do-tables.tbl-name":     "",
	"black-white-list.ignore-tables":          "",
	"black-white-list.ignore-tables.db-name":  "",
	"black-white-list.ignore-tables.tbl-name": "",
}

// freeFormKeys hold maps whose own keys are the user's (session variable
// names).
var freeFormKeys = []string{"tidb.session-vars"}

// classifyKeys sorts the keys of a decoded file into unknown ones (typos:
// an error) and known ones that have no effect here (with why), leaves
// only.
func classifyKeys(md toml.MetaData) (unknown, noEffect []string) {
	bad := map[string]bool{}
	for _, k := range md.Keys() {
		name := k.String()
		if len(k) > 1 && bad[toml.Key(k[:len(k)-1]).String()] {
			// Under an unknown table: the table is named already.
			bad[name] = true
			continue
		}
		why, known := lightningKeys[name]
		if !known {
			for _, p := range freeFormKeys {
				if strings.HasPrefix(name, p+".") {
					why, known = lightningKeys[p], true
				}
			}
		}
		switch {
		case !known:
			bad[name] = true
			unknown = append(unknown, name)
		case why != "" && md.Type(k...) != "Hash" && md.Type(k...) != "ArrayHash":
			noEffect = append(noEffect, name+" ("+why+")")
		}
	}
	sort.Strings(unknown)
	return unknown, noEffect
}
