package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// The checkpoint commands' dump: two files, the second holding a row
// strict mode refuses (column n = 'abc'); fixing it keeps the file's
// length, so the published chunks stay valid.
const (
	ctlGood  = "INSERT INTO t VALUES (1,'a',1),(2,'b',2);\n"
	ctlBad   = "INSERT INTO t VALUES (3,'c',3),(4,'d','abc');\n"
	ctlFixed = "INSERT INTO t VALUES (3,'c',3),(4,'d','444');\n"
	ctlFile  = "bad.t.000000001.sql"
)

func ctlImport(dump, work string) pipeline.Config {
	return pipeline.Config{Dump: dump, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES"}
}

// tableKVs is the number of pairs the work directory's store holds in
// db.table's key ranges.
func tableKVs(t *testing.T, work, db, table string) uint64 {
	t.Helper()
	m := loadModel(t, work, db, table)
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := st.Checksum(context.Background(), coordinator.TableRanges(m.ID, m.PhysicalIDs()))
	if err != nil {
		t.Fatal(err)
	}
	return sum.KVs
}

// TestCheckpointErrorCommands: an import stops on a bad row; `checkpoint
// dump` shows the failed table with the file and the column; after
// ignore-error (the error cleared, the data kept) or error-destroy (the
// table's pairs deleted from the store, its progress reset) and the fix, a
// resumed import completes with exactly the dump's rows.
func TestCheckpointErrorCommands(t *testing.T) {
	for _, command := range []string{pipeline.CheckpointIgnoreError, pipeline.CheckpointErrorDestroy} {
		t.Run(command, func(t *testing.T) {
			t.Parallel()
			dump := writeDump(t, map[string]string{"bad.t.000000000.sql": ctlGood, ctlFile: ctlBad})
			work := t.TempDir()
			if _, _, err := runImport(t, ctlImport(dump, work)); err == nil {
				t.Fatal("import of the bad row succeeded")
			}
			out, err := runCLI(t, "checkpoint", "dump", "--work-dir", work)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"bad.t", "failed", ctlFile, "column n", "encode=failed"} {
				if !strings.Contains(out, want) {
					t.Errorf("dump lacks %q:\n%s", want, out)
				}
			}
			out, err = runCLI(t, "checkpoint", "dump", "--work-dir", work, "--table", "bad.t", "--json")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, `"status": "failed"`) || !strings.Contains(out, ctlFile) {
				t.Errorf("JSON dump lacks the failed table:\n%s", out)
			}

			out, err = runCLI(t, "checkpoint", command, "--work-dir", work, "--table", "bad.t")
			if err != nil {
				t.Fatalf("checkpoint %s: %v", command, err)
			}
			if !strings.Contains(out, "bad.t: ") {
				t.Errorf("checkpoint %s says nothing of bad.t:\n%s", command, out)
			}
			if command == pipeline.CheckpointErrorDestroy && (!strings.Contains(out, "NOT read again") || !strings.Contains(out, "remove --table all")) {
				t.Errorf("checkpoint %s does not say that the dump is not read again for encoded chunks:\n%s", command, out)
			}
			st := mustOpen(t, work).Snapshot()
			if len(st.FailedTables()) != 0 || st.Error != "" || st.Status == checkpoint.Failed {
				t.Fatalf("after %s: failed tables %v, import %q %q", command, st.FailedTables(), st.Status, st.Error)
			}
			if command == pipeline.CheckpointErrorDestroy {
				if n := tableKVs(t, work, "bad", "t"); n != 0 {
					t.Fatalf("error-destroy left %d pairs of bad.t in the store", n)
				}
				if r := st.Tables[checkpoint.Key("bad", "t")]; r.Reset == nil || r.Reset.Command != command {
					t.Errorf("reset not recorded: %+v", r.Reset)
				}
			}
			// Nothing to do a second time.
			if out, err := runCLI(t, "checkpoint", command, "--work-dir", work); err != nil || !strings.Contains(out, "nothing to do") {
				t.Errorf("second %s: %v %q", command, err, out)
			}

			if err := os.WriteFile(filepath.Join(dump, ctlFile), []byte(ctlFixed), 0o644); err != nil {
				t.Fatal(err)
			}
			res := mustImport(t, ctlImport(dump, work))
			if r := res.State.Tables[checkpoint.Key("bad", "t")]; r.Store != r.Source || r.Source.KVs != 4 {
				t.Errorf("resumed table: source %+v store %+v", r.Source, r.Store)
			}
			if got := exportTable(t, work, "bad", "t").values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "444"}) {
				t.Errorf("n = %q, want 1, 2, 3, 444", got)
			}
		})
	}
}

