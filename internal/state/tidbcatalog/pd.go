package tidbcatalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// pausedSchedulers are the schedulers that move regions and leaders about
// and so slow an import down and race its ingests: BR's
// pdutil.Schedulers (br/pkg/pdutil/pd.go), which Lightning pauses too.
var pausedSchedulers = map[string]bool{
	"balance-leader-scheduler":     true,
	"balance-hot-region-scheduler": true,
	"balance-region-scheduler":     true,
	"shuffle-leader-scheduler":     true,
	"shuffle-region-scheduler":     true,
	"shuffle-hot-region-scheduler": true,
	"evict-slow-store-scheduler":   true,
}

const schedulersPath = "/pd/api/v1/schedulers"

// PauseSchedulers implements coordinator.SchedulerPauser: it pauses PD's
// balance schedulers that exist (POST /pd/api/v1/schedulers/{name}
// {"delay": seconds}) and keeps renewing the pause every third of
// Config.SchedulerPause, as BR does, until resume is called; resume lifts
// the pause ({"delay": 0}). Without PD addresses it does nothing.
func (c *TiDB) PauseSchedulers(ctx context.Context) (resume func(context.Context) error, err error) {
	if len(c.cfg.PDAddrs) == 0 {
		c.cfg.Logger.Warn("no PD address (--pd): PD's schedulers are not paused during the import")
		return func(context.Context) error { return nil }, nil
	}
	names, pd, err := c.listSchedulers(ctx)
	if err != nil {
		return nil, err
	}
	var paused []string
	for _, n := range names {
		if pausedSchedulers[n] {
			paused = append(paused, n)
		}
	}
	sort.Strings(paused)
	delay := int64(c.cfg.SchedulerPause / time.Second)
	if err := c.pauseAll(ctx, pd, paused, delay); err != nil {
		// Lift what was paused before failing.
		_ = c.pauseAll(context.WithoutCancel(ctx), pd, paused, 0)
		return nil, err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(c.cfg.SchedulerPause / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := c.pauseAll(ctx, pd, paused, delay); err != nil && ctx.Err() == nil {
					c.cfg.Logger.Warn("renew the pause of PD's schedulers", "err", err)
				}
			}
		}
	}()
	var once sync.Once
	return func(rctx context.Context) error {
		var err error
		once.Do(func() {
			close(stop)
			wg.Wait()
			err = c.pauseAll(rctx, pd, paused, 0)
		})
		return err
	}, nil
}

// listSchedulers asks each PD address in turn for the scheduler names
// (GET /pd/api/v1/schedulers) and returns the base URL that answered.
func (c *TiDB) listSchedulers(ctx context.Context) ([]string, string, error) {
	var errs []error
	for _, a := range c.cfg.PDAddrs {
		base := c.cfg.httpBase(a)
		body, err := c.pdDo(ctx, http.MethodGet, base+schedulersPath, nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var names []string
		if err := json.Unmarshal(body, &names); err != nil {
			return nil, "", fmt.Errorf("PD %s: schedulers: %w", base, err)
		}
		return names, base, nil
	}
	return nil, "", fmt.Errorf("list PD's schedulers: %w", errors.Join(errs...))
}

func (c *TiDB) pauseAll(ctx context.Context, base string, names []string, delay int64) error {
	body, _ := json.Marshal(struct {
		Delay int64 `json:"delay"`
	}{delay})
	for _, n := range names {
		if _, err := c.pdDo(ctx, http.MethodPost, base+schedulersPath+"/"+n, body); err != nil {
			return fmt.Errorf("pause PD scheduler %s for %ds: %w", n, delay, err)
		}
	}
	return nil
}

func (c *TiDB) pdDo(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, &httpStatusError{Method: method, URL: u, Status: resp.StatusCode, Body: clip(string(data))}
	}
	return data, nil
}
