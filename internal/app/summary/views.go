package summary

import (
	"fmt"
	"io"
	"sort"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// View is one view of the import: no table holds its rows. With a TiDB
// catalog it is created after every table ("created"); the embedded
// catalog keeps its definition ("recorded").
type View struct {
	DB         string `json:"db"`
	View       string `json:"view"`
	File       string `json:"file"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Definition string `json:"definition"`
}

// viewStatus names a view's checkpoint status for people.
func viewStatus(st checkpoint.Status) string {
	switch st {
	case checkpoint.Done:
		return "created"
	case checkpoint.Skipped:
		return "recorded"
	case checkpoint.Failed:
		return "failed"
	}
	return "pending"
}

func views(st *checkpoint.State) []View {
	var out []View
	for _, v := range st.Views {
		out = append(out, View{DB: v.DB, View: v.Name, File: v.File, Status: viewStatus(v.Status), Reason: v.Reason, Definition: v.Definition})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DB != out[j].DB {
			return out[i].DB < out[j].DB
		}
		return out[i].View < out[j].View
	})
	return out
}

// printViews lists the views under the tables of the final report.
func printViews(w io.Writer, vs []View) {
	for _, v := range vs {
		line := fmt.Sprintf("view %s.%s: %s", v.DB, v.View, v.Status)
		if v.Reason != "" {
			line += " (" + v.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
}
