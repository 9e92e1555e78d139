package coordinator

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// DefaultImportModeRefresh is how often import mode is switched on again
// while importing: Lightning's switch-mode interval default (5 minutes,
// pkg/lightning/config config.go SwitchModeInterval), half of the 10
// minutes after which TiKV's import mode lapses by itself
// (components/sst_importer import_mode.rs).
const DefaultImportModeRefresh = 5 * time.Minute

// holdImportMode keeps the store in import mode until the returned stop is
// called (or ctx ends): it switches at once when now is set (a resumed run
// whose import-mode step was done before: the last run switched back on
// its way out, or crashed) and then every interval. Failures are warnings:
// the import goes on in normal mode, only slower. stop waits for the
// goroutine, so that no refresh can follow the switch back to normal.
func (c *Coordinator) holdImportMode(ctx context.Context, interval time.Duration, now bool) (stop func()) {
	if interval < 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		refresh := func() {
			err := c.cfg.Store.SwitchMode(ctx, true)
			if err != nil && ctx.Err() == nil && !errors.Is(err, store.ErrNotSupported) {
				c.cfg.Logger.Warn("refresh import mode", "err", err)
			}
		}
		if now {
			refresh()
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				refresh()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
		})
	}
}
