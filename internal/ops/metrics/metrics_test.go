package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
)

// TestNaming lints every metric of the registry against Prometheus' naming
// conventions (counters end in _total, units in names, no reserved
// suffixes on the wrong type) and lightstream's own (prefix, role).
func TestNaming(t *testing.T) {
	RowsEncoded.Add(3)
	IngestSeconds.Observe(0.5)
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	ours := 0
	for _, mf := range mfs {
		name := mf.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		ours++
		if err := CheckName(name, mf.GetType()); err != "" {
			t.Errorf("%s: %s", name, err)
		}
	}
	if ours < 10 {
		t.Fatalf("only %d lightstream metrics gathered", ours)
	}
}

func TestCheckName(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  dto.MetricType
		ok   bool
	}{
		{"lightstream_encoder_rows_encoded_total", dto.MetricType_COUNTER, true},
		{"lightstream_chunks_encoded", dto.MetricType_COUNTER, false},
		{"lightstream_source_bytes", dto.MetricType_GAUGE, true},
		{"lightstream_tables_total", dto.MetricType_GAUGE, false},
		{"rows_total", dto.MetricType_COUNTER, false},
	} {
		if got := CheckName(c.name, c.typ) == ""; got != c.ok {
			t.Errorf("CheckName(%s, %v) ok = %v, want %v", c.name, c.typ, got, c.ok)
		}
	}
}

// TestDashboard: every lightstream metric the Grafana dashboard queries
// exists (in this registry, or among the coordinator's progress metrics).
func TestDashboard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "deploy", "grafana", "lightstream-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	mfs, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		known[mf.GetName()] = true
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			known[mf.GetName()+"_bucket"] = true
		}
	}
	// The coordinator's (internal/app/cli's progress collector).
	for _, n := range CoordinatorMetrics {
		known[n] = true
	}
	name := regexp.MustCompile(`lightstream_[a-z0-9_]+`)
	n := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				n++
				if !known[m] {
					t.Errorf("panel %q queries %s, which no lightstream process serves", p.Title, m)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("the dashboard queries only %d lightstream metrics", n)
	}
}
