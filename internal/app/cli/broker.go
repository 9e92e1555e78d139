package cli

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
)

func init() {
	addCommand(&cli.Command{
		Name:  "broker",
		Usage: "run the embedded Kafka-protocol broker standalone until SIGINT/SIGTERM",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "data-dir", Usage: "directory where topics, logs and committed offsets persist (empty: in memory)", EnvVars: []string{"LIGHTSTREAM_BROKER_DATA_DIR"}},
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:9092", Usage: "host:port to listen on", EnvVars: []string{"LIGHTSTREAM_BROKER_LISTEN"}},
			&cli.StringFlag{Name: "advertise", Usage: "host:port advertised to clients (default: the listen address)", EnvVars: []string{"LIGHTSTREAM_BROKER_ADVERTISE"}},
			&cli.IntFlag{Name: "partitions", Value: 8, Usage: "partitions of topics created without a count", EnvVars: []string{"LIGHTSTREAM_BROKER_PARTITIONS"}},
			&cli.BoolFlag{Name: "sync-writes", Usage: "fsync every produced batch"},
			&cli.StringSliceFlag{Name: "config", Usage: "broker config key=value (repeatable), e.g. message.max.bytes=16777216"},
			&cli.BoolFlag{Name: "verbose", Usage: "log every request (-L info; the default level is warn)"},
			metricsFlag(),
		}, logFlags()...),
		Action: withMetrics(runBroker),
	})
}

func runBroker(c *cli.Context) error {
	// The broker logs every request at info: its default level is warn.
	if !c.IsSet("log-level") {
		level := "warn"
		if c.Bool("verbose") {
			level = "info"
		}
		if err := c.Set("log-level", level); err != nil {
			return err
		}
	}
	logOut, err := setupLogger(c, false)
	if err != nil {
		return err
	}
	defer logOut.Close()
	cfg := broker.Config{
		DataDir:           c.String("data-dir"),
		ListenAddr:        c.String("listen"),
		AdvertisedAddr:    c.String("advertise"),
		DefaultPartitions: c.Int("partitions"),
		SyncWrites:        c.Bool("sync-writes"),
		Logger:            slog.Default().With("role", "broker"),
	}
	for _, kv := range c.StringSlice("config") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("broker: --config %q: want key=value", kv)
		}
		if cfg.BrokerConfigs == nil {
			cfg.BrokerConfigs = map[string]string{}
		}
		cfg.BrokerConfigs[k] = v
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := broker.Start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "broker listening on %v, advertised as %v, data dir %q\n", b.ListenAddrs(), b.Addrs(), cfg.DataDir)
	<-ctx.Done()
	fmt.Fprintln(c.App.ErrWriter, "broker shutting down")
	return b.Close()
}
