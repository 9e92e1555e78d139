package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// storeFlags select the target store: a cluster through PD (a real TiDB
// cluster's PD, or `lightstream store`) with Lightning's [security] TLS
// files, instead of the embedded store.
func storeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "pd", Usage: "PD endpoints host:port[,host:port] of the target cluster (or lightstream store); default: the embedded store", EnvVars: []string{"LIGHTSTREAM_PD"}},
		&cli.StringFlag{Name: "ca", Usage: "CA certificate (PEM) for TLS to PD and TiKV", EnvVars: []string{"LIGHTSTREAM_CA"}},
		&cli.StringFlag{Name: "cert", Usage: "client certificate (PEM) for TLS to PD and TiKV", EnvVars: []string{"LIGHTSTREAM_CERT"}},
		&cli.StringFlag{Name: "key", Usage: "client private key (PEM) for TLS to PD and TiKV", EnvVars: []string{"LIGHTSTREAM_KEY"}},
	}
}

// ingestFlag chooses the write path into the store.
func ingestFlag() cli.Flag {
	return &cli.StringFlag{Name: "ingest", Value: "auto", Usage: "how engines reach the store: physical (SST Write + MultiIngest per region, as Lightning's local backend), txn (client transactions), auto (physical where the store supports it)", EnvVars: []string{"LIGHTSTREAM_INGEST"}}
}

// storeConfig reads storeFlags.
func storeConfig(c *cli.Context) (pipeline.StoreConfig, error) {
	sc := pipeline.StoreConfig{
		PD:       c.StringSlice("pd"),
		Security: store.Security{CAPath: c.String("ca"), CertPath: c.String("cert"), KeyPath: c.String("key")},
	}
	sec := sc.Security
	if !sc.External() && (sec.CAPath != "" || sec.CertPath != "" || sec.KeyPath != "") {
		return sc, fmt.Errorf("--ca/--cert/--key need --pd")
	}
	if (sec.CertPath == "") != (sec.KeyPath == "") {
		return sc, fmt.Errorf("--cert and --key go together")
	}
	return sc, nil
}

// ingestOptions reads ingestFlag into o.
func ingestOptions(c *cli.Context, o ingest.Options) (ingest.Options, error) {
	mode, err := ingest.ParseMode(c.String("ingest"))
	if err != nil {
		return o, fmt.Errorf("--ingest: %w", err)
	}
	o.Mode = mode
	return o, nil
}

// roleStore opens the store of a role that takes --pd or --store-dir, and
// the ingest options that suit it.
func roleStore(c *cli.Context) (store.Store, pipeline.StoreConfig, error) {
	sc, err := storeConfig(c)
	if err != nil {
		return nil, sc, err
	}
	if sc.External() {
		st, err := pipeline.OpenStore("", sc)
		return st, sc, err
	}
	dir := c.String("store-dir")
	if dir == "" {
		return nil, sc, fmt.Errorf("%s: --pd or --store-dir is required", c.Command.Name)
	}
	st, err := store.OpenEmbedded(dir)
	if err != nil {
		return nil, sc, err
	}
	return st, sc, nil
}
