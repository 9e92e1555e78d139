package tidbcatalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// ErrTableNotFound: TiDB's status API does not know the table.
var ErrTableNotFound = errors.New("table not found in TiDB's schema")

// TableInfo loads db.table's TableInfo from TiDB's status API (GET
// /schema/{db}/{table}, TiDB's pkg/server/handler/tikvhandler
// SchemaHandler) and turns it into the table model.
func (c *TiDB) TableInfo(ctx context.Context, db, table string) (*tablemodel.Table, error) {
	u := c.cfg.httpBase(c.cfg.StatusAddr) + "/schema/" + url.PathEscape(db) + "/" + url.PathEscape(table)
	var lastErr error
	wait := 100 * time.Millisecond
	deadline := time.Now().Add(c.cfg.StatusWait)
	for try := 0; ; try++ {
		if try > 0 {
			if time.Now().Add(wait).After(deadline) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			if wait < 8*time.Second {
				wait *= 2
			}
		}
		data, err := c.get(ctx, u)
		if err == nil {
			t, err := tablemodel.FromTableInfoJSON(data, db)
			if err != nil {
				return nil, fmt.Errorf("status API %s: %w", u, err)
			}
			return t, nil
		}
		lastErr = err
		if !errors.Is(err, ErrTableNotFound) && !isTransient(err) {
			break
		}
	}
	return nil, fmt.Errorf("table info of %s.%s: %w", db, table, lastErr)
}

// httpStatusError is a non-2xx answer.
type httpStatusError struct {
	Method string
	URL    string
	Status int
	Body   string
}

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, e.Body)
}

func isTransient(err error) bool {
	var he *httpStatusError
	if errors.As(err, &he) {
		return he.Status >= 500
	}
	// Connection errors: the server may be restarting.
	var ue *url.Error
	return errors.As(err, &ue)
}

// get reads a URL's body; 404 is ErrTableNotFound.
func (c *TiDB) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("GET %s: %w: %s", u, ErrTableNotFound, clip(string(body)))
	}
	if resp.StatusCode/100 != 2 {
		return nil, &httpStatusError{Method: http.MethodGet, URL: u, Status: resp.StatusCode, Body: clip(string(body))}
	}
	return body, nil
}
