package statuspage

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeImport is a Progress source that advances by one chunk per call.
type fakeImport struct {
	mu sync.Mutex
	n  int
}

func (f *fakeImport) progress() Progress {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	done := min(f.n, 4)
	p := Progress{
		ImportID: "shop-20261206-ab12", Dump: "/dumps/shop", State: "running",
		Steps:       []Step{{Name: "import-mode", Status: "skipped", Reason: "embedded store"}, {Name: "create-schemas", Status: "done"}},
		Tables:      []Table{{DB: "shop", Table: "orders", Chunks: 4, ChunksEncoded: done, Partitions: 2, Rows: uint64(done * 1000), SourceBytes: 4 << 20, Status: "running"}},
		TablesTotal: 1, SourceBytes: 4 << 20, DoneBytes: int64(done) << 20, Rows: uint64(done * 1000),
	}
	if done == 4 {
		p.State, p.TablesDone = "complete", 1
		p.Tables[0].PartsIngested, p.Tables[0].Checksum, p.Tables[0].Status = 2, "match", "done"
	}
	return p
}

func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	return string(b), resp.Header.Get("Content-Type")
}

func TestProgressJSON(t *testing.T) {
	f := &fakeImport{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "lightstream_test_total", Help: "x"}))
	s, base := startServer(t, Config{Progress: f.progress, Metrics: reg, Interval: 10 * time.Millisecond})
	s.Warn("table shop.orders: 1 row rejected")
	s.Error("boom")
	deadline := time.Now().Add(10 * time.Second)
	var r Report
	for {
		body, ct := get(t, base+"/api/progress")
		if ct != "application/json" {
			t.Fatalf("content type %q", ct)
		}
		r = Report{}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Rates) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(r.Rates) < 3 {
		t.Fatalf("no rate history after 10 s: %+v", r.Rates)
	}
	if r.ImportID != "shop-20261206-ab12" || len(r.Tables) != 1 || r.Tables[0].Table != "orders" || len(r.Steps) != 2 {
		t.Fatalf("report: %+v", r)
	}
	if len(r.Warnings) != 1 || r.Warnings[0].Text != "table shop.orders: 1 row rejected" || len(r.Errors) != 1 {
		t.Fatalf("messages: %+v %+v", r.Warnings, r.Errors)
	}
	page, ct := get(t, base+"/")
	if !strings.HasPrefix(ct, "text/html") || !strings.Contains(page, "api/progress") {
		t.Fatalf("page: %s %.100s", ct, page)
	}
	if m, _ := get(t, base+"/metrics"); !strings.Contains(m, "lightstream_test_total") {
		t.Fatalf("metrics: %s", m)
	}
}

func TestMessagesBounded(t *testing.T) {
	s, err := New(Config{Progress: (&fakeImport{}).progress, MaxMessages: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		s.Warn(string(rune('a' + i)))
	}
	r := s.Report()
	if len(r.Warnings) != 3 || r.Warnings[0].Text != "h" || r.Warnings[2].Text != "j" {
		t.Fatalf("warnings %+v, want the last 3", r.Warnings)
	}
}

func TestRatesThinned(t *testing.T) {
	s, err := New(Config{Progress: (&fakeImport{}).progress, MaxSamples: 8})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for i := 0; i < 50; i++ {
		s.sample(t0.Add(time.Duration(i) * time.Second))
	}
	r := s.Report()
	if len(r.Rates) > 8 || len(r.Rates) < 4 {
		t.Fatalf("%d samples kept, want at most 8", len(r.Rates))
	}
	for i := 1; i < len(r.Rates); i++ {
		if r.Rates[i].Seconds <= r.Rates[i-1].Seconds {
			t.Fatalf("samples out of order: %+v", r.Rates)
		}
	}
}

func TestListenBusy(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Listen(ln.Addr().String()); err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("second Listen on %s: %v", ln.Addr(), err)
	}
}
