package coordinator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// lockCheckpoint takes the checkpoint's lock for the run: a checkpoint
// command (`lightstream checkpoint remove ...`) refuses while it is held,
// and a second coordinator of the same work directory stops here.
func (c *Coordinator) lockCheckpoint() (func(), error) {
	// A coordinator started on a new work directory creates it (the
	// checkpoint's first write would).
	if err := os.MkdirAll(filepath.Dir(c.cfg.Checkpoint.Path()), 0o755); err != nil {
		return nil, fmt.Errorf("coordinator: %w", err)
	}
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
// import's error says the same). It returns err, joined with
// ErrNotRecorded when the checkpoint could not be written.
func (c *Coordinator) recordChunkFailure(key string, f *lsv1.ImportFailed, err error) error {
	if uerr := c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
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
	}); uerr != nil {
		return notRecorded(err, c.cfg.Checkpoint.Path(), uerr)
	}
	return err
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

// RecordFailures records in the checkpoint the failures members reported
// on the events topic from offset from (where the run's members started)
// that the coordinator did not read before it stopped: in one process, a member's failure cancels the
// coordinator at once, often before its event arrives. The import's error
// and each failed table's are recorded as Run records those it reads, so
// that `lightstream checkpoint dump` shows them. It returns the first
// failure found (nil when none), joined with ErrNotRecorded when a failure
// could not be written into the checkpoint.
func (c *Coordinator) RecordFailures(ctx context.Context, from int64) error {
	topic := schemas.Topic(c.cfg.ImportID, schemas.EventsSuffix)
	end, err := topiclog.EndOffset(ctx, c.cfg.Kafka, topic)
	if err != nil || end <= from {
		return err
	}
	var first, lost error
	err = topiclog.Follow(ctx, c.cfg.Kafka, topic, func(m kafkaio.Message) error {
		if m.Offset >= from {
			var ev lsv1.Event
			if err := proto.Unmarshal(m.Value, &ev); err != nil {
				return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
			}
			if b, ok := ev.Body.(*lsv1.Event_Failed); ok {
				f := b.Failed
				ferr := failureError(f)
				if rerr := c.recordChunkFailure(checkpoint.Key(f.Db, f.Table), f, ferr); rerr != ferr && lost == nil {
					lost = rerr
				}
				if first == nil {
					first = ferr
				}
			}
		}
		if m.Offset+1 >= end {
			return topiclog.ErrStop
		}
		return nil
	})
	if err != nil {
		return err
	}
	if first == nil {
		return nil
	}
	if ferr := c.fail(first); ferr != first {
		return ferr
	}
	if lost != nil {
		return lost
	}
	return first
}

// RecordError records err, a member's failure that stopped the import
// without an event (a sorter's), as the import's error in the checkpoint.
// It returns nil once recorded, or an error wrapping ErrNotRecorded that
// says why it could not be.
func (c *Coordinator) RecordError(err error) error {
	if ferr := c.fail(err); ferr != err {
		return ferr
	}
	return nil
}