// TestCheckpointRemove: removing a complete table's checkpoint makes the
// next run import it again (sorted again from its KV topic, ingested,
// verified) instead of reporting the import complete; refused while the
// checkpoint is locked, as it is while an import runs, and an import
// refuses to start while a checkpoint command holds it.
func TestCheckpointRemove(t *testing.T) {
	t.Parallel()
	dump := writeDump(t, map[string]string{"bad.t.000000000.sql": ctlGood, ctlFile: ctlFixed})
	work := t.TempDir()
	first := mustImport(t, ctlImport(dump, work))
	before := first.State.Tables[checkpoint.Key("bad", "t")]

	unlock, err := checkpoint.Lock(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "bad.t"); !errors.Is(err, checkpoint.ErrRunning) {
		t.Errorf("remove while locked: %v", err)
	}
	if st := mustOpen(t, work).Snapshot(); st.Status != checkpoint.Complete {
		t.Errorf("a refused remove changed the checkpoint: %q", st.Status)
	}
	unlock()

	if _, err := runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "bad.nope"); !errors.Is(err, checkpoint.ErrNoSuchTable) {
		t.Errorf("remove of an unknown table: %v", err)
	}
	out, err := runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "bad.t")
	if err != nil {
		t.Fatal(err)
	}
	// (The engines went when the import completed: nothing else to remove.)
	if !strings.Contains(out, "bad.t: checkpoint removed") {
		t.Errorf("remove output:\n%s", out)
	}
	st := mustOpen(t, work).Snapshot()
	if st.Status == checkpoint.Complete || st.Tables[checkpoint.Key("bad", "t")].Status != checkpoint.Pending {
		t.Fatalf("after remove: import %q, table %q", st.Status, st.Tables[checkpoint.Key("bad", "t")].Status)
	}

	// A checkpoint command holding the lock keeps an import from starting.
	unlock, err = checkpoint.Lock(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := runImport(t, ctlImport(dump, work)); !errors.Is(err, checkpoint.ErrRunning) {
		t.Errorf("import while the checkpoint is locked: %v", err)
	}
	if st := mustOpen(t, work).Snapshot(); st.Error != "" || st.Status == checkpoint.Failed {
		t.Errorf("the refused import recorded a failure: %q %q", st.Status, st.Error)
	}
	unlock()

	res := mustImport(t, ctlImport(dump, work))
	if res.AlreadyComplete {
		t.Fatal("the import reported itself complete after remove")
	}
	r := res.State.Tables[checkpoint.Key("bad", "t")]
	// Ingested again: the reports from before the remove do not count.
	if r.Status != checkpoint.Done || r.Store != before.Store || r.Source != before.Source || r.Steps[coordinator.StepChecksum].Status != checkpoint.Done ||
		!r.Ingested.After(before.Ingested) {
		t.Errorf("re-imported table: %+v, first import %+v", r, before)
	}
	if got := exportTable(t, work, "bad", "t").values(t, "n"); !slices.Equal(sorted(got), []string{"1", "2", "3", "444"}) {
		t.Errorf("n = %q, want 1, 2, 3, 444", got)
	}

	// remove --table all drops the whole checkpoint: the next run is a new
	// import, whose pre-check finds the table holding the first one's rows.
	out, err = runCLI(t, "checkpoint", "remove", "--work-dir", work, "--table", "all")
	if err != nil || !strings.Contains(out, "checkpoint is removed") {
		t.Fatalf("remove all: %v\n%s", err, out)
	}
	if _, err := os.Stat(pipeline.CheckpointPath(work)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("checkpoint still there after remove all: %v", err)
	}
	if _, _, err := runImport(t, ctlImport(dump, work)); !errors.Is(err, coordinator.ErrTableNotEmpty) {
		t.Fatalf("new import after remove all: %v", err)
	}
}

func mustOpen(t *testing.T, work string) *checkpoint.File {
	t.Helper()
	cp, err := checkpoint.Open(pipeline.CheckpointPath(work))
	if err != nil {
		t.Fatal(err)
	}
	return cp
}
