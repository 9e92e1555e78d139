package coordinator

import (
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// claimCheckpoint binds the checkpoint to the import: a new one records
// the import id, a resumed one must record this id (a coordinator given
// another import's id, or another import's work directory, stops here).
func (c *Coordinator) claimCheckpoint(s *checkpoint.State) error {
	switch s.ImportID {
	case "":
		s.ImportID = c.cfg.ImportID
		return nil
	case c.cfg.ImportID:
		return nil
	default:
		return fmt.Errorf("coordinator: %w: --import-id %s, but the checkpoint %s records import %s: give --import-id %s to resume it, or another --work-dir for import %s",
			importid.ErrMismatch, c.cfg.ImportID, c.cfg.Checkpoint.Path(), s.ImportID, s.ImportID, c.cfg.ImportID)
	}
}

// awaitImport waits (bounded) for the import's manifests topic, then
// checks that its manifests come from one dump, the one the checkpoint
// records if it records one, and records it. It runs before the store is
// switched to import mode: a coordinator of an import that does not exist,
// or whose id another dump's producer used, changes nothing.
func (c *Coordinator) awaitImport(ctx context.Context) error {
	if err := importid.Await(ctx, c.cfg.Kafka, c.cfg.ImportID, c.cfg.WaitForImport); err != nil {
		return fmt.Errorf("coordinator: %w", err)
	}
	dumps, err := importid.PublishedDumps(ctx, c.cfg.Kafka, c.cfg.ImportID)
	if err != nil {
		return fmt.Errorf("coordinator: import %s: read its manifests: %w", c.cfg.ImportID, err)
	}
	snap := c.cfg.Checkpoint.Snapshot()
	recorded := importid.Dump{Dir: snap.Dump, ID: snap.DumpID}
	for i, d := range dumps {
		if !d.Same(recorded) {
			return fmt.Errorf("coordinator: %w: the checkpoint %s is of dump %s, but import %s's manifests are of dump %s: use another --work-dir (or --import-id) for that dump",
				importid.ErrOtherDump, c.cfg.Checkpoint.Path(), recorded, c.cfg.ImportID, d)
		}
		if i > 0 && !d.Same(dumps[0]) {
			return fmt.Errorf("coordinator: %w", importid.OtherDumpError(c.cfg.ImportID, dumps[0], d))
		}
	}
	if len(dumps) == 0 || snap.DumpID != "" {
		return nil
	}
	return c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		s.DumpID = dumps[0].ID
		if s.Dump == "" {
			s.Dump = dumps[0].Dir
		}
		return nil
	})
}
