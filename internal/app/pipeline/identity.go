package pipeline

import (
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/producer"
)

// resolveImportID decides the import's id (importid.Resolve): the work
// directory's recorded one, --import-id for a new import, or a new id
// named after the plan's one database or the dump directory. A plan made
// without an id gets its KV topics named here.
func resolveImportID(cfg Config, snap checkpoint.State, plan *producer.Plan, absDump string) (string, bool, error) {
	id, created, err := importid.Resolve(cfg.WorkDir, snap.ImportID, cfg.ImportID, snap.Dump != "", func() string {
		var dbs []string
		if plan != nil {
			dbs = plan.Databases()
		}
		// An s3:// location is named by its prefix, not its options.
		dir, _, _ := strings.Cut(absDump, "?")
		return importid.Generate(importid.NameOf(dbs, dir), time.Now())
	})
	if err != nil {
		return "", false, err
	}
	if plan != nil {
		plan.SetImportID(id)
	}
	return id, created, nil
}

// announceImportID logs the import's id and tells cfg.OnImportID.
func announceImportID(cfg Config, id string, created bool) {
	cfg.Logger.Info("import identity", "import_id", id, "new", created, "work_dir", cfg.WorkDir)
	if cfg.OnImportID != nil {
		cfg.OnImportID(id, created)
	}
}
