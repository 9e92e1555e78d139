// Package summary builds the end-of-import report: the JSON file of
// --summary and the table printed on the terminal.
package summary

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// Table is one table's line.
type Table struct {
	DB    string `json:"db"`
	Table string `json:"table"`
	Rows  uint64 `json:"rows"`
	// RowsParsed is the readers' own count, RowsEncoded and RowsRejected
	// (--max-error) the encoders': parsed = encoded + rejected, or the
	// table failed naming the chunk that differs.
	RowsParsed     uint64 `json:"rows_parsed"`
	RowsEncoded    uint64 `json:"rows_encoded"`
	RowsRejected   uint64 `json:"rows_rejected"`
	KVPairs        uint64 `json:"kv_pairs"`
	Bytes          uint64 `json:"bytes"`
	SourceChecksum uint64 `json:"source_checksum"`
	StoreChecksum  uint64 `json:"store_checksum"`
	StoreKVPairs   uint64 `json:"store_kv_pairs"`
	StoreBytes     uint64 `json:"store_bytes"`
	ChecksumMatch  bool   `json:"checksum_match"`
	Status         string `json:"status"`
	Error          string `json:"error,omitempty"`
	// Conflicts counts the rows that shared a primary or unique key, when
	// detected ([conflict] strategy): KVPairs and SourceChecksum are then
	// what the encoders produced less the losing rows' pairs.
	Conflicts *checkpoint.Conflicts `json:"conflicts,omitempty"`
}

// Totals over all tables.
type Totals struct {
	Tables       int    `json:"tables"`
	Rows         uint64 `json:"rows"`
	RowsParsed   uint64 `json:"rows_parsed"`
	RowsEncoded  uint64 `json:"rows_encoded"`
	RowsRejected uint64 `json:"rows_rejected"`
	KVPairs      uint64 `json:"kv_pairs"`
	Bytes        uint64 `json:"bytes"`
	SourceBytes  int64  `json:"source_bytes"`
	// SourceBytesDone are the source bytes of the chunks encoded: all of
	// SourceBytes once the import is complete, part of them when it was
	// interrupted. Throughput is measured over these, as are the rows.
	SourceBytesDone int64 `json:"source_bytes_done"`
	Rejected        int   `json:"rejected_rows"`
}

// Summary is the whole report.
type Summary struct {
	Dump            string                     `json:"dump"`
	Status          string                     `json:"status"`
	AlreadyComplete bool                       `json:"already_complete,omitempty"`
	Tables          []Table                    `json:"tables"`
	Views           []View                     `json:"views,omitempty"`
	Totals          Totals                     `json:"totals"`
	DurationSeconds float64                    `json:"duration_seconds"`
	MBPerSecond     float64                    `json:"throughput_mb_per_s"`
	RowsPerSecond   float64                    `json:"throughput_rows_per_s"`
	Steps           map[string]checkpoint.Step `json:"steps"`
	Error           string                     `json:"error,omitempty"`
	// Disk is what the work directory holds at the end, by area.
	Disk *pipeline.DiskUse `json:"disk,omitempty"`
	// Files is every file of the dump directory and its status (DumpFiles).
	Files []File `json:"files,omitempty"`
}

