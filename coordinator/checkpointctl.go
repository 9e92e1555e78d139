package coordinator

import (
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// lockCheckpoint takes the checkpoint's lock for the run: a checkpoint
// command (`lightstream checkpoint remove ...`) refuses while it is held,
// and a second coordinator of the same work directory stops here.
func (c *Coordinator) lockCheckpoint() (func(), error) {
	unlock, err := checkpoint.Lock(c.cfg.Checkpoint.Path())
	if err != nil {
		return nil, fmt.Errorf("coordinator: %w", err)
	}
	return unlock, nil
}

// eventFloors returns, by table key, the events topic offset below which
// the table's ingest reports are ignored: those written before a
// checkpoint command reset the table (checkpoint.Table.EventsFrom).
func (c *Coordinator) eventFloors() map[string]int64 {
	floors := map[string]int64{}
	for k, t := range c.cfg.Checkpoint.Snapshot().Tables {
		if t.EventsFrom > 0 {
			floors[k] = t.EventsFrom
		}
	}
	return floors
}

// recordChunkFailure records a chunk's failure on its table, so that
// `lightstream checkpoint dump` shows which table failed and why (the
// import's error says the same).
func (c *Coordinator) recordChunkFailure(key string, f *lsv1.ImportFailed, err error) {
	_ = c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		r := s.Tables[key]
		if r == nil {
			return nil
		}
		r.Status, r.Error = checkpoint.Failed, err.Error()
		if r.Steps == nil {
			r.Steps = map[string]checkpoint.Step{}
		}
		r.Steps[StepEncode] = checkpoint.Step{Status: checkpoint.Failed, Reason: fmt.Sprintf("chunk %s: %s", f.ChunkId, f.Error), At: time.Now().UTC()}
		return nil
	})
}

// StepEncode is the per-table step a chunk's failure is recorded under.
const StepEncode = "encode"

// expected is the checksum the store must hold of a table once imported
// (checkpoint.Expected): the source's, or for a table that held rows
// before an incremental import, those rows' plus the source's less the
// replaced.
func (c *Coordinator) expected(key string, source checkpoint.Checksum) (checkpoint.Checksum, *checkpoint.Table) {
	rec := c.cfg.Checkpoint.Snapshot().Tables[key]
	if rec == nil || !rec.Incremental {
		return source, nil
	}
	rec.Source = source
	return checkpoint.Expected(rec), rec
}

// expectedText names the checksum a table is compared with.
func expectedText(inc *checkpoint.Table) string {
	if inc == nil {
		return "source"
	}
	return fmt.Sprintf("expected (the %d pairs held before the import plus the source's %d less %d replaced)", inc.Before.KVs, inc.Source.KVs, inc.Replaced.KVs)
}
