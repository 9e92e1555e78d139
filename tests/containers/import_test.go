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
		t.Skipf("sakila corpus not found (set LIGHTSTREAM_SHARED): %v", err)
	}
	abs, err := filepath.Abs(d)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestImportSakila imports sakila with a broker, the importer and two
// encoder containers and checks every table against the figures a MySQL
// server computed.
func TestImportSakila(t *testing.T) {
	checks := loadExpected(t)
	c := newCluster(t, sakilaDump(t))
	c.startImporter("256KiB")
	c.addEncoder()
	c.addEncoder()
	c.waitImporter(5 * time.Minute)
	c.verify(checks)
}

// TestEncodersScaleAndCrash starts with one encoder, scales to three once
// encoding has begun, then kills one hard mid-import: the group gives its
// partitions to the others and the import still completes with every
// table's figures right.
func TestEncodersScaleAndCrash(t *testing.T) {
	checks := loadExpected(t)
	c := newCluster(t, sakilaDump(t))
	// Small chunks make many of them, so that the import is still
	// encoding when the group changes.
	c.startImporter("32KiB")
	c.addEncoder()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	progress := func() (done, total float64) {
		m, err := c.metrics(ctx)
		if err != nil {
			t.Fatalf("metrics: %v%s", err, logsOf(c.importer))
		}
		return m["lightstream_chunks_encoded"], m["lightstream_chunks"]
	}
	waitEncoded := func(n float64) (float64, float64) {
		for {
			done, total := progress()
			if done >= n || done >= total {
				return done, total
			}
			select {
			case <-ctx.Done():
				t.Fatalf("no encoding progress: %v of %v chunks%s", done, total, logsOf(c.importer))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	done, total := waitEncoded(1)
	if total < 20 {
		t.Fatalf("only %v chunks: the test needs more to change the group mid-import", total)
	}
	t.Logf("scaling 1 -> 3 encoders at %v of %v chunks", done, total)
	c.addEncoder()
	victim := c.addEncoder()
	done, _ = waitEncoded(done + 1)
	if done >= total {
		t.Logf("encoding finished before the crash; the crash exercises only group churn")
	}
	t.Logf("killing an encoder at %v of %v chunks", done, total)
	c.kill(victim)
	c.waitImporter(5 * time.Minute)
	c.verify(checks)
}

// BenchmarkImportSakila measures a sakila import in containers with 1, 2
// and 4 encoders, from the importer's start to its exit (run with
// -benchtime=1x: one import is tens of seconds).
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
	b.StartTimer()
	start := time.Now()
	c.startImporter("256KiB")
	for i := 0; i < encoders; i++ {
		c.addEncoder()
	}
	c.waitImporter(10 * time.Minute)
	b.StopTimer()
	b.Logf("sakila with %d encoder container(s): %v", encoders, time.Since(start).Round(10*time.Millisecond))
}
