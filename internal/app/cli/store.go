package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kv/storeserver"
)

func init() {
	addCommand(&cli.Command{
		Name:  "store",
		Usage: "serve the embedded store over the network as a PD + TiKV endpoint until SIGINT/SIGTERM",
		Description: "Serves PD's and TiKV's gRPC protocols (transactions, snapshot reads, TSO, regions, splits,\n" +
			"ImportSST SwitchMode/Compact) on one address; give it to client-go or `lightstream --pd`.\n" +
			"The data directory has the embedded store's layout, so data written survives restarts.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Required: true, Usage: "directory where the store persists", EnvVars: []string{"LIGHTSTREAM_STORE_DATA_DIR"}},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:2379", Usage: "host:port to serve PD and TiKV on", EnvVars: []string{"LIGHTSTREAM_STORE_ADDR"}},
			&cli.StringFlag{Name: "advertise", Usage: "host:port clients of --addr are told to use (default: the bound address)", EnvVars: []string{"LIGHTSTREAM_STORE_ADVERTISE"}},
			&cli.IntFlag{Name: "inject-region-errors", Usage: "testing only: fail the first N ImportSST ingests/writes with region errors (split then EpochNotMatch, NotLeader, RegionNotFound, ServerIsBusy), logged on stderr", EnvVars: []string{"LIGHTSTREAM_STORE_INJECT_REGION_ERRORS"}},
			&cli.StringSliceFlag{Name: "listen", Usage: "additional listener addr[=advertise] (repeatable), e.g. 0.0.0.0:2380=localhost:2380 for clients outside a container network", EnvVars: []string{"LIGHTSTREAM_STORE_LISTEN"}},
			metricsFlag(),
		},
		Action: withMetrics(runStore),
	})
}

func runStore(c *cli.Context) error {
	cfg := storeserver.Config{
		DataDir:   c.String("data-dir"),
		Listeners: []storeserver.Listener{{Addr: c.String("addr"), Advertise: c.String("advertise")}},

		InjectRegionErrors: c.Int("inject-region-errors"),
		OnInject:           func(msg string) { fmt.Fprintln(c.App.ErrWriter, msg) },
	}
	for _, l := range c.StringSlice("listen") {
		addr, adv, _ := strings.Cut(l, "=")
		if addr == "" {
			return fmt.Errorf("store: --listen %q: want addr[=advertise]", l)
		}
		cfg.Listeners = append(cfg.Listeners, storeserver.Listener{Addr: addr, Advertise: adv})
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := storeserver.Open(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "store serving PD + TiKV on %v, advertised as %v, cluster %d, data dir %q\n", s.Addrs(), s.Advertised(), s.ClusterID(), cfg.DataDir)
	select {
	case <-ctx.Done():
	case err = <-s.Err():
	}
	fmt.Fprintln(c.App.ErrWriter, "store shutting down")
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}
