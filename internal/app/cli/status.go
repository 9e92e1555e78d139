package cli

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/statuspage"
	"github.com/lightstream-io/lightstream/internal/ops/logsink"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// statusFlag is TiDB Lightning's status port: the import's status page,
// its JSON and its metrics.
func statusFlag() cli.Flag {
	return &cli.StringFlag{Name: "status-addr", Usage: "serve the import's status page (/), its JSON (/api/progress) and Prometheus metrics (/metrics) on this host:port (TiDB Lightning's status-addr)", EnvVars: []string{"LIGHTSTREAM_STATUS_ADDR"}}
}

// statusLingerFlag keeps the page up after the end, so that the final
// state can still be read.
func statusLingerFlag() cli.Flag {
	return &cli.DurationFlag{Name: "status-linger", Usage: "with --status-addr: after the import ends, keep serving the status page this long (an interrupt ends it sooner)"}
}

// statusServer is the status page of one run: bound at start (a port in
// use is an error before anything runs), serving once the coordinator
// exists. A nil *statusServer (no --status-addr) does nothing.
type statusServer struct {
	ln   net.Listener
	srv  *statuspage.Server
	co   atomic.Pointer[coordinator.Coordinator]
	wg   sync.WaitGroup
	stop context.CancelFunc
	// linger: how long close keeps serving; an interrupt or the end of
	// parent ends it sooner.
	linger time.Duration
	parent context.Context
}

// openStatus binds --status-addr; nil without it.
func openStatus(c *cli.Context) (*statusServer, error) {
	addr := c.String("status-addr")
	if addr == "" {
		return nil, nil
	}
	ln, err := statuspage.Listen(addr)
	if err != nil {
		return nil, err
	}
	s := &statusServer{ln: ln, linger: c.Duration("status-linger"), parent: c.Context}
	reg := prometheus.NewRegistry()
	reg.MustRegister(statusCollector{s})
	gather := prometheus.Gatherers{metrics.Registry, reg}
	if s.srv, err = statuspage.New(statuspage.Config{Progress: s.progress, Metrics: gather}); err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

// start serves until close (the page outlives the run's own context, so
// that it can linger); co is the run's coordinator.
func (s *statusServer) start(co *coordinator.Coordinator) {
	if s == nil {
		return
	}
	s.co.Store(co)
	if s.stop != nil {
		return
	}
	var ctx context.Context
	ctx, s.stop = context.WithCancel(s.parent)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ctx, s.ln); err != nil {
			s.srv.Error(err.Error())
		}
	}()
}

// logWarnings shows the log's warnings (and errors) on the page too:
// slog's default logger, which the stages log through, becomes a tee.
func (s *statusServer) logWarnings() {
	if s == nil {
		return
	}
	page := logsink.New(slog.LevelWarn, func(_ slog.Level, line string) { s.srv.Warn(line) })
	slog.SetDefault(slog.New(logsink.Tee{slog.Default().Handler(), page}))
}

func (s *statusServer) close() {
	if s == nil {
		return
	}
	if s.stop != nil {
		if s.linger > 0 {
			ctx, stop := signal.NotifyContext(s.parent, os.Interrupt, syscall.SIGTERM)
			t := time.NewTimer(s.linger)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			stop()
		}
		s.stop()
		s.wg.Wait()
		return
	}
	s.ln.Close()
}

// progress is the page's view of the coordinator.
func (s *statusServer) progress() statuspage.Progress {
	co := s.co.Load()
	if co == nil {
		return statuspage.Progress{State: "starting"}
	}
	return pageProgress(co.Lifecycle(), co.Progress())
}

func pageProgress(l coordinator.Lifecycle, p coordinator.Progress) statuspage.Progress {
	out := statuspage.Progress{
		ImportID: l.ImportID, Dump: l.Dump, State: string(l.Status),
		TablesTotal: p.TablesTotal, TablesDone: p.TablesDone, SourceBytes: p.SourceBytes, DoneBytes: p.DoneBytes, Rows: p.Rows,
	}
	if out.State == "" {
		out.State = string(checkpoint.Running)
	}
	for _, st := range l.Steps {
		out.Steps = append(out.Steps, statuspage.Step{Name: st.Name, Status: string(st.Status), Reason: st.Reason})
	}
	for _, t := range p.Tables {
		pt := statuspage.Table{
			DB: t.DB, Table: t.Table, Chunks: t.Chunks, ChunksEncoded: t.ChunksEncoded,
			Partitions: t.Partitions, PartsIngested: t.PartsIngested, Rows: t.Rows, SourceBytes: t.SourceBytes,
			Status: string(t.Status), Error: t.Error,
		}
		if t.Status == checkpoint.Done || t.Stored != (checkpoint.Checksum{}) {
			pt.Checksum = "mismatch"
			// Done means verified: an incremental table holds more than its source.
			if t.Source == t.Stored || t.Status == checkpoint.Done {
				pt.Checksum = "match"
			}
		}
		out.Tables = append(out.Tables, pt)
	}
	return out
}

// statusCollector is the progress collector of whichever coordinator the
// status server has; nothing before it has one.
type statusCollector struct{ s *statusServer }

func (c statusCollector) Describe(ch chan<- *prometheus.Desc) {
	newProgressCollector(nil).Describe(ch)
}

func (c statusCollector) Collect(ch chan<- prometheus.Metric) {
	if co := c.s.co.Load(); co != nil {
		newProgressCollector(co).Collect(ch)
	}
}
