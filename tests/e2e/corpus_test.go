package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// corpusDir is the malformed-input corpus (tests/testdata/malformed,
// written by its gen command).
const corpusDir = "../testdata/malformed"

// corpusVariant is one manifest entry (see the gen command's Variant).
type corpusVariant struct {
	Name      string   `json:"name"`
	What      string   `json:"what"`
	File      string   `json:"file"`
	Corpus    string   `json:"corpus"`
	Special   string   `json:"special"`
	CSVHeader bool     `json:"csv_header"`
	SQLMode   string   `json:"sql_mode"`
	Expect    string   `json:"expect"`
	InError   []string `json:"in_error"`
	Rows      int      `json:"rows"`
	Warning   string   `json:"warning"`
}

// logCapture keeps every slog record of the test binary while a test
// runs: warnings of skipped statements and renamed tables go to slog.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *logCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// lines returns the captured lines that contain s.
func (c *logCapture) lines(s string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range strings.Split(c.buf.String(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// TestMalformedCorpus imports every variant of the malformed-input corpus
// (a third of them under the race detector, see below)
// and checks its outcome from the manifest: an error naming the file and
// the position (and nothing claiming success), or exactly the rows
// expected, with the warning expected where Lightning imports something
// odd. No variant may end otherwise: no row vanishes unnoticed.
func TestMalformedCorpus(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schema   string          `json:"schema"`
		Variants []corpusVariant `json:"variants"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Variants) < 60 {
		t.Fatalf("the corpus has %d variants, want at least 60", len(m.Variants))
	}
	capture := &logCapture{}
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(capture, &slog.HandlerOptions{Level: slog.LevelWarn})))
	t.Cleanup(func() { slog.SetDefault(old) })
	goodData, err := os.ReadFile(filepath.Join(corpusDir, "files", "gzip-ok.sql.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// Under the race detector each import takes seconds of two shared
	// cores: every third variant runs (a fixed sample, the same every
	// run), all of them with LIGHTSTREAM_CORPUS_FULL=1 or without -race.
	full := !raceEnabled || os.Getenv("LIGHTSTREAM_CORPUS_FULL") != ""
	t.Run("variants", func(t *testing.T) {
		for i, v := range m.Variants {
			if !full && i%3 != 0 {
				continue
			}
			t.Run(v.Name, func(t *testing.T) {
				t.Parallel()
				runVariant(t, m.Schema, goodData, v, capture)
			})
		}
	})
}

func runVariant(t *testing.T, schema string, goodData []byte, v corpusVariant, capture *logCapture) {
	dump := filepath.Join(t.TempDir(), "dump")
	if err := os.Mkdir(dump, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"bad-schema-create.sql": []byte("CREATE DATABASE bad;\n"),
		"bad.t-schema.sql":      []byte(schema),
	}
	if strings.HasSuffix(v.File, "-schema.sql") {
		// The variant is the schema: the data is two good rows.
		files["bad.t.000000000.sql.gz"] = goodData
		delete(files, "bad.t-schema.sql")
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dump, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dump, v.File)
	switch v.Special {
	case "":
		body, err := os.ReadFile(filepath.Join(corpusDir, "files", v.Corpus))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	case "dir":
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
	case "fifo":
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	case "unreadable":
		if os.Geteuid() == 0 {
			t.Skip("running as root: a file without read permission is still readable")
		}
		if err := os.WriteFile(path, []byte("INSERT INTO t VALUES (1,'a',1,'2020-01-01',1.50);\n"), 0o000); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown special %q", v.Special)
	}
	csv := rowparse.DefaultCSVOptions()
	csv.Header = v.CSVHeader
	work := t.TempDir()
	// One encoder, one sorter and one KV partition: the variants are tiny.
	// The variant's sql_mode: strict for the values that do not fit their
	// type (errors there); the default, Lightning's non-strict mode,
	// otherwise (TiDB stores an adjusted value with a warning:
	// TestDefaultSQLModeIsLightnings and valueconv's TiDB-rule tables
	// check those values).
	res, w, err := runImport(t, pipeline.Config{Dump: dump, WorkDir: work, CSV: csv, SQLMode: v.SQLMode, Encoders: 1, Sorters: 1, KVPartitions: 1})
	switch v.Expect {
	case "error":
		if err == nil {
			t.Fatalf("%s: the import succeeded (%d rows); want an error with %q", v.What, rowsOf(res), v.InError)
		}
		for _, want := range v.InError {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not contain %q", v.What, err, want)
			}
		}
		if res != nil && res.State.Status == checkpoint.Complete {
			t.Errorf("%s: the result claims complete", v.What)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: the import hung", v.What)
		}
	case "rows":
		if err != nil {
			t.Fatalf("%s: %v", v.What, err)
		}
		if res.State.Status != checkpoint.Complete {
			t.Fatalf("%s: status %q", v.What, res.State.Status)
		}
		got := 0
		if v.Rows > 0 {
			got = len(exportTable(t, work, "bad", "t").Rows)
		}
		if got != v.Rows {
			t.Errorf("%s: %d rows in the store, want %d", v.What, got, v.Rows)
		}
		if v.Warning != "" {
			logged := capture.lines(path)
			found := false
			for _, l := range append(logged, w.all()...) {
				found = found || strings.Contains(l, v.Warning)
			}
			if !found {
				t.Errorf("%s: no warning with %q naming %s; logged %q, warnings %q", v.What, v.Warning, path, logged, w.all())
			}
		}
	default:
		t.Fatalf("unknown expectation %q", v.Expect)
	}
}

func rowsOf(res *pipeline.Result) uint64 {
	if res == nil {
		return 0
	}
	var n uint64
	for _, tb := range res.State.Tables {
		n += tb.Rows
	}
	return n
}
