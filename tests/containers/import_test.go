package containers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sakilaDump is the real sakila dump in dumpling layout.
func sakilaDump(t testing.TB) string {
	t.Helper()
	d := filepath.Join(sharedDir(t), "corpora", "sakila")
	if _, err := os.Stat(d); err != nil {
		missing(t, fmt.Sprintf("sakila corpus not found (set LIGHTSTREAM_SHARED): %v", err))
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// startRoles starts the coordinator, then the sorters and encoders (which
// wait for the producer's topics), as compose does.
func (c *cluster) startRoles(sorters, encoders int) {
	c.t.Helper()
	c.startCoordinator()
	for range sorters {
		c.addSorter()
	}
	for range encoders {
		c.addEncoder()
	}
}

// TestImportSakila imports sakila with one container per role (broker,
// store, producer, coordinator, two encoders, two sorters ingesting
// through PD), exports every table through PD from another container and
// checks it against the figures a MySQL server computed.
func TestImportSakila(t *testing.T) {
	checks := loadExpected(t)
	c := newCluster(t, sakilaDump(t))
	c.startRoles(2, 2)
	c.startProducer("256KiB")
	c.waitCoordinator(5 * time.Minute)
	c.verify(checks)
}

// progress polls the coordinator's metrics.
type progress struct {
	c   *cluster
	ctx context.Context
}

func (p progress) read() map[string]float64 {
	p.c.t.Helper()
	m, err := p.c.metrics(p.ctx)
	if err != nil {
		p.c.t.Fatalf("metrics: %v%s", err, logsOf(p.c.coordinator))
	}
	return m
}

// waitEncoded waits until n chunks are encoded (or all of them) and
// returns the encoded and total counts.
func (p progress) waitEncoded(n float64) (done, total float64) {
	p.c.t.Helper()
	for {
		m := p.read()
		done, total = m["lightstream_chunks_encoded_total"], m["lightstream_chunks"]
		if total > 0 && (done >= n || done >= total) {
			return done, total
		}
		select {
		case <-p.ctx.Done():
			p.c.t.Fatalf("no encoding progress: %v of %v chunks%s", done, total, logsOf(p.c.coordinator))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestEncodersScaleAndCrash starts with one encoder and three sorters.
// Once encoding has begun it kills a sorter hard (each of the three owns
// some of the 15 KV partitions; none is ingested yet) and scales the
// encoders 1 -> 3: the groups give the dead sorter's partitions to the
// other two, which rebuild those engines from the retained KV topics, the
// new encoders take chunk partitions over, and the import still completes
// with every table's figures right.
func TestEncodersScaleAndCrash(t *testing.T) {
	checks := loadExpected(t)
	c := newCluster(t, sakilaDump(t))
	c.startRoles(3, 1)
	// Small chunks make many of them, so that the import is still
	// encoding when the groups change.
	c.startProducer("32KiB")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := progress{c, ctx}
	done, total := p.waitEncoded(1)
	if total < 20 {
		t.Fatalf("only %v chunks: the test needs more to change the groups mid-import", total)
	}
	m := p.read()
	parts, ingested := m["lightstream_partitions"], m["lightstream_partitions_ingested_total"]
	if ingested >= parts {
		t.Fatalf("every partition was ingested before the sorter crash: nothing to take over")
	}
	t.Logf("killing a sorter at %v of %v chunks encoded, %v of %v partitions ingested", done, total, ingested, parts)
	c.kill(c.sorters[0])
	done, _ = p.waitEncoded(done)
	t.Logf("scaling 1 -> 3 encoders at %v of %v chunks", done, total)
	c.addEncoder()
	c.addEncoder()
	c.waitCoordinator(5 * time.Minute)
	c.verify(checks)
}

// TestBrokerRestart kills the broker hard mid-import and starts it again
// on its data volume: every role reconnects and the import completes with
// every table's figures right.
func TestBrokerRestart(t *testing.T) {
	checks := loadExpected(t)
	c := newCluster(t, sakilaDump(t))
	c.startRoles(2, 2)
	c.startProducer("32KiB")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := progress{c, ctx}
	done, total := p.waitEncoded(1)
	if done >= total {
		t.Logf("encoding finished before the broker restart")
	}
	t.Logf("restarting the broker at %v of %v chunks encoded", done, total)
	// Members that lose the broker may exit with an error; their restart
	// policy brings them back (compose: restart: on-failure).
	c.restartsOK = true
	c.restartBroker()
	c.waitCoordinator(5 * time.Minute)
	c.verify(checks)
}

// BenchmarkImportSakila measures a sakila import in containers with 1, 2
// and 4 encoders (and 2 sorters), from the producer's start to the
// coordinator's exit; the long-lived roles start before the clock (run
// with -benchtime=1x: one import is seconds to tens of seconds).
func BenchmarkImportSakila(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("encoders=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchImport(b, n)
			}
		})
	}
}

func benchImport(b *testing.B, encoders int) {
	b.StopTimer()
	c := newCluster(b, sakilaDump(b))
	c.startRoles(2, encoders)
	b.StartTimer()
	start := time.Now()
	c.startProducer("256KiB")
	// Phase times from the coordinator's metrics: when every chunk is
	// encoded and when every partition is ingested.
	ctx, cancel := context.WithCancel(context.Background())
	phases := make(chan [3]time.Duration, 1)
	go func() {
		var first, encoded, ingested time.Duration
		defer func() { phases <- [3]time.Duration{first, encoded, ingested} }()
		for ctx.Err() == nil {
			if m, err := c.metrics(ctx); err == nil && m["lightstream_chunks"] > 0 {
				if first == 0 && m["lightstream_chunks_encoded_total"] > 0 {
					first = time.Since(start)
				}
				if encoded == 0 && m["lightstream_chunks_encoded_total"] >= m["lightstream_chunks"] {
					encoded = time.Since(start)
				}
				if ingested == 0 && m["lightstream_partitions_ingested_total"] >= m["lightstream_partitions"] {
					ingested = time.Since(start)
					return
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	c.waitCoordinator(10 * time.Minute)
	b.StopTimer()
	total := time.Since(start)
	cancel()
	ph := <-phases
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	b.Logf("sakila with %d encoder container(s): %v (first chunk encoded at %v, all at %v, all partitions ingested at %v)",
		encoders, r(total), r(ph[0]), r(ph[1]), r(ph[2]))
}