// FromResult builds the summary of an import.
func FromResult(res *pipeline.Result) *Summary {
	st := res.State
	s := &Summary{Dump: st.Dump, Status: string(st.Status), AlreadyComplete: res.AlreadyComplete, Steps: st.Steps, Error: st.Error, Disk: res.Disk}
	for _, k := range st.TableKeys() {
		t := st.Tables[k]
		line := Table{
			DB: t.DB, Table: t.Name, Rows: t.Rows, RowsParsed: t.RowsParsed, RowsEncoded: t.Rows, RowsRejected: t.RowsRejected, KVPairs: t.Source.KVs, Bytes: t.Source.Bytes,
			SourceChecksum: t.Source.Sum, StoreChecksum: t.Store.Sum, StoreKVPairs: t.Store.KVs, StoreBytes: t.Store.Bytes,
			ChecksumMatch: t.Status == checkpoint.Done && t.Store == checkpoint.Expected(t), Status: string(t.Status), Error: t.Error,
			Conflicts: t.Conflicts,
		}
		if line.Status == "" {
			line.Status = "pending"
		}
		s.Tables = append(s.Tables, line)
		s.Totals.Rows += line.Rows
		s.Totals.RowsParsed += line.RowsParsed
		s.Totals.RowsEncoded += line.RowsEncoded
		s.Totals.RowsRejected += line.RowsRejected
		s.Totals.KVPairs += line.KVPairs
		s.Totals.Bytes += line.Bytes
	}
	s.Totals.Tables = len(s.Tables)
	s.Views = views(&st)
	s.Totals.SourceBytes = res.Progress.SourceBytes
	s.Totals.SourceBytesDone = min(res.Progress.DoneBytes, res.Progress.SourceBytes)
	if res.AlreadyComplete || s.Status == string(checkpoint.Complete) {
		s.Totals.SourceBytesDone = s.Totals.SourceBytes
	}
	s.Totals.Rejected = res.Rejected
	if res.AlreadyComplete && !st.Finished.IsZero() {
		s.DurationSeconds = st.Finished.Sub(st.Started).Seconds()
	} else {
		s.DurationSeconds = res.Duration.Seconds()
	}
	if s.DurationSeconds > 0 {
		s.MBPerSecond = float64(s.Totals.SourceBytesDone) / 1e6 / s.DurationSeconds
		s.RowsPerSecond = float64(s.Totals.Rows) / s.DurationSeconds
	}
	return s
}

// WriteFile writes the summary as indented JSON.
func WriteFile(path string, s *Summary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// PrintTable prints the final table for the terminal.
func PrintTable(w io.Writer, s *Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "db\ttable\trows\tkv pairs\tbytes\tchecksum\tstatus\t")
	for _, t := range s.Tables {
		match := "match"
		if !t.ChecksumMatch {
			match = "-"
			if t.Status == string(checkpoint.Failed) {
				match = "MISMATCH"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t\n", t.DB, t.Table, t.Rows, t.KVPairs, t.Bytes, match, t.Status)
	}
	tw.Flush()
	source := fmt.Sprintf("%.1f MB source", float64(s.Totals.SourceBytes)/1e6)
	if s.Totals.SourceBytesDone < s.Totals.SourceBytes {
		// Interrupted or failed: the rate is of the work done, as the rows.
		source = fmt.Sprintf("%.1f of %.1f MB source encoded", float64(s.Totals.SourceBytesDone)/1e6, float64(s.Totals.SourceBytes)/1e6)
	}
	fmt.Fprintf(w, "%d tables, %d rows, %d KV pairs, %s in %.1fs (%.1f MB/s, %.0f rows/s): %s\n",
		s.Totals.Tables, s.Totals.Rows, s.Totals.KVPairs, source, s.DurationSeconds,
		s.MBPerSecond, s.RowsPerSecond, s.Status)
	printViews(w, s.Views)
	if s.Totals.Rejected > 0 {
		fmt.Fprintf(w, "%d rows rejected (see rejects.jsonl in the work directory)\n", s.Totals.Rejected)
	}
	printConflicts(w, s.Tables)
	printDisk(w, s.Disk)
}

// printConflicts prints, per table whose rows shared keys, how many.
func printConflicts(w io.Writer, tables []Table) {
	for _, t := range tables {
		if c := t.Conflicts; c != nil && c.DuplicateKeys > 0 {
			fmt.Fprintf(w, "%s.%s: %d duplicate keys, %d rows left out (%d KV pairs); see conflicts.jsonl in the work directory\n",
				t.DB, t.Table, c.DuplicateKeys, c.LosingRows, c.Resolved.KVs)
		}
	}
}
