package coordinator

import (
	"errors"
	"fmt"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrNoRows fails a table whose data files are not empty but gave no row
// at all: files of comments, SET statements or blank lines only, where a
// user expects rows (issue 23: no table may be lost without a word).
var ErrNoRows = errors.New("data files hold no rows")

// rejectedRows is the rows of a table's chunks that --max-error rejected.
func rejectedRows(chunks map[string]*lsv1.ChunkEncoded) uint64 {
	var n uint64
	for _, c := range chunks {
		n += c.GetRejected()
	}
	return n
}

// noRows is the error text of a table that got no row from non-empty
// data files, "" otherwise. Rows rejected under --max-error were read:
// those are reported as rejects, not here.
func noRows(mf *lsv1.TableManifest, rows, rejected uint64) error {
	if rows > 0 || rejected > 0 || mf.GetSourceBytes() == 0 || len(mf.GetChunkIds()) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s.%s: %d chunk(s), %d bytes of data files, no row (only comments, SET statements or blank lines?)",
		ErrNoRows, mf.GetDb(), mf.GetTable(), len(mf.GetChunkIds()), mf.GetSourceBytes())
}
