package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lightstream-io/lightstream/internal/app/cli"
	"github.com/lightstream-io/lightstream/internal/app/statuspage"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
)

// freeAddr returns a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// browser returns the Chromium to drive, or skips (fails under CI, whose
// .ci/run installs it) when there is none.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH: .ci/run installs Debian's chromium for this test")
	}
	t.Skip("no Chromium on PATH (apt-get install chromium): the status page is not checked in a browser")
	return ""
}

// TestStatusPage runs `lightstream import --status-addr` and reads its
// status while it runs: the JSON at /api/progress, and the page itself in
// a headless Chromium, which must show the table and draw the rate chart.
func TestStatusPage(t *testing.T) {
	chrome := browser(t)
	dump := t.TempDir()
	if _, err := dumpgen.Run(context.Background(), dumpgen.Config{Dir: dump, Size: 12 << 20, FileSize: 1 << 20, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		app := cli.NewApp()
		done <- app.RunContext(ctx, []string{"lightstream", "import", "--dump", dump, "--work-dir", filepath.Join(t.TempDir(), "w"),
			"-q", "--chunk-size", "1MiB", "--status-addr", addr, "--status-linger", "10m"})
	}()
	base := "http://" + addr

	// The JSON, as soon as the import knows its table.
	var r statuspage.Report
	for deadline := time.Now().Add(importTimeout()); ; {
		if resp, err := http.Get(base + "/api/progress"); err == nil {
			r = statuspage.Report{}
			err = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Tables) > 0 && r.State == "complete" && len(r.Rates) >= 2 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("import ended (%v) before its status page showed it complete: %+v", err, r)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never complete: %+v", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.Tables[0].DB != "gen" || r.Tables[0].Table != "sbtest" || r.Tables[0].Chunks < 10 || r.Tables[0].Checksum != "match" || r.TablesDone != 1 {
		t.Fatalf("table progress: %+v", r.Tables)
	}
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name+"="+s.Status)
	}
	if got := strings.Join(names, " "); !strings.Contains(got, "create-schemas=done") || !strings.Contains(got, "import-tables=done") {
		t.Fatalf("steps: %s", got)
	}

	// The metrics, by Prometheus' naming rules and ours.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var mfs []*dto.MetricFamily
	for name, mf := range families {
		mfs = append(mfs, mf)
		if strings.HasPrefix(name, "lightstream_") {
			if msg := metrics.CheckName(name, mf.GetType()); msg != "" {
				t.Errorf("metric %s: %s", name, msg)
			}
		}
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric %s: %s", p.Metric, p.Text)
	}
	for _, want := range []string{"lightstream_chunks_encoded_total", "lightstream_tables_verified_total", "lightstream_encoder_rows_encoded_total"} {
		if families[want] == nil {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// The page, in a real browser.
	actx, acancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("headless", true))...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	const rowSel = `#tables tbody tr[data-table="gen.sbtest"]`
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(rowSel)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	text := func(sel string) string {
		v, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("browser: text of %s: %v", sel, err)
		}
		return v
	}
	row, summary := text(rowSel), text("#summary")
	// An SVG element has no innerText: read its text content.
	chartLabel, err := chromedp.Run(bctx, chromedp.TextContent("#chart-label"))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	attr, err := chromedp.Run(bctx, chromedp.AttributeValue("#mbps", "points"))
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	points := attr.Value
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	if !strings.Contains(row, "gen.sbtest") || !strings.Contains(row, "match") || !strings.Contains(row, "done") {
		t.Errorf("table row in the page: %q", row)
	}
	if !strings.Contains(summary, "complete") || !strings.Contains(summary, "1/1 tables verified") {
		t.Errorf("summary in the page: %q", summary)
	}
	if strings.Count(points, ",") < 2 || !strings.Contains(chartLabel, "MB/s") {
		t.Errorf("rate chart not drawn: points %q, label %q", points, chartLabel)
	}
	if out := os.Getenv("LIGHTSTREAM_STATUS_SCREENSHOT"); out != "" {
		_ = os.WriteFile(out, png, 0o644)
	}
	cancel() // ends the linger
	if err := <-done; err != nil {
		t.Fatalf("import: %v", err)
	}
}
