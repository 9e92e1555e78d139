package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
)

// tidbFlags make TiDB the catalog: tables are created through its MySQL
// protocol and their ids read from its status API; after ingest ADMIN
// CHECKSUM, ANALYZE and the allocator rebase run there, and PD's
// schedulers (--pd) stay paused during the import.
func tidbFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "tidb", Usage: "TiDB's MySQL-protocol host:port: create tables there and use TiDB's ids (needs --pd); default: the embedded catalog", EnvVars: []string{"LIGHTSTREAM_TIDB"}},
		&cli.StringFlag{Name: "tidb-user", Value: "root", Usage: "TiDB user", EnvVars: []string{"LIGHTSTREAM_TIDB_USER"}},
		&cli.StringFlag{Name: "tidb-password", Usage: "TiDB password (prefer the environment variable)", EnvVars: []string{"LIGHTSTREAM_TIDB_PASSWORD"}},
		&cli.StringFlag{Name: "tidb-status", Usage: "TiDB's status API host:port or URL (default: --tidb's host, port 10080)", EnvVars: []string{"LIGHTSTREAM_TIDB_STATUS"}},
		&cli.StringFlag{Name: "tidb-tls", Usage: "TLS to TiDB: false, preferred, skip-verify or true (verified with --ca/--cert/--key)", EnvVars: []string{"LIGHTSTREAM_TIDB_TLS"}},
		&cli.DurationFlag{Name: "scheduler-pause", Usage: "how long one pause of PD's schedulers lasts; renewed every third of it until the import ends (default 5m)"},
	}
}

// tidbCatalog opens the catalog --tidb asks for; nil without --tidb (the
// coordinator's embedded default). sqlMode is the dump's SQL mode the DDL
// runs with.
func tidbCatalog(ctx context.Context, c *cli.Context, sqlMode string) (*tidbcatalog.TiDB, error) {
	addr := c.String("tidb")
	if addr == "" {
		return nil, nil
	}
	pd := c.StringSlice("pd")
	if len(pd) == 0 {
		return nil, errors.New("--tidb needs --pd: the rows must go to the TiKV of the TiDB that holds the tables")
	}
	cat, err := tidbcatalog.Open(ctx, tidbcatalog.Config{
		Addr: addr, User: c.String("tidb-user"), Password: c.String("tidb-password"),
		TLS: c.String("tidb-tls"), CAPath: c.String("ca"), CertPath: c.String("cert"), KeyPath: c.String("key"),
		StatusAddr: c.String("tidb-status"), PDAddrs: pd, SchedulerPause: c.Duration("scheduler-pause"),
		SQLMode: sqlMode,
	})
	if err != nil {
		return nil, fmt.Errorf("--tidb %s: %w", addr, err)
	}
	return cat, nil
}

// asCluster keeps a nil *tidbcatalog.TiDB a nil interface (no cluster).
func asCluster(t *tidbcatalog.TiDB) coordinator.Cluster {
	if t == nil {
		return nil
	}
	return t
}

// asCatalog keeps a nil *tidbcatalog.TiDB a nil interface (the coordinator
// then uses its default).
func asCatalog(t *tidbcatalog.TiDB) coordinator.Catalog {
	if t == nil {
		return nil
	}
	return t
}
