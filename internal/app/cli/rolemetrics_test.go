package cli

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRoleMetrics starts each long-running role with --metrics-addr,
// scrapes it and checks the names by Prometheus' rules (promlint) and
// lightstream's (metrics.CheckName).
func TestRoleMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every role")
	}
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := b.Addrs()[0]
	dir := t.TempDir()
	for _, role := range []struct {
		name string
		args []string
	}{
		{"broker", []string{"broker", "--listen", "127.0.0.1:0"}},
		{"store", []string{"store", "--data-dir", filepath.Join(dir, "store"), "--addr", "127.0.0.1:0"}},
		// Members wait for an import that does not exist yet: they serve
		// their metrics meanwhile.
		{"encoder", []string{"encoder", "--brokers", brokers, "--import-id", "metrics_test", "--dump", dir, "--wait-for-import", "2m"}},
		{"sorter", []string{"sorter", "--brokers", brokers, "--import-id", "metrics_test", "--store-dir", filepath.Join(dir, "sorter-store"), "--engine-dir", filepath.Join(dir, "engines"), "--wait-for-import", "2m"}},
	} {
		t.Run(role.name, func(t *testing.T) {
			addr := freePort(t)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- NewApp().RunContext(ctx, append([]string{"lightstream"}, append(role.args, "--metrics-addr", addr)...))
			}()
			defer func() {
				cancel()
				select {
				case <-done:
				case <-time.After(time.Minute):
					t.Errorf("%s did not stop", role.name)
				}
			}()
			var families map[string]*dto.MetricFamily
			for deadline := time.Now().Add(time.Minute); ; {
				resp, err := http.Get("http://" + addr + "/metrics")
				if err == nil {
					parser := expfmt.NewTextParser(model.LegacyValidation)
					families, err = parser.TextToMetricFamilies(resp.Body)
					resp.Body.Close()
					if err != nil {
						t.Fatal(err)
					}
					break
				}
				select {
				case err := <-done:
					t.Fatalf("%s ended before serving metrics: %v", role.name, err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: no metrics on %s: %v", role.name, addr, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			var mfs []*dto.MetricFamily
			ours := 0
			for name, mf := range families {
				mfs = append(mfs, mf)
				if strings.HasPrefix(name, "lightstream_") {
					ours++
					if msg := metrics.CheckName(name, mf.GetType()); msg != "" {
						t.Errorf("%s serves %s: %s", role.name, name, msg)
					}
				}
			}
			problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("%s serves %s: %s", role.name, p.Metric, p.Text)
			}
			if ours < 10 || families["process_resident_memory_bytes"] == nil {
				t.Errorf("%s serves %d lightstream metrics (want the process's set) and process metrics %v", role.name, ours, families["process_resident_memory_bytes"] != nil)
			}
		})
	}
}
