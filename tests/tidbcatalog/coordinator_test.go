package tidbcatalog

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// fakeCluster is a catalog with a SQL layer for the coordinator: tables
// come from the embedded catalog; ADMIN CHECKSUM answers with what the
// test says TiDB would compute.
type fakeCluster struct {
	coordinator.EmbeddedCatalog
	mu       sync.Mutex
	checksum func(db, table string) checkpoint.Checksum
	rebased  []string
	analyzed []string
	paused   int
	resumed  int
}

func (f *fakeCluster) Checksum(_ context.Context, db, table string) (checkpoint.Checksum, error) {
	return f.checksum(db, table), nil
}

func (f *fakeCluster) Rebase(_ context.Context, t *tablemodel.Table) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t == nil || len(t.Columns) == 0 {
		return errors.New("no model")
	}
	f.rebased = append(f.rebased, t.DB+"."+t.Name)
	return nil
}

func (f *fakeCluster) Analyze(_ context.Context, db, table string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.analyzed = append(f.analyzed, db+"."+table)
	return nil
}

func (f *fakeCluster) PauseSchedulers(context.Context) (func(context.Context) error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused++
	return func(context.Context) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.resumed++
		return nil
	}, nil
}

func runWithCatalog(t *testing.T, cat *fakeCluster, coord **coordinator.Coordinator) (*pipeline.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return pipeline.Run(ctx, pipeline.Config{
		Dump: sakilaDir(t), WorkDir: t.TempDir(), Filter: []string{"sakila.actor", "sakila.film_actor"},
		Encoders: 1, Sorters: 1, Catalog: cat,
		OnStart: func(c *coordinator.Coordinator) { *coord = c },
	})
}

// With a PostImporter the coordinator verifies with the catalog's checksum
// and then rebases and analyzes each table; schedulers are paused for the
// run and resumed at its end.
func TestCoordinatorUsesPostImporter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an import")
	}
	var coord *coordinator.Coordinator
	cat := &fakeCluster{}
	// TiDB's checksum agrees with what the encoders produced.
	cat.checksum = func(db, table string) checkpoint.Checksum {
		for _, tp := range coord.Progress().Tables {
			if tp.DB == db && tp.Table == table {
				return tp.Source
			}
		}
		return checkpoint.Checksum{}
	}
	res, err := runWithCatalog(t, cat, &coord)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sorted(cat.rebased), ",") != "sakila.actor,sakila.film_actor" || strings.Join(sorted(cat.analyzed), ",") != "sakila.actor,sakila.film_actor" {
		t.Errorf("rebased %v analyzed %v", cat.rebased, cat.analyzed)
	}
	if cat.paused != 1 || cat.resumed != 1 {
		t.Errorf("paused %d resumed %d", cat.paused, cat.resumed)
	}
	for _, tb := range res.State.Tables {
		if tb.Steps[coordinator.StepRebase].Status != checkpoint.Done || tb.Steps[coordinator.StepAnalyze].Status != checkpoint.Done {
			t.Errorf("%s.%s steps %+v", tb.DB, tb.Name, tb.Steps)
		}
		if tb.Source.KVs == 0 || tb.Store != tb.Source {
			t.Errorf("%s.%s source %+v store %+v", tb.DB, tb.Name, tb.Source, tb.Store)
		}
	}
}

// A checksum TiDB disagrees with fails the table; nothing is rebased.
func TestCoordinatorChecksumMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an import")
	}
	var coord *coordinator.Coordinator
	cat := &fakeCluster{checksum: func(string, string) checkpoint.Checksum { return checkpoint.Checksum{Sum: 1, KVs: 1, Bytes: 1} }}
	_, err := runWithCatalog(t, cat, &coord)
	if !errors.Is(err, coordinator.ErrChecksumMismatch) || !strings.Contains(err.Error(), "ADMIN CHECKSUM") {
		t.Fatalf("err = %v", err)
	}
	if len(cat.rebased) != 0 || len(cat.analyzed) != 0 {
		t.Errorf("rebased %v analyzed %v after a mismatch", cat.rebased, cat.analyzed)
	}
	if cat.resumed != cat.paused || cat.paused != 1 {
		t.Errorf("paused %d resumed %d", cat.paused, cat.resumed)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
