package pipeline

import (
	"fmt"
	"os"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// An incremental import (Config.Incremental) imports into tables that may
// already hold rows: on the embedded default, the rows of an earlier
// import in the same work directory, whose store it shares.
//
// A work directory whose import is complete starts a new import (a new
// import id, new topics, a fresh checkpoint) over the same store and
// broker; the complete import's checkpoint is kept beside it as
// checkpoint.<import id>.json. An incremental import that did not
// complete resumes, as any import does.
func startIncremental(cfg *Config, cp *checkpoint.File) (*checkpoint.File, error) {
	if cfg.DiskQuota > 0 {
		return nil, fmt.Errorf("--incremental cannot be combined with --disk-quota: a partition's keys are checked against the store once, before its first ingest, and the quota ingests a partition in parts")
	}
	if cfg.Ingest.Existing == nil {
		// The conflict strategy "error": a key of the dump the store
		// already holds stops the import, named.
		cfg.Ingest.Existing = ingest.RefuseExisting
	}
	snap := cp.Snapshot()
	if snap.Status != checkpoint.Complete {
		return cp, nil
	}
	unlock, err := checkpoint.Lock(cp.Path())
	if err != nil {
		return nil, err
	}
	defer unlock()
	id := snap.ImportID
	if id == "" {
		id = "previous"
	}
	archive := fmt.Sprintf("%s.%s.json", cp.Path()[:len(cp.Path())-len(".json")], id)
	if _, err := os.Stat(archive); err == nil {
		return nil, fmt.Errorf("--incremental: %s already exists: the work directory's complete import would be kept there", archive)
	}
	if err := os.Rename(cp.Path(), archive); err != nil {
		return nil, fmt.Errorf("--incremental: keep the complete import's checkpoint: %w", err)
	}
	if cfg.ImportID == snap.ImportID {
		cfg.ImportID = "" // a new import: a new id
	}
	cfg.Logger.Warn("--incremental: the work directory's import is complete; its checkpoint is kept aside and a new import into the same store starts",
		"import_id", snap.ImportID, "work_dir", cfg.WorkDir, "kept_as", archive)
	return checkpoint.Open(cp.Path())
}
