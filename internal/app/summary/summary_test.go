package summary

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrintInterrupted: an interrupted import reports the bytes it encoded
// next to the rows it encoded, not the whole dump's bytes over the time it
// ran.
func TestPrintInterrupted(t *testing.T) {
	var out bytes.Buffer
	PrintTable(&out, &Summary{Status: "running", DurationSeconds: 10, MBPerSecond: 10, RowsPerSecond: 500,
		Totals: Totals{Tables: 1, Rows: 5000, SourceBytes: 314_600_000, SourceBytesDone: 100_000_000}})
	if want := "1 tables, 5000 rows, 0 KV pairs, 100.0 of 314.6 MB source encoded in 10.0s (10.0 MB/s, 500 rows/s): running"; !strings.Contains(out.String(), want) {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	PrintTable(&out, &Summary{Status: "complete", DurationSeconds: 2, MBPerSecond: 1.5, RowsPerSecond: 10,
		Totals: Totals{Tables: 1, Rows: 20, SourceBytes: 3_000_000, SourceBytesDone: 3_000_000}})
	if want := "1 tables, 20 rows, 0 KV pairs, 3.0 MB source in 2.0s (1.5 MB/s, 10 rows/s): complete"; !strings.Contains(out.String(), want) {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
