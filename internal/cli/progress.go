package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
)

// progress prints the import's live state on the terminal: one status line
// per stage (chunks encoded, partitions ingested, tables verified) every
// two seconds, and warnings as they come.
type progress struct {
	w     io.Writer
	quiet bool
	mu    sync.Mutex
	done  chan struct{}
	wg    sync.WaitGroup
	t0    time.Time
}

func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{w: w, quiet: quiet, done: make(chan struct{}), t0: time.Now()}
}

func (p *progress) warn(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, "warning:", msg)
}

func (p *progress) start(co *coordinator.Coordinator) {
	if p.quiet {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tick.C:
				p.print(co.Progress())
			}
		}
	}()
}

func (p *progress) print(pr coordinator.Progress) {
	var chunks, encoded, parts, ingested int
	for _, t := range pr.Tables {
		chunks += t.Chunks
		encoded += t.ChunksEncoded
		if t.Chunks > 0 {
			parts += t.Partitions
			ingested += t.PartsIngested
		}
	}
	secs := time.Since(p.t0).Seconds()
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%5.1fs] encode %s %d/%d chunks | sort+ingest %s %d/%d partitions | verify %s %d/%d tables | %.1f MB/s, %d rows\n",
		secs, bar(encoded, chunks), encoded, chunks, bar(ingested, parts), ingested, parts,
		bar(pr.TablesDone, pr.TablesTotal), pr.TablesDone, pr.TablesTotal, float64(pr.DoneBytes)/1e6/secs, pr.Rows)
}

func bar(done, total int) string {
	const width = 12
	n := 0
	if total > 0 {
		n = done * width / total
	}
	b := make([]byte, width+2)
	b[0], b[width+1] = '[', ']'
	for i := 0; i < width; i++ {
		if i < n {
			b[i+1] = '#'
		} else {
			b[i+1] = '.'
		}
	}
	return string(b)
}

func (p *progress) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	p.wg.Wait()
}
