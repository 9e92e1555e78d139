package encoder

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/lightstream-io/lightstream/internal/tidb/literal"
)

// RejectWriter records bad rows (with --max-error) as JSON lines: file,
// byte offset, reason and the row's values as parsed. It is shared by the
// encoders and writers of one process and counts against one limit.
//
// A row is one reject however often it is refused: a chunk or batch that
// runs again (a retried transaction, a member that lost its partition in a
// rebalance while another already took it) refuses the same rows again,
// and those must neither count twice against --max-error nor appear twice
// in the file.
type RejectWriter struct {
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	limit int
	count int
	seen  map[rejectKey]struct{}
}

// rejectKey names a row: in its file, by its byte offset or for a Parquet
// row its row number in the file; a row the server refused, by its batch
// and its index in the batch.
type rejectKey struct {
	file   string
	offset int64
	row    int64
	batch  string
}

// admit reports whether the row at k is a new reject under the limit
// (record it), and whether it was rejected before (nothing to record,
// still a reject). Called with r.mu held.
func (r *RejectWriter) admit(k rejectKey) (record, ok bool) {
	if _, dup := r.seen[k]; dup {
		return false, true
	}
	if r.count >= r.limit {
		return false, false
	}
	return true, true
}

// recorded writes line and counts the row at k. Called with r.mu held.
func (r *RejectWriter) recorded(k rejectKey, line []byte) bool {
	r.w.Write(line)
	r.w.WriteByte('\n')
	if err := r.w.Flush(); err != nil {
		return false
	}
	if r.seen == nil {
		r.seen = make(map[rejectKey]struct{})
	}
	r.seen[k] = struct{}{}
	r.count++
	return true
}

// OpenRejects opens (appends to) the rejects file; at most limit rows are
// accepted.
func OpenRejects(path string, limit int) (*RejectWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open rejects file: %w", err)
	}
	return &RejectWriter{f: f, w: bufio.NewWriter(f), limit: limit}, nil
}

// rejectRecord is one line of rejects.jsonl. A SQL or CSV row is at its
// byte offset; a Parquet row, which has none, by its row group and its
// row numbers (from 1) in the group and in the file.
type rejectRecord struct {
	File       string    `json:"file"`
	Offset     *int64    `json:"offset,omitempty"`
	RowGroup   *int      `json:"row_group,omitempty"`
	RowInGroup int64     `json:"row_in_group,omitempty"`
	RowInFile  int64     `json:"row_in_file,omitempty"`
	Reason     string    `json:"reason"`
	Row        []*string `json:"row"`
}

// Reject records a bad row and reports whether it fit under the limit
// (false: the row must stop the import).
func (r *RejectWriter) Reject(e *RowError, fields []literal.Field) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := rejectKey{file: e.File, offset: e.Offset}
	if e.Row != nil {
		k = rejectKey{file: e.File, offset: -1, row: e.Row.InFile}
	}
	if record, ok := r.admit(k); !record {
		return ok
	}
	rec := rejectRecord{File: e.File, Offset: &e.Offset, Reason: e.Err.Error()}
	if e.Row != nil {
		rec.Offset, rec.RowGroup, rec.RowInGroup, rec.RowInFile = nil, &e.Row.RowGroup, e.Row.InGroup, e.Row.InFile
	}
	for _, f := range fields {
		if f.Kind == literal.FieldNull {
			rec.Row = append(rec.Row, nil)
			continue
		}
		s := string(f.Bytes)
		rec.Row = append(rec.Row, &s)
	}
	b, _ := json.Marshal(rec)
	return r.recorded(k, b)
}

// Count returns the rows rejected so far.
func (r *RejectWriter) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

// Close flushes and closes the file.
func (r *RejectWriter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.w.Flush(); err != nil {
		r.f.Close()
		return err
	}
	return r.f.Close()
}
