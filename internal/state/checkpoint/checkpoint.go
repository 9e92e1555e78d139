// Package checkpoint keeps the coordinator's record of an import: which
// lifecycle steps ran (or were skipped, and why), every table's id and
// state, and the checksums compared. It is one JSON file written
// atomically (temp file, fsync, rename), so a killed import always finds
// either the previous or the next complete record.
package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Status of an import, a step or a table.
type Status string

// The statuses.
const (
	Pending  Status = ""
	Running  Status = "running"
	Done     Status = "done"
	Skipped  Status = "skipped"
	Failed   Status = "failed"
	Complete Status = "complete"
)

// Step is one lifecycle step.
type Step struct {
	Status Status    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Checksum is TiDB's table checksum: XOR of CRC64-ECMA over pairs, pair
// count and byte count.
type Checksum struct {
	Sum   uint64 `json:"checksum"`
	KVs   uint64 `json:"kvs"`
	Bytes uint64 `json:"bytes"`
}

// Table is one table's record.
type Table struct {
	DB      string `json:"db"`
	Name    string `json:"table"`
	TableID int64  `json:"table_id"`
	Status  Status `json:"status"`
	// Rows encoded, from the encoders' chunk reports; RowsParsed the rows
	// the chunks' readers parsed (their own count) and RowsRejected those
	// skipped with --max-error: RowsParsed = Rows + RowsRejected, or the
	// table failed with the chunk that differs.
	Rows         uint64   `json:"rows"`
	RowsParsed   uint64   `json:"rows_parsed"`
	RowsRejected uint64   `json:"rows_rejected"`
	Source       Checksum `json:"source_checksum"`
	Store        Checksum `json:"store_checksum"`
	// Conflicts is what conflict resolution ([conflict] strategy) did to
	// the table; Source is then what the encoders produced less
	// Conflicts.Resolved. Nil without conflict detection.
	Conflicts *Conflicts `json:"conflicts,omitempty"`
	// Sorted is when the last of the table's partitions held all its pairs
	// sorted in its engine, Ingested when the last ingest ended (from the
	// sorters' reports; zero if unknown).
	Sorted   time.Time `json:"engines_sorted,omitempty"`
	Ingested time.Time `json:"ingested,omitempty"`
	// Steps per table: "schema", "checksum", "analyze".
	Steps map[string]Step `json:"steps,omitempty"`
	Error string          `json:"error,omitempty"`
	// Model is the table model (internal/tidb/tablemodel) the encoders used,
	// for export and replay.
	Model json.RawMessage `json:"model,omitempty"`

	// EventsFrom is the events topic offset from which the table's ingest
	// reports count: those below it describe pairs a checkpoint command
	// removed (Reset says which and when).
	EventsFrom int64  `json:"events_from,omitempty"`
	Reset      *Reset `json:"reset,omitempty"`
	// Incremental: the table held rows before the import (--incremental);
	// Before is its checksum then, and the store must end up holding
	// Before plus the imported pairs less Replaced, the pairs of the
	// store's rows that conflicting new rows replaced.
	Incremental bool     `json:"incremental,omitempty"`
	Before      Checksum `json:"before_checksum,omitzero"`
	Replaced    Checksum `json:"replaced_checksum,omitzero"`
	// RowIDBase is the largest row ID the table held before an incremental
	// import: this import's row IDs are given above it
	// (tablemodel.Table.RowIDBase), the same in every run.
	RowIDBase int64 `json:"row_id_base,omitempty"`
}

// Conflicts counts a table's rows that shared a primary or unique key.
type Conflicts struct {
	// DuplicateKeys are the keys two or more rows held, LosingRows the
	// rows left out (replace, ignore).
	DuplicateKeys uint64 `json:"duplicate_keys"`
	LosingRows    uint64 `json:"losing_rows"`
	// Resolved is TiDB's checksum of the losing rows' pairs.
	Resolved Checksum `json:"resolved_checksum"`
}

// Key is the map key of a table: db.table with the parts quoted so that
// dots inside names cannot collide.
func Key(db, table string) string { return fmt.Sprintf("%q.%q", db, table) }

// State is the whole record.
type State struct {
	ImportID string `json:"import_id"`
	Dump     string `json:"dump"`
	// DumpID is the digest of the import's plan its manifests carry
	// (TableManifest.dump_id): a restarted coordinator refuses manifests
	// of another dump under the same import id.
	DumpID string `json:"dump_id,omitempty"`
	// Selection is the table filter and routes the plan was made with
	// (pipeline.selection): a resume must use the same, or its plan would
	// not be the one the checkpoint records.
	Selection   string            `json:"selection,omitempty"`
	Status      Status            `json:"status"`
	Started     time.Time         `json:"started"`
	Finished    time.Time         `json:"finished,omitempty"`
	Steps       map[string]Step   `json:"steps"`
	Tables      map[string]*Table `json:"tables"`
	NextTableID int64             `json:"next_table_id"`
	Error       string            `json:"error,omitempty"`

	// Views by Key(db, view), kept apart from the tables (views.go).
	Views map[string]*View `json:"views,omitempty"`
}

// File is a State bound to its path; its methods are safe for concurrent
// use and save after every change.
type File struct {
	mu    sync.Mutex
	path  string
	state State
}

// FirstTableID is where the embedded store starts numbering tables, past
// the ids TiDB reserves for its own system tables.
const FirstTableID = 1000

// Open loads the checkpoint at path, or starts an empty one.
func Open(path string) (*File, error) {
	f := &File{path: path}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		f.state = State{Steps: map[string]Step{}, Tables: map[string]*Table{}, NextTableID: FirstTableID}
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &f.state); err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", path, err)
	}
	if f.state.Steps == nil {
		f.state.Steps = map[string]Step{}
	}
	if f.state.Tables == nil {
		f.state.Tables = map[string]*Table{}
	}
	return f, nil
}

// Path returns the file's path.
func (f *File) Path() string { return f.path }

// Snapshot returns a deep copy of the state.
func (f *File) Snapshot() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := json.Marshal(f.state)
	var s State
	_ = json.Unmarshal(b, &s)
	return s
}

// Update applies fn to the state and saves it.
func (f *File) Update(fn func(s *State) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := fn(&f.state); err != nil {
		return err
	}
	return f.saveLocked()
}

// SetStep records a lifecycle step.
func (f *File) SetStep(name string, st Status, reason string) error {
	return f.Update(func(s *State) error {
		s.Steps[name] = Step{Status: st, Reason: reason, At: time.Now().UTC()}
		return nil
	})
}

// StepDone reports whether a step finished (done or skipped).
func (f *File) StepDone(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.state.Steps[name].Status
	return st == Done || st == Skipped
}

// TableKeys returns the tables' keys in sorted order.
func (s *State) TableKeys() []string {
	keys := make([]string, 0, len(s.Tables))
	for k := range s.Tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (f *File) saveLocked() error {
	b, err := json.MarshalIndent(&f.state, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	tmp := f.path + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}
