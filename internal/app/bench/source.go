package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// sourceTimes are the read and parse stages' wall and CPU times and what
// they saw.
type sourceTimes struct {
	read, parse span
	bytes, rows int64
}

// measureSource measures the read and parse stages. The chunks go in
// rounds of one chunk per worker: first every worker reads and
// decompresses its chunk into memory through dump.OpenRange (the read
// stage's wall time), then every worker parses its in-memory chunk with the
// rowparse reader the encoder would use (the parse stage's wall time), so
// that parsing is timed without the file reads. Memory: one chunk per
// worker.
func measureSource(ctx context.Context, p *plan, workers int) (sourceTimes, error) {
	var st sourceTimes
	bufs := make([]bytes.Buffer, workers)
	rows := make([]int64, workers)
	for i := 0; i < len(p.chunks); i += workers {
		round := p.chunks[i:min(i+workers, len(p.chunks))]
		w := startWatch()
		g, gctx := errgroup.WithContext(ctx)
		for j, c := range round {
			g.Go(func() error {
				dc := p.dumpChunk(c)
				r, err := dump.OpenRange(dc.File, dc.Compression, dc.Start, dc.End)
				if err != nil {
					return err
				}
				defer r.Close()
				bufs[j].Reset()
				// The chunk's (decompressed) size is known: one allocation.
				bufs[j].Grow(int(dc.End-dc.Start) + bytes.MinRead)
				if _, err := bufs[j].ReadFrom(r); err != nil {
					return fmt.Errorf("read chunk %s: %w", c.ch.Id, err)
				}
				return gctx.Err()
			})
		}
		if err := g.Wait(); err != nil {
			return st, err
		}
		st.read.add(w.elapsed())
		for j := range round {
			st.bytes += int64(bufs[j].Len())
		}

		w = startWatch()
		g, gctx = errgroup.WithContext(ctx)
		for j, c := range round {
			g.Go(func() error {
				n, err := parseAll(gctx, p.dumpChunk(c), c, bytes.NewReader(bufs[j].Bytes()))
				rows[j] += n
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return st, err
		}
		st.parse.add(w.elapsed())
	}
	for _, n := range rows {
		st.rows += n
	}
	return st, nil
}

// parseAll reads every row of a chunk from r with the reader
// dump.Chunk.OpenRows would build, and returns how many there were.
func parseAll(ctx context.Context, dc dump.Chunk, c chunkRef, r io.Reader) (int64, error) {
	var next func() ([]literal.Field, error)
	switch dc.Format {
	case dump.FormatSQL:
		next = rowparse.NewSQLReader(r, dc.SQLOptions(c.ch.NoBackslashEscapes)).Next
	case dump.FormatCSV:
		cr, err := rowparse.NewCSVReader(r, dc.CSVOptions(dump.CSVOptionsFromProto(c.ch.Csv)))
		if err != nil {
			return 0, fmt.Errorf("chunk %s: %w", c.ch.Id, err)
		}
		next = cr.Next
	case dump.FormatParquet:
		// A Parquet chunk's row groups are decoded with the file's footer,
		// which the in-memory range lacks: it is read through the file
		// again (from the page cache the read stage filled).
		rows, err := dc.OpenRows(dump.CSVOptionsFromProto(c.ch.Csv), c.ch.NoBackslashEscapes)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		next = rows.Next
	default:
		return 0, fmt.Errorf("chunk %s: unknown format %d", c.ch.Id, dc.Format)
	}
	var n int64
	for {
		if n&4095 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		_, err := next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
