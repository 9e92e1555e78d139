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
// encoders of one process and counts against one limit.
type RejectWriter struct {
	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	limit int
	count int
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
	if r.count >= r.limit {
		return false
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
	r.w.Write(b)
	r.w.WriteByte('\n')
	if err := r.w.Flush(); err != nil {
		return false
	}
	r.count++
	return true
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
