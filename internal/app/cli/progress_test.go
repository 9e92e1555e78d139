package cli

import (
	"bytes"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/urfave/cli/v2"

	"github.com/lightstream-io/lightstream/internal/ops/metrics"
)

func TestPlainLine(t *testing.T) {
	v := progressView{Step: "import-tables", SourceBytes: 40e6, ReadBytes: 10e6, Rows: 50000,
		Chunks: 8, ChunksDone: 2, Parts: 4, PartsDone: 1, Tables: 2, TablesDone: 0}
	got := plainLine(v, 5*time.Second)
	want := "[   5.0s] import-tables | read+encode [###.........] 10.0/40.0 MB 2.0 MB/s ETA 15s, 50000 rows (10000/s), 2/8 chunks | sort+ingest [###.........] 1/4 partitions | verify [............] 0/2 tables"
	if got != want {
		t.Errorf("plain line\n got %s\nwant %s", got, want)
	}
	if got := plainLine(progressView{}, 0); !strings.Contains(got, "starting") || !strings.Contains(got, "ETA -") {
		t.Errorf("first line: %s", got)
	}
}

func TestProgressMode(t *testing.T) {
	for _, c := range []struct {
		args []string
		want progressMode
	}{
		{nil, progressPlain}, // a buffer is no terminal
		{[]string{"--progress", "tty"}, progressTTY},
		{[]string{"--progress", "none"}, progressNone},
		{[]string{"-q", "--progress", "tty"}, progressNone},
	} {
		var got progressMode
		app := NewApp()
		cmd := app.Command("import")
		action := cmd.Action
		cmd.Action = func(c *cli.Context) error {
			m, err := progressModeOf(c, &bytes.Buffer{})
			got = m
			return err
		}
		err := app.Run(append([]string{"lightstream", "import", "--dump", "x"}, c.args...))
		cmd.Action = action
		if err != nil || got != c.want {
			t.Errorf("%v: mode %v (%v), want %v", c.args, got, err, c.want)
		}
	}
}

// TestCoordinatorMetricNames: the coordinator's progress metrics are the
// ones internal/ops/metrics documents (and the dashboard queries).
func TestCoordinatorMetricNames(t *testing.T) {
	ch := make(chan *prometheus.Desc, 32)
	newProgressCollector(nil).Describe(ch)
	close(ch)
	var got []string
	for d := range ch {
		s := d.String()
		i := strings.Index(s, `fqName: "`) + len(`fqName: "`)
		got = append(got, s[i:i+strings.Index(s[i:], `"`)])
	}
	sort.Strings(got)
	want := append([]string{}, metrics.CoordinatorMetrics...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("progress collector serves %v, internal/ops/metrics documents %v", got, want)
	}
}
