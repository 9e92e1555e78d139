package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pingcap/log"
	"go.uber.org/zap/zapcore"

	"github.com/lightstream-io/lightstream/internal/app/export"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/ops/leakcheck"
	"github.com/lightstream-io/lightstream/internal/ops/logsink"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

func TestMain(m *testing.M) {
	// client-go logs region and TSO events through pingcap/log on stdout;
	// keep test output to failures.
	log.SetLevel(zapcore.ErrorLevel)
	// Every goroutine of the imports these tests run has an owner that
	// waits for it: none may outlive the tests.
	leakcheck.Main(m)
}

// importTimeout bounds one import; a hang must fail the test, not the
// whole package's timeout.
func importTimeout() time.Duration {
	if raceEnabled {
		return 10 * time.Minute
	}
	return 3 * time.Minute
}

// sharedDir locates the shared corpora: $LIGHTSTREAM_SHARED, else
// <repo>/../shared where <repo> holds go.mod.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("LIGHTSTREAM_SHARED"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "corpora")); err != nil {
			t.Fatalf("LIGHTSTREAM_SHARED=%s has no corpora/: %v", d, err)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared")
			if _, err := os.Stat(filepath.Join(d, "corpora")); err != nil {
				golden.Missing(t, fmt.Sprintf("shared corpora not found at %s (set LIGHTSTREAM_SHARED): %v", d, err))
			}
			return d
		}
		if filepath.Dir(dir) == dir {
			golden.Missing(t, "repository root (go.mod) not found; set LIGHTSTREAM_SHARED")
		}
	}
}

// corpus returns the path of a corpus under shared/corpora.
func corpus(t testing.TB, parts ...string) string {
	return filepath.Join(append([]string{sharedDir(t), "corpora"}, parts...)...)
}

// warnings collects the pipeline's warnings for the user.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) add(s string) {
	w.mu.Lock()
	w.list = append(w.list, s)
	w.mu.Unlock()
}

func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.list...)
}

// runImport runs one import in-process with two encoders and two sorters
// on the embedded broker and store.
func runImport(t testing.TB, cfg pipeline.Config) (*pipeline.Result, *warnings, error) {
	t.Helper()
	w := &warnings{}
	if cfg.Encoders == 0 {
		cfg.Encoders = 2
	}
	if cfg.Sorters == 0 {
		cfg.Sorters = 2
	}
	if cfg.KVPartitions == 0 {
		cfg.KVPartitions = 2
	}
	// The import's warnings, as the log's warning records
	// ("message key=value ...").
	cfg.Logger = slog.New(logsink.New(slog.LevelWarn, func(_ slog.Level, line string) { w.add(line) }))
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout())
	defer cancel()
	res, err := pipeline.Run(ctx, cfg)
	if ctx.Err() != nil {
		t.Fatalf("import of %s did not finish in %v: %v", cfg.Dump, importTimeout(), err)
	}
	return res, w, err
}

// mustImport runs an import that must complete.
func mustImport(t testing.TB, cfg pipeline.Config) *pipeline.Result {
	t.Helper()
	res, _, err := runImport(t, cfg)
	if err != nil {
		t.Fatalf("import %s: %v", cfg.Dump, err)
	}
	if res.State.Status != checkpoint.Complete {
		t.Fatalf("import %s: status %q, want complete", cfg.Dump, res.State.Status)
	}
	return res
}

// loadModel reads a table's model from the work directory's checkpoint;
// names match case-insensitively, as MySQL matches database names.
func loadModel(t testing.TB, workDir, db, table string) *tablemodel.Table {
	t.Helper()
	cp, err := checkpoint.Open(pipeline.CheckpointPath(workDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cp.Snapshot().Tables {
		if strings.EqualFold(ct.DB, db) && strings.EqualFold(ct.Name, table) {
			if len(ct.Model) == 0 {
				t.Fatalf("table %s.%s has no model in the checkpoint", db, table)
			}
			var m tablemodel.Table
			if err := json.Unmarshal(ct.Model, &m); err != nil {
				t.Fatalf("model of %s.%s: %v", db, table, err)
			}
			return &m
		}
	}
	t.Fatalf("table %s.%s is not in the checkpoint of %s", db, table, workDir)
	return nil
}

// exported is a table read back out of the store: the header and the rows,
// each value in MySQL's text form, nil for NULL.
type exported struct {
	Header []string
	Rows   [][]*string
}

// col returns the index of a column in the header.
func (e *exported) col(t testing.TB, name string) int {
	t.Helper()
	for i, h := range e.Header {
		if h == name {
			return i
		}
	}
	t.Fatalf("column %q not in export header %q", name, e.Header)
	return -1
}

// values returns one column's non-NULL values.
func (e *exported) values(t testing.TB, name string) []string {
	i := e.col(t, name)
	var out []string
	for _, r := range e.Rows {
		if r[i] != nil {
			out = append(out, *r[i])
		}
	}
	return out
}

// exportTable exports db.table from the work directory's store (the store
// must not be open elsewhere) and parses the CSV back.
func exportTable(t testing.TB, workDir, db, table string) *exported {
	t.Helper()
	raw := exportCSV(t, workDir, db, table)
	e, err := parseDumpCSV(raw)
	if err != nil {
		t.Fatalf("parse export of %s.%s: %v", db, table, err)
	}
	return e
}

// exportCSV exports db.table as dumpling CSV the way `lightstream export`
// does: UTC, virtual generated columns computed.
func exportCSV(t testing.TB, workDir, db, table string) []byte {
	t.Helper()
	m := loadModel(t, workDir, db, table)
	st, err := store.OpenEmbedded(pipeline.StoreDir(workDir))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	gen, err := export.Generated(m, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := export.Table(context.Background(), st, m, export.Options{Loc: time.UTC, Generated: gen}, &buf)
	if err != nil {
		t.Fatalf("export %s.%s: %v", db, table, err)
	}
	_ = n
	return buf.Bytes()
}

// rowChecks are the figures of sakila-expected-checks.json: COUNT(*),
// SUM and BIT_XOR of CRC32(CONCAT_WS('|', IFNULL(col,'\N'), ...)).
type rowChecks struct {
	Count int64
	Sum   uint64
	Xor   uint32
}

func (c rowChecks) String() string {
	return fmt.Sprintf("count=%d sum_crc32=%d xor_crc32=%d", c.Count, c.Sum, c.Xor)
}

// checksOf computes rowChecks over the exported rows, leaving out the
// excluded columns.
func checksOf(e *exported, excluded []string) rowChecks {
	skip := map[string]bool{}
	for _, c := range excluded {
		skip[strings.ToLower(c)] = true
	}
	var c rowChecks
	var b []byte
	for _, r := range e.Rows {
		b = b[:0]
		first := true
		for i, v := range r {
			if skip[strings.ToLower(e.Header[i])] {
				continue
			}
			if !first {
				b = append(b, '|')
			}
			first = false
			if v == nil {
				b = append(b, `\N`...)
			} else {
				b = append(b, *v...)
			}
		}
		sum := crc32.ChecksumIEEE(b)
		c.Count++
		c.Sum += uint64(sum)
		c.Xor ^= sum
	}
	return c
}

func crc32IEEE(s string) uint32 { return crc32.ChecksumIEEE([]byte(s)) }
