package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/writer"
)

// The writer role of a logical import (--backend tidb) run as its own
// process, and the coordinator role's part of it.
func init() {
	addCommand(&cli.Command{
		Name:  "writer",
		Usage: "run a writer group member of a logical import (--backend tidb) until SIGINT/SIGTERM: it executes the encoders' SQL batches on --tidb",
		Flags: append(roleFlags(
			&cli.StringFlag{Name: "sql-mode", Value: sqlmode.DefaultText, Usage: "the writers' session sql_mode (the import's)"},
			&cli.IntFlag{Name: "writer-conns", Value: 4, Usage: "connections to the target (batches in flight)"},
			&cli.StringFlag{Name: "writer-txn-size", Value: "1MiB", Usage: "most SQL bytes of consecutive statements committed in one transaction"},
			&cli.BoolFlag{Name: "foreign-key-checks", Usage: "write with foreign_key_checks on"},
			&cli.IntFlag{Name: "max-error", Usage: "record up to N rows the server refuses in --rejects and go on"},
			&cli.StringFlag{Name: "rejects", Value: "rejects.jsonl", Usage: "rejects file (with --max-error)"},
			waitForImportFlag,
		).withStore(), tidbFlags()...),
		Action: runWriter,
	})
}

// coordinatorLogicalFlags make the coordinator role run a logical import.
func coordinatorLogicalFlags() []cli.Flag {
	flags := []cli.Flag{&cli.StringFlag{Name: "backend", Value: "local", Usage: "local (physical) or tidb (logical: writers execute SQL on --tidb; run `lightstream writer` members)"}}
	for _, f := range logicalFlags() {
		switch f.Names()[0] {
		case "logical-import-batch-size", "logical-import-batch-rows":
			flags = append(flags, f)
		}
	}
	return append(flags, conflictFlags()[0]) // --conflict-strategy (--on-duplicate)
}

// coordinatorCatalog is the coordinator role's catalog: the logical one
// with --backend tidb, TiDB's with --tidb, else the default.
func coordinatorCatalog(c *cli.Context, id string) (coordinator.Catalog, coordinator.Cluster, *lsv1.LogicalImport, func(), error) {
	switch b := strings.ToLower(c.String("backend")); b {
	case "", "local", "importer":
	case "tidb":
		lc, cat, err := logicalConfig(c.Context, c, c.String("sql-mode"))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		msg, err := lc.Message()
		if err != nil {
			cat.Close()
			return nil, nil, nil, nil, err
		}
		cat.SetImportID(id)
		return cat, cat, msg, func() { cat.Close() }, nil
	default:
		return nil, nil, nil, nil, fmt.Errorf("--backend %q: want local or tidb", b)
	}
	tidb, err := tidbCatalog(c.Context, c, c.String("sql-mode"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if tidb == nil {
		return nil, nil, nil, func() {}, nil
	}
	return tidb, tidb, nil, func() { tidb.Close() }, nil
}

func runWriter(c *cli.Context) error {
	id, err := roleImportID(c)
	if err != nil {
		return err
	}
	kcfg, err := roleKafka(c)
	if err != nil {
		return err
	}
	addr := c.String("tidb")
	if addr == "" {
		return fmt.Errorf("writer: --tidb host:port (the target server) is required")
	}
	tuneLogicalGC(os.Getenv)
	target := tidbcatalog.Config{
		Addr: addr, User: c.String("tidb-user"), Password: c.String("tidb-password"),
		TLS: c.String("tidb-tls"), CAPath: c.String("ca"), CertPath: c.String("cert"), KeyPath: c.String("key"),
	}
	if strings.HasPrefix(addr, "/") {
		target.Net, target.StatusAddr = "unix", "127.0.0.1:0"
	}
	txn, err := dumpgen.ParseSize(c.String("writer-txn-size"))
	if err != nil {
		return fmt.Errorf("--writer-txn-size: %w", err)
	}
	cfg := writer.Config{ImportID: id, TxnBytes: int(txn), WaitForImport: c.Duration("wait-for-import"), Kafka: kcfg, Target: target,
		Conns: c.Int("writer-conns"), SQLMode: c.String("sql-mode"), ForeignKeyChecks: c.Bool("foreign-key-checks")}
	if n := c.Int("max-error"); n > 0 {
		rj, err := encoder.OpenRejects(c.String("rejects"), n)
		if err != nil {
			return err
		}
		defer rj.Close()
		cfg.Rejects = rj
	}
	ctx, stop := signalContext(c)
	defer stop()
	return writer.Run(ctx, cfg)
}
