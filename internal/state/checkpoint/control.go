package checkpoint

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrNoSuchTable: a checkpoint command named a table the checkpoint does
// not hold.
var ErrNoSuchTable = errors.New("table is not in the checkpoint")

// AllTables is the --table value that selects every table, as
// tidb-lightning-ctl's `--checkpoint-remove=all`.
const AllTables = "all"

// Steps of a table that describe its definition rather than its data: a
// reset keeps them, so the table keeps its ID and model (the pairs in the
// import's KV topic are encoded under that ID).
var definitionSteps = map[string]bool{"schema": true, "precheck": true}

// Reset records that a table's import was reset by a checkpoint command.
type Reset struct {
	// Command is the checkpoint command ("remove", "error-destroy").
	Command string    `json:"command"`
	At      time.Time `json:"at"`
	// Destroyed is the number of pairs deleted from the store
	// (error-destroy).
	Destroyed uint64 `json:"destroyed,omitempty"`
}

// SelectTables returns the keys of the tables spec names: AllTables, or
// db.table (names compared as MySQL compares them, without regard to
// case; either part may be quoted with backquotes, so that a name holding
// a dot can be named). An unknown table is an error wrapping
// ErrNoSuchTable that lists the tables there are.
func (s *State) SelectTables(spec string) ([]string, error) {
	if spec == "" {
		return nil, errors.New("no table: give --table db.t or --table all")
	}
	if spec == AllTables {
		return s.TableKeys(), nil
	}
	db, table, err := SplitTableName(spec)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, k := range s.TableKeys() {
		t := s.Tables[k]
		if strings.EqualFold(t.DB, db) && strings.EqualFold(t.Name, table) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		var names []string
		for _, k := range s.TableKeys() {
			names = append(names, s.Tables[k].DB+"."+s.Tables[k].Name)
		}
		return nil, fmt.Errorf("%w: %s (it holds: %s)", ErrNoSuchTable, spec, strings.Join(names, ", "))
	}
	return keys, nil
}

// SplitTableName splits db.table; `db`.`table` quotes either part.
func SplitTableName(spec string) (db, table string, err error) {
	bad := fmt.Errorf("table %q: want db.table", spec)
	quoted := func(s string) (part, rest string, ok bool) {
		end := strings.IndexByte(s[1:], '`')
		if end < 0 {
			return "", "", false
		}
		return s[1 : 1+end], s[2+end:], true
	}
	rest := spec
	if strings.HasPrefix(rest, "`") {
		var ok bool
		if db, rest, ok = quoted(rest); !ok || !strings.HasPrefix(rest, ".") {
			return "", "", bad
		}
		rest = rest[1:]
	} else {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			return "", "", bad
		}
		db, rest = rest[:i], rest[i+1:]
	}
	if strings.HasPrefix(rest, "`") {
		var ok bool
		if table, rest, ok = quoted(rest); !ok || rest != "" {
			return "", "", bad
		}
	} else {
		table = rest
	}
	if db == "" || table == "" {
		return "", "", bad
	}
	return db, table, nil
}

// ResetTable forgets what the import did to a table's data, so that the
// next run imports it again: its status, error, figures and every step but
// its definition (the table keeps its ID and model). eventsFrom is the
// events topic's end offset now: the coordinator ignores the table's
// ingest reports below it (they describe pairs the reset removed or
// dropped). A complete import is no longer complete, and so are its
// import-wide closing steps.
func (s *State) ResetTable(key, command string, eventsFrom int64, destroyed uint64) error {
	t := s.Tables[key]
	if t == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchTable, key)
	}
	t.Status, t.Error = Pending, ""
	t.Rows, t.RowsParsed, t.RowsRejected = 0, 0, 0
	t.Source, t.Store = Checksum{}, Checksum{}
	t.Sorted, t.Ingested = time.Time{}, time.Time{}
	for name := range t.Steps {
		if !definitionSteps[name] {
			delete(t.Steps, name)
		}
	}
	t.EventsFrom = eventsFrom
	t.Reset = &Reset{Command: command, At: time.Now().UTC(), Destroyed: destroyed}
	s.reopen()
	return nil
}

// IgnoreError clears a table's recorded error, as tidb-lightning-ctl's
// --checkpoint-error-ignore: the table is taken as it is and the next run
// carries on where it stopped (its failed steps run again). It reports
// whether there was an error to clear. The import's own error is cleared
// too when it is the table's.
func (s *State) IgnoreError(key string) (bool, error) {
	t := s.Tables[key]
	if t == nil {
		return false, fmt.Errorf("%w: %s", ErrNoSuchTable, key)
	}
	had := t.Status == Failed || t.Error != ""
	if t.Error != "" && t.Error == s.Error {
		s.Error = ""
	}
	if t.Status == Failed {
		t.Status = Pending
	}
	t.Error = ""
	for name, st := range t.Steps {
		if st.Status == Failed {
			delete(t.Steps, name)
		}
	}
	if had {
		s.reopen()
	}
	return had, nil
}

// IgnoreImportError clears the import's recorded error (one no table
// holds, such as a pre-check's).
func (s *State) IgnoreImportError() bool {
	had := s.Error != ""
	s.Error = ""
	if s.Status == Failed {
		s.Status = Pending
	}
	return had
}

// reopen makes a complete or failed import resumable: the next run picks
// up from the checkpoint instead of reporting the import complete.
func (s *State) reopen() {
	if s.Status == Complete || s.Status == Failed {
		s.Status = Pending
	}
	s.Finished = time.Time{}
	for _, name := range []string{"compact", "normal-mode"} {
		delete(s.Steps, name)
	}
}

// FailedTables returns the keys of the tables that hold an error.
func (s *State) FailedTables() []string {
	var keys []string
	for _, k := range s.TableKeys() {
		if t := s.Tables[k]; t.Status == Failed || t.Error != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// ErrRunning: the import is running (its checkpoint is locked), so a
// checkpoint command refuses to change it.
var ErrRunning = errors.New("the import is running")
