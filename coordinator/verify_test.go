package coordinator

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/ops/logsink"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// fakeCluster is a Cluster whose checksum is given; it records what the
// coordinator asked of it.
type fakeCluster struct {
	sum        checkpoint.Checksum
	analyzeErr error
	calls      []string
}

func (f *fakeCluster) Checksum(_ context.Context, db, table string) (checkpoint.Checksum, error) {
	f.calls = append(f.calls, "checksum "+db+"."+table)
	return f.sum, nil
}

func (f *fakeCluster) Rebase(_ context.Context, t *tablemodel.Table) error {
	f.calls = append(f.calls, "rebase "+t.DB+"."+t.Name)
	return nil
}

func (f *fakeCluster) Analyze(_ context.Context, db, table string) error {
	f.calls = append(f.calls, "analyze "+db+"."+table)
	return f.analyzeErr
}

func (f *fakeCluster) PauseSchedulers(context.Context) (func(context.Context) error, error) {
	return func(context.Context) error { return nil }, nil
}

// verifyCoordinator is a coordinator given cluster, holding table d.t
// ready to verify (no chunks) with source checksum source; warnings
// collects its warning records, and "verified d.t" when Config.Verified
// is called.
func verifyCoordinator(t *testing.T, cluster Cluster, source checkpoint.Checksum) (c *Coordinator, cp *checkpoint.File, warnings *[]string) {
	t.Helper()
	cp, err := checkpoint.Open(filepath.Join(t.TempDir(), "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	model, err := json.Marshal(&tablemodel.Table{DB: "d", Name: "t", ID: 1000})
	if err != nil {
		t.Fatal(err)
	}
	key := checkpoint.Key("d", "t")
	if err := cp.Update(func(s *checkpoint.State) error {
		s.Tables[key] = &checkpoint.Table{DB: "d", Name: "t", TableID: 1000, Model: model}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var warned []string
	log := slog.New(logsink.New(slog.LevelWarn, func(_ slog.Level, s string) { warned = append(warned, s) }))
	c, err = New(Config{ImportID: "verify", Store: &modeStore{}, Checkpoint: cp, Cluster: cluster, Logger: log,
		Verified: func(_ context.Context, mf *lsv1.TableManifest) {
			warned = append(warned, "verified "+mf.Db+"."+mf.Table)
		}})
	if err != nil {
		t.Fatal(err)
	}
	c.tables[key] = &tableState{manifest: &lsv1.TableManifest{Db: "d", Table: "t"}, tableID: 1000, source: source,
		chunks: map[string]*lsv1.ChunkEncoded{}, parts: map[uint32]*lsv1.PartitionIngested{}}
	return c, cp, &warned
}

// TestClusterFinishesTable: a coordinator given a Cluster verifies with its
// checksum, then rebases and analyzes; a failed ANALYZE is a warning
// record naming the table, and the step is recorded failed.
func TestClusterFinishesTable(t *testing.T) {
	sum := checkpoint.Checksum{Sum: 7, KVs: 3, Bytes: 90}
	cl := &fakeCluster{sum: sum, analyzeErr: errors.New("stats worker busy")}
	c, cp, warned := verifyCoordinator(t, cl, sum)
	if err := c.maybeFinish(context.Background(), checkpoint.Key("d", "t")); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cl.calls, ","); got != "checksum d.t,rebase d.t,analyze d.t" {
		t.Errorf("cluster calls %s", got)
	}
	rec := cp.Snapshot().Tables[checkpoint.Key("d", "t")]
	if rec.Status != checkpoint.Done || rec.Store != sum || rec.Steps[StepRebase].Status != checkpoint.Done ||
		rec.Steps[StepAnalyze].Status != checkpoint.Failed || rec.Steps[StepAnalyze].Reason != "stats worker busy" {
		t.Errorf("checkpoint record %+v", rec)
	}
	if len(*warned) != 2 || !strings.Contains((*warned)[0], "analyze") || !strings.Contains((*warned)[0], "table=d.t") ||
		!strings.Contains((*warned)[0], "stats worker busy") || !strings.Contains((*warned)[0], "role=coordinator") ||
		(*warned)[1] != "verified d.t" {
		t.Errorf("warnings and Verified calls %q", *warned)
	}
}

// TestClusterChecksumMismatch: a checksum the cluster disagrees with fails
// the table with ErrChecksumMismatch, names ADMIN CHECKSUM, and nothing is
// rebased.
func TestClusterChecksumMismatch(t *testing.T) {
	cl := &fakeCluster{sum: checkpoint.Checksum{Sum: 1, KVs: 1, Bytes: 1}}
	c, cp, warned := verifyCoordinator(t, cl, checkpoint.Checksum{Sum: 7, KVs: 3, Bytes: 90})
	err := c.maybeFinish(context.Background(), checkpoint.Key("d", "t"))
	if !errors.Is(err, ErrChecksumMismatch) || !strings.Contains(err.Error(), "ADMIN CHECKSUM") {
		t.Fatalf("err = %v", err)
	}
	if len(*warned) != 0 {
		t.Errorf("a table that failed its checksum: %q (its KV topic must stay)", *warned)
	}
	if got := strings.Join(cl.calls, ","); got != "checksum d.t" {
		t.Errorf("cluster calls %s", got)
	}
	if rec := cp.Snapshot().Tables[checkpoint.Key("d", "t")]; rec.Status != checkpoint.Failed || rec.Error != err.Error() {
		t.Errorf("checkpoint record %+v", rec)
	}
}

// TestCatalogServesAsCluster: without Config.Cluster, a Catalog that is
// also a Cluster serves as one; an explicit Cluster wins.
func TestCatalogServesAsCluster(t *testing.T) {
	cp, err := checkpoint.Open(filepath.Join(t.TempDir(), "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	type clusterCatalog struct {
		EmbeddedCatalog
		*fakeCluster
	}
	cat := clusterCatalog{fakeCluster: &fakeCluster{}}
	c, err := New(Config{ImportID: "x", Store: &modeStore{}, Checkpoint: cp, Catalog: cat})
	if err != nil || c.cfg.Cluster != Cluster(cat) {
		t.Errorf("catalog as cluster: %v, %T", err, c.cfg.Cluster)
	}
	other := &fakeCluster{}
	c, err = New(Config{ImportID: "x", Store: &modeStore{}, Checkpoint: cp, Catalog: cat, Cluster: other})
	if err != nil || c.cfg.Cluster != Cluster(other) {
		t.Errorf("explicit cluster: %v, %T", err, c.cfg.Cluster)
	}
	c, err = New(Config{ImportID: "x", Store: &modeStore{}, Checkpoint: cp})
	if err != nil || c.cfg.Cluster != nil || c.checksumSource() != "store" {
		t.Errorf("no cluster: %v, %T", err, c.cfg.Cluster)
	}
}
