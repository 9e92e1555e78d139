package checkpoint

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the tables keys selects (all of them when keys is nil)
// and the import's steps as indented JSON: the checkpoint's own fields,
// without the table models (`lightstream tables` shows definitions).
func (s *State) WriteJSON(w io.Writer, keys []string) error {
	out := *s
	out.Tables = map[string]*Table{}
	if keys == nil {
		keys = s.TableKeys()
	}
	for _, k := range keys {
		t := *s.Tables[k]
		t.Model = nil
		out.Tables[k] = &t
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
}

// WriteText writes the import (id, dump, status, error), its steps and the
// tables keys selects (all of them when keys is nil) with their status,
// figures, steps and errors, as columns a person reads.
func (s *State) WriteText(w io.Writer, keys []string) error {
	if keys == nil {
		keys = s.TableKeys()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	status := string(s.Status)
	if status == "" {
		status = "pending"
	}
	fmt.Fprintf(tw, "import\t%s\n", s.ImportID)
	fmt.Fprintf(tw, "dump\t%s\n", s.Dump)
	fmt.Fprintf(tw, "status\t%s\n", status)
	if !s.Started.IsZero() {
		fmt.Fprintf(tw, "started\t%s\n", s.Started.Format(time.RFC3339))
	}
	if !s.Finished.IsZero() {
		fmt.Fprintf(tw, "finished\t%s\n", s.Finished.Format(time.RFC3339))
	}
	if s.Error != "" {
		fmt.Fprintf(tw, "error\t%s\n", s.Error)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "STEP\tSTATUS\tAT\tREASON")
	for _, name := range sortedSteps(s.Steps) {
		st := s.Steps[name]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, statusText(st.Status), timeText(st.At), st.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "TABLE\tID\tSTATUS\tROWS\tSOURCE KVS\tSTORE KVS\tCHECKSUM\tSTEPS\tERROR")
	for _, k := range keys {
		t := s.Tables[k]
		var steps []string
		for _, name := range sortedSteps(t.Steps) {
			steps = append(steps, name+"="+statusText(t.Steps[name].Status))
		}
		sum := "-"
		if t.Source != (Checksum{}) || t.Store != (Checksum{}) {
			sum = "differs"
			if t.Source == t.Store || (t.Incremental && t.Store == Expected(t)) {
				sum = "match"
			}
		}
		fmt.Fprintf(tw, "%s.%s\t%d\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", t.DB, t.Name, t.TableID, statusText(t.Status),
			t.Rows, t.Source.KVs, t.Store.KVs, sum, strings.Join(steps, ","), oneLine(t.Error))
	}
	return tw.Flush()
}

// Expected is what the store must hold of a table once imported: its
// source checksum, plus, for an incremental import, the pairs it held
// before less those conflicting rows replaced (XOR of CRCs; counts and
// bytes add up).
func Expected(t *Table) Checksum {
	if !t.Incremental {
		return t.Source
	}
	return Checksum{
		Sum:   t.Before.Sum ^ t.Source.Sum ^ t.Replaced.Sum,
		KVs:   t.Before.KVs + t.Source.KVs - t.Replaced.KVs,
		Bytes: t.Before.Bytes + t.Source.Bytes - t.Replaced.Bytes,
	}
}

func sortedSteps(m map[string]Step) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if !m[names[i]].At.Equal(m[names[j]].At) {
			return m[names[i]].At.Before(m[names[j]].At)
		}
		return names[i] < names[j]
	})
	return names
}

func statusText(s Status) string {
	if s == Pending {
		return "pending"
	}
	return string(s)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

// oneLine keeps a multi-line error on its table's row.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
