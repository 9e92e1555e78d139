package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// progressFlag chooses how the import shows its progress.
func progressFlag() cli.Flag {
	return &cli.StringFlag{Name: "progress", Value: "auto", Usage: "progress display: tty (bars redrawn in place), plain (a line every 2 s), none, or auto (tty on a terminal, else plain)"}
}

// progressMode is how progress is shown.
type progressMode int

const (
	progressNone progressMode = iota
	progressPlain
	progressTTY
)

// progressModeOf reads --progress (and --quiet) for output w.
func progressModeOf(c *cli.Context, w io.Writer) (progressMode, error) {
	if c.Bool("quiet") {
		return progressNone, nil
	}
	switch strings.ToLower(c.String("progress")) {
	case "none":
		return progressNone, nil
	case "plain":
		return progressPlain, nil
	case "tty":
		return progressTTY, nil
	case "auto", "":
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				return progressTTY, nil
			}
		}
		return progressPlain, nil
	}
	return progressNone, fmt.Errorf("--progress %q: want auto, tty, plain or none", c.String("progress"))
}

// progressView is what the display shows at one moment: the coordinator's
// record (per finished chunk, partition and table) raised by the encoders'
// live counters of this process (bytes read and rows encoded as they
// happen).
type progressView struct {
	Step                   string
	SourceBytes, ReadBytes int64
	Rows                   uint64
	Chunks, ChunksDone     int
	Parts, PartsDone       int
	Tables, TablesDone     int
}

func viewOf(co *coordinator.Coordinator) progressView {
	p := co.Progress()
	v := progressView{SourceBytes: p.SourceBytes, ReadBytes: p.DoneBytes, Rows: p.Rows, Tables: p.TablesTotal, TablesDone: p.TablesDone}
	for _, t := range p.Tables {
		v.Chunks += t.Chunks
		v.ChunksDone += t.ChunksEncoded
		if t.Chunks > 0 {
			v.Parts += t.Partitions
			v.PartsDone += t.PartsIngested
		}
	}
	if live := int64(metrics.Value(metrics.SourceBytesRead)); live > v.ReadBytes {
		v.ReadBytes = min(live, v.SourceBytes)
	}
	if live := uint64(metrics.Value(metrics.RowsEncoded)); live > v.Rows {
		v.Rows = live
	}
	l := co.Lifecycle()
	if l.Status == checkpoint.Complete {
		v.Step = "complete"
		return v
	}
	for _, st := range l.Steps {
		if st.Status == checkpoint.Running || st.Status == checkpoint.Failed {
			v.Step = st.Name
			break
		}
	}
	return v
}

// plainLine is one line of plain progress, elapsed into the run.
func plainLine(v progressView, elapsed time.Duration) string {
	secs := elapsed.Seconds()
	rate, rows := 0.0, 0.0
	if secs > 0 {
		rate, rows = float64(v.ReadBytes)/secs, float64(v.Rows)/secs
	}
	eta := "ETA -"
	if rate > 0 && v.SourceBytes > 0 {
		left := float64(v.SourceBytes-v.ReadBytes) / rate
		eta = "ETA " + time.Duration(left*float64(time.Second)).Round(time.Second).String()
	}
	step := v.Step
	if step == "" {
		step = "starting"
	}
	return fmt.Sprintf("[%6.1fs] %s | read+encode %s %.1f/%.1f MB %.1f MB/s %s, %d rows (%.0f/s), %d/%d chunks | sort+ingest %s %d/%d partitions | verify %s %d/%d tables",
		secs, step, bar(int(v.ReadBytes/1000), int(v.SourceBytes/1000)), float64(v.ReadBytes)/1e6, float64(v.SourceBytes)/1e6, rate/1e6, eta,
		v.Rows, rows, v.ChunksDone, v.Chunks, bar(v.PartsDone, v.Parts), v.PartsDone, v.Parts, bar(v.TablesDone, v.Tables), v.TablesDone, v.Tables)
}

// progress shows the import's live state: bars redrawn in place on a
// terminal, or a plain line every two seconds, and warnings as they come.
type progress struct {
	w    io.Writer
	mode progressMode
	mu   sync.Mutex
	done chan struct{}
	wg   sync.WaitGroup
	t0   time.Time

	bars *mpb.Progress
}

func newProgress(w io.Writer, mode progressMode) *progress {
	return &progress{w: w, mode: mode, done: make(chan struct{}), t0: time.Now()}
}

// Write prints log lines: above the bars while they are drawn.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bars != nil {
		if n, err := p.bars.Write(b); err == nil {
			return n, nil
		}
		// The bars finished drawing: write past them.
	}
	return p.w.Write(b)
}

func (p *progress) start(co *coordinator.Coordinator) {
	switch p.mode {
	case progressNone:
		return
	case progressTTY:
		p.startBars(co)
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
				line := plainLine(viewOf(co), time.Since(p.t0))
				p.mu.Lock()
				fmt.Fprintln(p.w, line)
				p.mu.Unlock()
			}
		}
	}()
}

// startBars draws three bars (read+encode in bytes, sort+ingest in
// partitions, verify in tables) refreshed from the coordinator and the
// live counters.
func (p *progress) startBars(co *coordinator.Coordinator) {
	p.mu.Lock()
	p.bars = mpb.New(mpb.WithOutput(p.w), mpb.WithWidth(100), mpb.WithRefreshRate(200*time.Millisecond))
	p.mu.Unlock()
	var mu sync.Mutex
	var v progressView
	name := func(s string) decor.Decorator { return decor.Name(s, decor.WC{W: 12, C: decor.DindentRight}) }
	read := p.bars.AddBar(0, mpb.PrependDecorators(name("read+encode"), decor.CountersKiloByte("% .1f / % .1f", decor.WCSyncWidthR)),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1000(0), "% .1f", decor.WCSyncSpace),
			decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace),
			decor.Any(func(decor.Statistics) string {
				mu.Lock()
				defer mu.Unlock()
				return fmt.Sprintf("%d rows", v.Rows)
			}, decor.WCSyncSpace)))
	ingest := p.bars.AddBar(0, mpb.PrependDecorators(name("sort+ingest"), decor.CountersNoUnit("%d / %d partitions", decor.WCSyncWidthR)))
	verify := p.bars.AddBar(0, mpb.PrependDecorators(name("verify"), decor.CountersNoUnit("%d / %d tables", decor.WCSyncWidthR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			mu.Lock()
			defer mu.Unlock()
			if v.Step == "" {
				return "step: starting"
			}
			return "step: " + v.Step
		})))
	update := func(final bool) {
		nv := viewOf(co)
		mu.Lock()
		v = nv
		mu.Unlock()
		for _, b := range []struct {
			bar         *mpb.Bar
			done, total int64
		}{{read, nv.ReadBytes, nv.SourceBytes}, {ingest, int64(nv.PartsDone), int64(nv.Parts)}, {verify, int64(nv.TablesDone), int64(nv.Tables)}} {
			if b.total > 0 {
				b.bar.SetTotal(b.total, false)
				b.bar.SetCurrent(b.done)
			}
			if final {
				if b.total > 0 && b.done >= b.total {
					b.bar.SetTotal(b.total, true)
				} else {
					b.bar.Abort(false)
				}
			}
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				update(true)
				p.bars.Wait()
				return
			case <-tick.C:
				update(false)
			}
		}
	}()
}

func bar(done, total int) string {
	const width = 12
	n := 0
	if total > 0 {
		n = min(done*width/total, width)
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
	p.mu.Lock()
	p.bars = nil // done drawing: log lines go straight to the terminal
	p.mu.Unlock()
}
