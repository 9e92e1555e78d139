package coordinator

import (
	"context"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// Cluster is the SQL layer of a target cluster (TiDB, through
// internal/state/tidbcatalog), given to the coordinator as Config.Cluster:
// it keeps PD's schedulers paused for the import and finishes each table
// after ingest, as TiDB Lightning's post-restore steps do. Without one the
// coordinator checksums the store itself and there is nothing to rebase or
// analyze.
type Cluster interface {
	PostImporter
	SchedulerPauser
}

// PostImporter finishes each table after ingest: the coordinator verifies
// a table with its Checksum (ADMIN CHECKSUM TABLE) instead of scanning the
// store, then rebases the table's ID allocators and analyzes it.
type PostImporter interface {
	// Checksum is the table's checksum as the cluster computes it.
	Checksum(ctx context.Context, db, table string) (checkpoint.Checksum, error)
	// Rebase moves the table's AUTO_INCREMENT / AUTO_RANDOM / row ID
	// allocators past the imported maximum.
	Rebase(ctx context.Context, t *tablemodel.Table) error
	// Analyze collects the table's statistics.
	Analyze(ctx context.Context, db, table string) error
}

// SchedulerPauser keeps the cluster's balance schedulers from moving
// regions during the import.
type SchedulerPauser interface {
	// PauseSchedulers pauses them until resume is called (the pause also
	// expires by itself should the coordinator die).
	PauseSchedulers(ctx context.Context) (resume func(context.Context) error, err error)
}

// StepRebase names the per-table allocator rebase in the checkpoint.
const StepRebase = "rebase"
