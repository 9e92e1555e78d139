package coordinator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// Run drives the import to completion. It returns nil once every table is
// imported and verified, and the checkpoint says complete.
func (c *Coordinator) Run(ctx context.Context) error {
	cp := c.cfg.Checkpoint
	unlock, err := c.lockCheckpoint()
	if err != nil {
		return err
	}
	defer unlock()
	if err := cp.Update(func(s *checkpoint.State) error {
		if err := c.claimCheckpoint(s); err != nil {
			return err
		}
		if s.Started.IsZero() {
			s.Started = time.Now().UTC()
		}
		s.Status = checkpoint.Running
		s.Error = ""
		return nil
	}); err != nil {
		return err
	}
	if err := c.awaitImport(ctx); err != nil {
		return err
	}
	resumed := cp.StepDone(StepImportMode)
	if err := c.step(StepImportMode, func() error { return c.cfg.Store.SwitchMode(ctx, true) }); err != nil {
		return err
	}
	// Normal mode is restored on every way out, as Lightning does (a
	// background context: a cancelled run must still switch back).
	defer func() {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := c.cfg.Store.SwitchMode(bg, false); err != nil && !errors.Is(err, store.ErrNotSupported) {
			c.cfg.Logger.Warn("switch store back to normal mode", "err", err)
		}
	}()
	// Import mode lapses on TiKV unless refreshed; a resumed run switches
	// it on again (the step is recorded done from the first run).
	stopImportMode := func() {}
	if cp.Snapshot().Steps[StepImportMode].Status == checkpoint.Done {
		stopImportMode = c.holdImportMode(ctx, c.cfg.ImportModeRefresh, resumed)
	}
	defer stopImportMode()

	// With a Cluster, PD's schedulers stay paused until the import ends,
	// whichever way it ends.
	if c.cfg.Cluster != nil {
		resume, err := c.cfg.Cluster.PauseSchedulers(ctx)
		if err != nil {
			return c.fail(fmt.Errorf("pause schedulers: %w", err))
		}
		defer func() {
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := resume(bg); err != nil {
				c.cfg.Logger.Warn("resume PD's schedulers", "err", err)
			}
		}()
	}

	w, err := topiclog.NewWriter(c.cfg.Kafka)
	if err != nil {
		return err
	}
	defer w.Close()

	if err := c.loadManifests(ctx); err != nil {
		return err
	}
	stopCatalog, err := c.startStoreCatalog(ctx)
	if err != nil {
		return c.fail(err)
	}
	defer stopCatalog()
	if err := c.createSchemas(ctx, w); err != nil {
		return c.fail(err)
	}
	if err := c.trackEvents(ctx); err != nil {
		return c.fail(err)
	}
	if err := c.createViews(ctx); err != nil {
		return c.fail(err)
	}
	if err := c.step(StepCompact, func() error { return c.cfg.Store.Compact(ctx, nil, nil) }); err != nil {
		return err
	}
	stopImportMode()
	if err := c.step(StepNormalMode, func() error { return c.cfg.Store.SwitchMode(ctx, false) }); err != nil {
		return err
	}
	c.releaseClaims(ctx)
	return cp.Update(func(s *checkpoint.State) error {
		s.Status = checkpoint.Complete
		s.Finished = time.Now().UTC()
		return nil
	})
}

// ErrNotRecorded: the import's failure could not be written into its
// checkpoint (`lightstream checkpoint dump` does not show it, and a
// checkpoint command that needs it, such as error-destroy, does not find
// it). The error that says so wraps it with the failure and the cause.
var ErrNotRecorded = errors.New("the failure could not be recorded in the checkpoint")

// fail records err as the import's failure and returns it, joined with
// ErrNotRecorded and the cause when the checkpoint could not be written.
func (c *Coordinator) fail(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if uerr := c.cfg.Checkpoint.Update(func(s *checkpoint.State) error {
		s.Status = checkpoint.Failed
		s.Error = err.Error()
		return nil
	}); uerr != nil {
		return notRecorded(err, c.cfg.Checkpoint.Path(), uerr)
	}
	return err
}

// notRecorded joins a failure with the checkpoint write that lost it.
func notRecorded(err error, path string, uerr error) error {
	return fmt.Errorf("%w (%w, %s: %w)", err, ErrNotRecorded, path, uerr)
}

// step runs a lifecycle step once: a store that cannot do it records the
// step as skipped with the reason.
func (c *Coordinator) step(name string, fn func() error) error {
	if c.cfg.Checkpoint.StepDone(name) {
		return nil
	}
	err := fn()
	switch {
	case err == nil:
		c.cfg.Logger.Info("step done", "step", name)
		return c.cfg.Checkpoint.SetStep(name, checkpoint.Done, "")
	case errors.Is(err, store.ErrNotSupported):
		c.cfg.Logger.Info("step skipped", "step", name, "reason", err)
		return c.cfg.Checkpoint.SetStep(name, checkpoint.Skipped, err.Error())
	default:
		return fmt.Errorf("%s: %w", name, err)
	}
}
