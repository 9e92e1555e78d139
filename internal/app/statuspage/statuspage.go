// Package statuspage serves an import's status over HTTP, as TiDB
// Lightning's status port does: `/` is a small HTML page (lifecycle steps,
// each table's chunks, rows, engines, ingest and checksum, rates over time as
// a chart, warnings and errors) that refreshes itself from `/api/progress`,
// the same state as JSON; `/metrics` serves Prometheus metrics when a
// gatherer is given.
package statuspage

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"
)

// Step is one lifecycle step.
type Step struct {
	Name   string `json:"name"`
	Status string `json:"status"` // "", running, done, skipped, failed
	Reason string `json:"reason,omitempty"`
}

// Table is one table's progress.
type Table struct {
	DB            string `json:"db"`
	Table         string `json:"table"`
	Chunks        int    `json:"chunks"`
	ChunksEncoded int    `json:"chunks_encoded"`
	Partitions    int    `json:"partitions"`
	PartsIngested int    `json:"partitions_ingested"`
	Rows          uint64 `json:"rows"`
	SourceBytes   int64  `json:"source_bytes"`
	Status        string `json:"status"`
	// Checksum is "match", "mismatch" or "" (not compared yet).
	Checksum string `json:"checksum,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Progress is what the import reports at one moment.
type Progress struct {
	ImportID    string  `json:"import_id"`
	Dump        string  `json:"dump"`
	State       string  `json:"state"` // running, complete, failed
	Steps       []Step  `json:"steps"`
	Tables      []Table `json:"tables"`
	TablesTotal int     `json:"tables_total"`
	TablesDone  int     `json:"tables_done"`
	SourceBytes int64   `json:"source_bytes"`
	DoneBytes   int64   `json:"done_bytes"`
	Rows        uint64  `json:"rows"`
}

// Sample is one point of the rate chart.
type Sample struct {
	Seconds     float64 `json:"t"`
	BytesPerSec float64 `json:"bytes_per_sec"`
	RowsPerSec  float64 `json:"rows_per_sec"`
}

// Message is a warning or an error, with when it came.
type Message struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Report is the JSON of /api/progress.
type Report struct {
	Progress
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	Rates          []Sample  `json:"rates"`
	Warnings       []Message `json:"warnings"`
	Errors         []Message `json:"errors"`
}

// Config tunes a Server.
type Config struct {
	// Progress returns the import's current state; called once per sample
	// and per request.
	Progress func() Progress
	// Metrics, if set, is served at /metrics.
	Metrics prometheus.Gatherer
	// Interval between rate samples (default 1s).
	Interval time.Duration
	// MaxSamples bounds the chart's history (default 900: 15 minutes at
	// 1s; older samples are thinned, every other one dropped).
	MaxSamples int
	// MaxMessages bounds the warnings and errors kept (default 200 each).
	MaxMessages int
}

func (c *Config) validate() error {
	if c.Progress == nil {
		return errors.New("statuspage: Progress is nil")
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.MaxSamples <= 0 {
		c.MaxSamples = 900
	}
	if c.MaxMessages <= 0 {
		c.MaxMessages = 200
	}
	return nil
}

// Server serves the status page of one import.
type Server struct {
	cfg   Config
	start time.Time

	mu       sync.Mutex
	rates    []Sample
	last     Progress
	lastAt   time.Time
	warnings []Message
	errs     []Message
}

// New returns a server; Serve starts it.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, start: time.Now()}, nil
}

// Warn records a warning for the page.
func (s *Server) Warn(text string) { s.record(&s.warnings, text) }

// Error records an error for the page.
func (s *Server) Error(text string) { s.record(&s.errs, text) }

func (s *Server) record(list *[]Message, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*list = append(*list, Message{At: time.Now().UTC(), Text: text})
	if n := len(*list); n > s.cfg.MaxMessages {
		*list = append((*list)[:0], (*list)[n-s.cfg.MaxMessages:]...)
	}
}

// Listen binds addr at once, so that a port already in use is an error
// before the import starts, not a warning later.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("status address %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves on ln until ctx ends, sampling the rates every Interval.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("status server: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		tick := time.NewTicker(s.cfg.Interval)
		defer tick.Stop()
		s.sample(time.Now())
		for {
			select {
			case <-gctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
				return nil
			case now := <-tick.C:
				s.sample(now)
			}
		}
	})
	return g.Wait()
}

// sample adds one point to the rate chart: the rates since the previous
// sample.
func (s *Server) sample(now time.Time) {
	p := s.cfg.Progress()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lastAt.IsZero() {
		dt := now.Sub(s.lastAt).Seconds()
		if dt > 0 {
			s.rates = append(s.rates, Sample{
				Seconds:     now.Sub(s.start).Seconds(),
				BytesPerSec: float64(p.DoneBytes-s.last.DoneBytes) / dt,
				RowsPerSec:  float64(p.Rows-min(s.last.Rows, p.Rows)) / dt,
			})
		}
		if len(s.rates) > s.cfg.MaxSamples {
			// Keep the whole run visible: drop every other old sample.
			thin := s.rates[:0]
			for i, r := range s.rates {
				if i%2 == 0 || i >= len(s.rates)/2 {
					thin = append(thin, r)
				}
			}
			s.rates = thin
		}
	}
	s.last, s.lastAt = p, now
}

// Report is what /api/progress answers.
func (s *Server) Report() Report {
	p := s.cfg.Progress()
	s.mu.Lock()
	defer s.mu.Unlock()
	return Report{
		Progress:       p,
		ElapsedSeconds: time.Since(s.start).Seconds(),
		Rates:          append([]Sample{}, s.rates...),
		Warnings:       append([]Message{}, s.warnings...),
		Errors:         append([]Message{}, s.errs...),
	}
}

//go:embed page.html
var page []byte

// Handler serves /, /api/progress and /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /api/progress", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(s.Report())
	})
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Metrics, promhttp.HandlerOpts{}))
	}
	return mux
}
