package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
)

// logicalFlags tune the logical backend (--backend tidb).
func logicalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "logical-import-batch-size", Value: "96KiB", Usage: "--backend tidb: most bytes of one INSERT statement (Lightning's tikv-importer.logical-import-batch-size)"},
		&cli.IntFlag{Name: "logical-import-batch-rows", Value: 65536, Usage: "--backend tidb: most rows of one INSERT statement (Lightning's tikv-importer.logical-import-batch-rows)"},
		&cli.BoolFlag{Name: "foreign-key-checks", Usage: "--backend tidb: write with foreign_key_checks on: rows whose parent row is missing are refused (rejects, --max-error); off by default, as dumps load"},
		&cli.IntFlag{Name: "writers", Value: 2, Usage: "--backend tidb: writer group members to run in this process (0: none, writers run elsewhere against --brokers)"},
		&cli.StringFlag{Name: "writer-txn-size", Value: "1MiB", Usage: "--backend tidb: most SQL bytes of consecutive statements a writer commits in one transaction, each batch recorded with its rows (one statement stays --logical-import-batch-size)"},
		&cli.IntFlag{Name: "writer-conns", Value: 4, Usage: "--backend tidb: connections to the target per writer member (batches in flight)"},
	}
}

// applyLogicalKeys maps the configuration file's tidb-backend keys onto
// the flags: the statement bounds. ([conflict] strategy and the older
// tikv-importer.on-duplicate set --conflict-strategy for both backends:
// conflictflags.go.)
func applyLogicalKeys(cfg *lightningConfig, set func(name, value string)) error {
	if v := cfg.TiKVImporter.LogicalImportBatchSize; v != nil {
		n, err := lightningByteSize(v)
		if err != nil {
			return fmt.Errorf("tikv-importer.logical-import-batch-size: %w", err)
		}
		set("logical-import-batch-size", strconv.FormatInt(n, 10))
	}
	if n := cfg.TiKVImporter.LogicalImportBatchRows; n > 0 {
		set("logical-import-batch-rows", strconv.Itoa(n))
	}
	return nil
}

// logicalConfig is the pipeline's logical backend for --backend tidb, and
// its catalog (the target through SQL); nil for the local backend.
func logicalConfig(ctx context.Context, c *cli.Context, sqlMode string) (*pipeline.LogicalConfig, *tidbcatalog.Logical, error) {
	if !strings.EqualFold(c.String("backend"), "tidb") {
		return nil, nil, nil
	}
	addr := c.String("tidb")
	if addr == "" {
		return nil, nil, fmt.Errorf("--backend tidb: give the target server with --tidb host:port (or [tidb] host and port in --config)")
	}
	target := tidbcatalog.Config{
		Addr: addr, User: c.String("tidb-user"), Password: c.String("tidb-password"),
		TLS: c.String("tidb-tls"), CAPath: c.String("ca"), CertPath: c.String("cert"), KeyPath: c.String("key"),
		SQLMode: sqlMode,
	}
	if strings.HasPrefix(addr, "/") {
		// A socket path: a server on this machine.
		target.Net = "unix"
		target.StatusAddr = "127.0.0.1:0"
	}
	size, err := dumpgen.ParseSize(c.String("logical-import-batch-size"))
	if err != nil {
		return nil, nil, fmt.Errorf("--logical-import-batch-size: %w", err)
	}
	txn, err := dumpgen.ParseSize(c.String("writer-txn-size"))
	if err != nil {
		return nil, nil, fmt.Errorf("--writer-txn-size: %w", err)
	}
	// The strategy is --conflict-strategy (--on-duplicate), as for the
	// local backend: none or error is a plain INSERT, replace REPLACE
	// INTO, ignore INSERT IGNORE.
	strategy, _, err := conflict.ParseStrategy(c.String("conflict-strategy"))
	if err != nil {
		return nil, nil, fmt.Errorf("--conflict-strategy: %w", err)
	}
	onDup := string(strategy)
	if strategy == conflict.None {
		onDup = string(conflict.Error)
	}
	lc := &pipeline.LogicalConfig{
		Target: target, OnDuplicate: onDup,
		BatchBytes: int(size), BatchRows: c.Int("logical-import-batch-rows"),
		Writers: c.Int("writers"), Conns: c.Int("writer-conns"), TxnBytes: int(txn), ForeignKeyChecks: c.Bool("foreign-key-checks"),
	}
	if c.IsSet("writers") && lc.Writers == 0 {
		lc.Writers = -1
	}
	// LIGHTSTREAM_FAULT_WRITER_KILL=N: the process kills itself (SIGKILL)
	// in the Nth batch it is about to commit, its rows sent: the fault
	// tests' writer dying mid-batch.
	if v := os.Getenv("LIGHTSTREAM_FAULT_WRITER_KILL"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, nil, fmt.Errorf("LIGHTSTREAM_FAULT_WRITER_KILL=%q: %w", v, err)
		}
		var seen atomicCounter
		lc.BeforeCommit = func(string, uint32) {
			if seen.add() == n {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	cat, err := tidbcatalog.OpenLogical(ctx, target)
	if err != nil {
		return nil, nil, fmt.Errorf("--backend tidb --tidb %s: %w", addr, err)
	}
	return lc, cat, nil
}

type atomicCounter struct{ n atomic.Int64 }

func (a *atomicCounter) add() int { return int(a.n.Add(1)) }
