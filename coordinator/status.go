package coordinator

import "github.com/lightstream-io/lightstream/internal/state/checkpoint"

// StepImportTables is the lifecycle stage between creating the schemas and
// compacting: every table encoded, sorted, ingested and verified. The
// checkpoint records it per table, not as a step of its own.
const StepImportTables = "import-tables"

// LifecycleStep is one step of the import's lifecycle as the checkpoint
// records it.
type LifecycleStep struct {
	Name string
	checkpoint.Step
}

// Lifecycle is the import's identity, state and steps in the order they
// run, read from the checkpoint: what a status page shows.
type Lifecycle struct {
	ImportID string
	Dump     string
	Status   checkpoint.Status
	Error    string
	Steps    []LifecycleStep
}

// Lifecycle returns the import's lifecycle now. A step not yet reached is
// pending; the step after the last one done is running while the import
// runs.
func (c *Coordinator) Lifecycle() Lifecycle {
	s := c.cfg.Checkpoint.Snapshot()
	l := Lifecycle{ImportID: s.ImportID, Dump: s.Dump, Status: s.Status, Error: s.Error}
	p := c.Progress()
	tables := checkpoint.Step{}
	if p.TablesTotal > 0 && p.TablesDone == p.TablesTotal {
		tables.Status = checkpoint.Done
	}
	for _, name := range []string{StepImportMode, StepSchemas, StepImportTables, StepCompact, StepNormalMode} {
		st := s.Steps[name]
		if name == StepImportTables {
			st = tables
		}
		l.Steps = append(l.Steps, LifecycleStep{Name: name, Step: st})
	}
	if s.Status == checkpoint.Running || s.Status == checkpoint.Failed {
		for i := range l.Steps {
			if l.Steps[i].Status == checkpoint.Pending {
				l.Steps[i].Status = checkpoint.Running
				if s.Status == checkpoint.Failed {
					l.Steps[i].Status = checkpoint.Failed
					l.Steps[i].Reason = s.Error
				}
				break
			}
		}
	}
	return l
}
