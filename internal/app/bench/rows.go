package bench

import (
	"errors"
	"io"
	"slices"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// rowBuffer holds parsed rows copied out of the reader's buffer, so that
// the encode stage can be timed without parsing. Field bytes live in
// fixed-size arena blocks that never move once written.
type rowBuffer struct {
	blocks [][]byte
	fields []literal.Field
	rows   []bufferedRow
	size   int64 // field bytes held
}

// bufferedRow is one row, or (endOfChunk) the end of its chunk.
type bufferedRow struct {
	c          chunkRef
	endOfChunk bool
	first, end int      // fields[first:end]
	columns    []string // the row's column list (nil: all columns)
	timeZone   string   // the dump's SET TIME_ZONE in force
	rowID      int64
	pos        int64 // the row's file offset (its record pair's partition)
}

const arenaBlock = 1 << 20

func (b *rowBuffer) reset() {
	// Keep the first block's memory; drop the rest for the GC.
	if len(b.blocks) > 0 {
		b.blocks = append(b.blocks[:0], b.blocks[0][:0])
	}
	b.fields = b.fields[:0]
	b.rows = b.rows[:0]
	b.size = 0
}

func (b *rowBuffer) copyBytes(v []byte) []byte {
	if v == nil {
		return nil
	}
	n := len(b.blocks)
	if n == 0 || cap(b.blocks[n-1])-len(b.blocks[n-1]) < len(v) {
		b.blocks = append(b.blocks, make([]byte, 0, max(arenaBlock, len(v))))
		n++
	}
	blk := b.blocks[n-1]
	off := len(blk)
	blk = append(blk, v...)
	b.blocks[n-1] = blk
	b.size += int64(len(v))
	return blk[off : off+len(v) : off+len(v)]
}

// chunkRows is one worker's open chunk while buffering.
type chunkRows struct {
	c       chunkRef
	rows    *dump.Rows
	k       int64    // rows read so far
	columns []string // last column list, copied
}

// fill reads rows of the cursor's chunks into b until it holds budget
// bytes or the chunks run out (then it returns false).
func (cr *chunkRows) fill(p *plan, cur *cursor, b *rowBuffer, budget int64) (more bool, err error) {
	for b.size < budget {
		if cr.rows == nil {
			c, ok := cur.next()
			if !ok {
				return false, nil
			}
			rows, err := p.openRows(c)
			if err != nil {
				return false, err
			}
			*cr = chunkRows{c: c, rows: rows}
		}
		fields, err := cr.rows.Next()
		if errors.Is(err, io.EOF) {
			cr.rows.Close()
			b.rows = append(b.rows, bufferedRow{c: cr.c, endOfChunk: true})
			cr.rows = nil
			continue
		}
		if err != nil {
			cr.rows.Close()
			cr.rows = nil
			return false, err
		}
		cr.k++
		if cols := cr.rows.Columns(); !slices.Equal(cols, cr.columns) || (cols == nil) != (cr.columns == nil) {
			cr.columns = slices.Clone(cols)
		}
		first := len(b.fields)
		for _, f := range fields {
			b.fields = append(b.fields, literal.Field{Kind: f.Kind, Bytes: b.copyBytes(f.Bytes), Charset: f.Charset})
		}
		b.rows = append(b.rows, bufferedRow{
			c: cr.c, first: first, end: len(b.fields), columns: cr.columns,
			timeZone: cr.rows.TimeZone(), rowID: cr.c.ch.RowIdBase + cr.k, pos: cr.rows.Pos(),
		})
	}
	return true, nil
}

// close releases an open chunk (after an error).
func (cr *chunkRows) close() {
	if cr.rows != nil {
		cr.rows.Close()
		cr.rows = nil
	}
}
