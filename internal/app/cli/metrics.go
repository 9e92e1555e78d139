package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
)

// progressCollector exposes the coordinator's progress as Prometheus
// metrics, read at scrape time.
type progressCollector struct {
	co                                   *coordinator.Coordinator
	rows, srcBytes, doneBytes, tables    *prometheus.Desc
	chunks, chunksDone, parts, partsDone *prometheus.Desc
}

func newProgressCollector(co *coordinator.Coordinator) *progressCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("lightstream_"+name, help, nil, nil)
	}
	return &progressCollector{
		co:         co,
		rows:       d("rows_encoded_total", "Rows encoded."),
		srcBytes:   d("source_bytes", "Source bytes of the import."),
		doneBytes:  d("source_bytes_encoded_total", "Source bytes of the chunks encoded."),
		tables:     d("tables_verified_total", "Tables imported and verified."),
		chunks:     d("chunks", "Chunks of the import."),
		chunksDone: d("chunks_encoded_total", "Chunks encoded (as the coordinator learned of them)."),
		parts:      d("partitions", "KV topic partitions of tables with data."),
		partsDone:  d("partitions_ingested_total", "Partitions ingested into the store (as the coordinator learned of them)."),
	}
}

func (c *progressCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rows, c.srcBytes, c.doneBytes, c.tables, c.chunks, c.chunksDone, c.parts, c.partsDone} {
		ch <- d
	}
}

func (c *progressCollector) Collect(ch chan<- prometheus.Metric) {
	p := c.co.Progress()
	var chunks, done, parts, ingested int
	for _, t := range p.Tables {
		chunks += t.Chunks
		done += t.ChunksEncoded
		if t.Chunks > 0 {
			parts += t.Partitions
			ingested += t.PartsIngested
		}
	}
	ch <- prometheus.MustNewConstMetric(c.rows, prometheus.CounterValue, float64(p.Rows))
	ch <- prometheus.MustNewConstMetric(c.srcBytes, prometheus.GaugeValue, float64(p.SourceBytes))
	ch <- prometheus.MustNewConstMetric(c.doneBytes, prometheus.CounterValue, float64(p.DoneBytes))
	ch <- prometheus.MustNewConstMetric(c.tables, prometheus.CounterValue, float64(p.TablesDone))
	ch <- prometheus.MustNewConstMetric(c.chunks, prometheus.GaugeValue, float64(chunks))
	ch <- prometheus.MustNewConstMetric(c.chunksDone, prometheus.CounterValue, float64(done))
	ch <- prometheus.MustNewConstMetric(c.parts, prometheus.GaugeValue, float64(parts))
	ch <- prometheus.MustNewConstMetric(c.partsDone, prometheus.CounterValue, float64(ingested))
}

// listenMetrics binds the metrics address at start-up, before any work:
// a port another process holds is an error naming the address, never a
// warning (a scraper would read the other process's figures).
func listenMetrics(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	return ln, nil
}

// metricsFlag is --metrics-addr of a role.
func metricsFlag() cli.Flag {
	return &cli.StringFlag{Name: "metrics-addr", Usage: "serve Prometheus metrics (/metrics, see README Monitoring) and profiles (/debug/pprof) on this host:port"}
}

// withMetrics runs action with /metrics served on --metrics-addr, bound
// before anything runs.
func withMetrics(action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		addr := c.String("metrics-addr")
		if addr == "" {
			return action(c)
		}
		ln, err := listenMetrics(addr)
		if err != nil {
			return err
		}
		defer serveMetrics(c.Context, ln, nil)()
		return action(c)
	}
}

// serveMetrics serves /metrics and /debug/pprof on ln until ctx ends or
// stop is called: this process's metrics (internal/ops/metrics), and the
// import's progress when co is the coordinator. stop shuts the server down
// and waits for its goroutines; a failed Serve is logged then.
func serveMetrics(ctx context.Context, ln net.Listener, co *coordinator.Coordinator) (stop func()) {
	gather := prometheus.Gatherers{metrics.Registry}
	if co != nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(newProgressCollector(co))
		gather = append(gather, reg)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(gather, promhttp.HandlerOpts{}))
	// Profiles of the running import (go tool pprof http://ADDR/debug/pprof/heap).
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	var g errgroup.Group
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close() // a scrape still running after a second
		}
		return nil
	})
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve metrics on %s: %w", ln.Addr(), err)
		}
		return nil
	})
	return func() {
		cancel()
		if err := g.Wait(); err != nil {
			slog.Warn("metrics server stopped", "err", err)
		}
	}
}
