package summary

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// File is one file of the dump directory and what became of it: every
// file the scan sees ends in exactly one status.
type File struct {
	// Path is relative to the dump directory.
	Path string `json:"path"`
	// Kind is data, schema (a table's or a database's), metadata or other.
	Kind string `json:"kind"`
	// Table is db.table for a table's data or schema file.
	Table string `json:"table,omitempty"`
	// Status: imported (its table is verified), refused (its table failed,
	// Reason says why), pending (the import did not reach the table yet),
	// read (schema and metadata files), not-imported (Reason says why).
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// File statuses.
const (
	FileImported    = "imported"
	FileRefused     = "refused"
	FilePending     = "pending"
	FileRead        = "read"
	FileNotImported = "not-imported"
)

// DumpFiles lists every file under the dump directory with its status,
// from the dump's scan (with the import's filter and routes) and the
// import's state.
func DumpFiles(d *dump.Dump, st checkpoint.State) ([]File, error) {
	known := map[string]File{}
	files := d.Storage
	if files == nil {
		files = storage.LocalDir(d.Dir)
	}
	rel := func(p string) string {
		r, err := files.Rel(p)
		if err != nil {
			return p
		}
		return r
	}
	for _, db := range d.Databases {
		if db.SchemaFile != "" {
			known[rel(db.SchemaFile)] = File{Kind: "schema", Table: db.Name, Status: FileRead}
		}
	}
	if d.Metadata != "" {
		known[rel(d.Metadata)] = File{Kind: "metadata", Status: FileRead}
	}
	for _, v := range d.Views {
		known[rel(v.SchemaFile)] = File{Kind: "schema", Table: v.DB + "." + v.Name, Status: FileNotImported, Reason: "a view: recorded, not created"}
	}
	for _, t := range d.Tables {
		name := t.DB + "." + t.Name
		if t.SchemaFile != "" {
			known[rel(t.SchemaFile)] = File{Kind: "schema", Table: name, Status: FileRead}
		}
		status, reason := FilePending, ""
		if rec := st.Tables[checkpoint.Key(t.DB, t.Name)]; rec != nil {
			switch rec.Status {
			case checkpoint.Done:
				status = FileImported
			case checkpoint.Failed:
				status, reason = FileRefused, rec.Error
			}
		}
		if status == FilePending && st.Error != "" {
			status, reason = FileRefused, st.Error
		}
		for _, f := range t.DataFiles {
			known[rel(f.Path)] = File{Kind: "data", Table: name, Status: status, Reason: reason}
		}
	}
	// The scan's warnings start with the file's relative path.
	for _, w := range d.Warnings {
		if p, reason, ok := strings.Cut(w, ": "); ok {
			if _, seen := known[p]; !seen {
				known[p] = File{Kind: "other", Status: FileNotImported, Reason: reason}
			}
		}
	}
	var out []File
	err := files.Walk(context.Background(), func(e storage.Entry) error {
		if e.Dir {
			return nil
		}
		r := e.Name
		f, ok := known[r]
		if !ok {
			// Scan passes over silently only the files of tables the
			// filter leaves out.
			f = File{Kind: "other", Status: FileNotImported, Reason: "not selected by the table filter"}
		}
		f.Path = r
		out = append(out, f)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if err != nil {
		return out, fmt.Errorf("list dump files: %w", err)
	}
	return out, nil
}
