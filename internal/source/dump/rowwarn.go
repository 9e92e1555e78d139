package dump

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// atFileEnd reports whether the chunk runs to the end of its file: a
// compressed file is one chunk; otherwise the chunk's end is compared with
// the file's size (a file that cannot be read is left to Open to report).
func (c *Chunk) atFileEnd() bool {
	if c.Compression != CompressionNone {
		return true
	}
	fi, err := os.Stat(c.File)
	return err != nil || c.End >= fi.Size()
}

// warned holds the files and kinds already warned about: a file read in
// many chunks (and chunks read again after a restart) warns once per
// process.
var warned sync.Map

func warnOnce(file, kind string, args ...any) {
	if _, seen := warned.LoadOrStore(file+"\x00"+kind, true); seen {
		return
	}
	slog.Warn(kind, append([]any{"file", file}, args...)...)
}

// warnSkipped warns, once per file, of a statement in a data file that is
// not an INSERT and that rows follow: Lightning's parser reads past such a
// statement and imports the rows around it, and so does lightstream.
func warnSkipped(file string, offset int64, head string) {
	warnOnce(file, "data file: statement is not an INSERT, skipped (later ones are not reported)", "offset", offset, "statement", head)
}

// checkInsertTable wraps sr.Next to warn, once per file, of an INSERT
// into a table other than the file's: Lightning reads the table name of a
// data file's INSERT statements but imports every row into the file's
// table (mydump ChunkParser: "assumed to be constant"), and so does
// lightstream.
func checkInsertTable(file string, sr *rowparse.SQLReader) func() ([]literal.Field, error) {
	want := fileTable(file)
	last := int64(-1)
	return func() ([]literal.Field, error) {
		row, err := sr.Next()
		if err != nil || want == "" {
			return row, err
		}
		if st := sr.Statement(); st.Offset != last {
			last = st.Offset
			if !strings.EqualFold(st.Table, want) {
				warnOnce(file, "data file: INSERT into another table; its rows go to the file's table (later ones are not reported)",
					"offset", st.Offset, "insert_table", st.Table, "file_table", want)
			}
		}
		return row, nil
	}
}

// fileTable is the table a data file's name gives ({db}.{table}[.N].sql),
// empty when the name does not follow the pattern.
func fileTable(file string) string {
	m := reData.FindStringSubmatch(filepath.Base(file))
	if m == nil {
		return ""
	}
	return m[2]
}
