// Package catalogtest holds test doubles for the TiDB catalog: a SQL
// connection that answers from recorded result sets and records what it
// was sent, a fake TiDB status API serving recorded TableInfo JSON, and a
// fake PD HTTP API recording scheduler pauses.
package catalogtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
)

// Recorded is a tidbcatalog.SQL whose queries are answered from Results (by
// exact statement text, else by the longest registered prefix) and whose
// statements are recorded in order.
type Recorded struct {
	mu sync.Mutex
	// Results answer Query by statement.
	results map[string]*tidbcatalog.ResultSet
	// errs fail a statement (Exec or Query) by prefix.
	errs map[string]error
	log  []string
}

// NewRecorded returns an empty recorded connection.
func NewRecorded() *Recorded {
	return &Recorded{results: map[string]*tidbcatalog.ResultSet{}, errs: map[string]error{}}
}

// Answer registers the result of statements starting with prefix.
func (r *Recorded) Answer(prefix string, rs *tidbcatalog.ResultSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[prefix] = rs
}

// Fail makes statements starting with prefix fail with err.
func (r *Recorded) Fail(prefix string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs[prefix] = err
}

// Statements returns what was run, in order.
func (r *Recorded) Statements() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

// Session implements tidbcatalog.SQL.
func (r *Recorded) Session(context.Context) (tidbcatalog.Session, error) {
	return recordedSession{r}, nil
}

// Close implements tidbcatalog.SQL.
func (r *Recorded) Close() error { return nil }

func (r *Recorded) run(q string) (*tidbcatalog.ResultSet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, q)
	best := -1
	var err error
	for p, e := range r.errs {
		if strings.HasPrefix(q, p) && len(p) > best {
			best, err = len(p), e
		}
	}
	if err != nil {
		return nil, err
	}
	best = -1
	var rs *tidbcatalog.ResultSet
	for p, v := range r.results {
		if strings.HasPrefix(q, p) && len(p) > best {
			best, rs = len(p), v
		}
	}
	if rs == nil {
		return &tidbcatalog.ResultSet{}, nil
	}
	return rs, nil
}

type recordedSession struct{ r *Recorded }

func (s recordedSession) Exec(_ context.Context, q string) error {
	_, err := s.r.run(q)
	return err
}

func (s recordedSession) Query(_ context.Context, q string) (*tidbcatalog.ResultSet, error) {
	return s.r.run(q)
}

func (recordedSession) Close() error { return nil }

// Rows builds a result set from column names and rows of text cells
// ("\N" is NULL).
func Rows(cols []string, rows ...[]string) *tidbcatalog.ResultSet {
	rs := &tidbcatalog.ResultSet{Columns: cols}
	for _, r := range rows {
		row := make([]*string, len(r))
		for i := range r {
			if r[i] != `\N` {
				v := r[i]
				row[i] = &v
			}
		}
		rs.Rows = append(rs.Rows, row)
	}
	return rs
}

// StatusServer is a fake TiDB status API: GET /schema/{db}/{table} serves
// the recorded TableInfo JSON, 404 otherwise (as TiDB does for an unknown
// table).
type StatusServer struct {
	*httptest.Server
	mu     sync.Mutex
	tables map[string][]byte
	hits   map[string]int
}

// NewStatusServer starts the fake; Close it when done.
func NewStatusServer() *StatusServer {
	s := &StatusServer{tables: map[string][]byte{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Put records db.table's TableInfo JSON.
func (s *StatusServer) Put(db, table string, tableInfo []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[strings.ToLower(db+"/"+table)] = tableInfo
}

// Hits says how often db.table was asked for.
func (s *StatusServer) Hits(db, table string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[strings.ToLower(db+"/"+table)]
}

func (s *StatusServer) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/schema/")
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	key := strings.ToLower(rest)
	s.mu.Lock()
	s.hits[key]++
	data, ok := s.tables[key]
	s.mu.Unlock()
	if !ok {
		// TiDB answers an unknown table with its error text and 404.
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "[schema:1146]Table '%s' doesn't exist", strings.ReplaceAll(rest, "/", "."))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// PDCall is one request the fake PD received.
type PDCall struct {
	Method, Path string
	// Delay is the body's "delay" for POSTs.
	Delay int64
}

// PDServer is a fake PD HTTP API: GET /pd/api/v1/schedulers lists
// Schedulers; POST /pd/api/v1/schedulers/{name} {"delay": n} pauses one.
type PDServer struct {
	*httptest.Server
	mu         sync.Mutex
	schedulers []string
	calls      []PDCall
}

// NewPDServer starts the fake with the given scheduler names.
func NewPDServer(schedulers ...string) *PDServer {
	p := &PDServer{schedulers: schedulers}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	return p
}

// Calls returns the requests received, in order.
func (p *PDServer) Calls() []PDCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PDCall(nil), p.calls...)
}

func (p *PDServer) serve(w http.ResponseWriter, r *http.Request) {
	const prefix = "/pd/api/v1/schedulers"
	call := PDCall{Method: r.Method, Path: r.URL.Path}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == prefix:
		p.mu.Lock()
		p.calls = append(p.calls, call)
		names := append([]string(nil), p.schedulers...)
		p.mu.Unlock()
		_ = json.NewEncoder(w).Encode(names)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, prefix+"/"):
		var body struct {
			Delay *int64 `json:"delay"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Delay == nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, prefix+"/")
		p.mu.Lock()
		known := false
		for _, n := range p.schedulers {
			known = known || n == name
		}
		call.Delay = *body.Delay
		p.calls = append(p.calls, call)
		p.mu.Unlock()
		if !known {
			// PD: "scheduler not found".
			http.Error(w, `"scheduler not found"`, http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`"Pause or resume the scheduler successfully."`))
	default:
		http.NotFound(w, r)
	}
}
