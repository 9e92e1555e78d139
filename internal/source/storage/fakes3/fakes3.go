// Package fakes3 runs an S3 protocol server in-process on loopback for
// tests (github.com/johannesboyne/gofakes3 over memory), with what a real
// one does that gofakes3 does not: it refuses requests signed with an
// unknown access key, and it can be told to throttle, to break a body off
// mid-way, or to lose an object when it is first read.
package fakes3

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The credentials the server accepts.
const (
	AccessKey = "lightstream-test-key"
	SecretKey = "lightstream-test-secret/with+signs="
)

// Server is a running fake S3 endpoint.
type Server struct {
	URL     string
	backend *s3mem.Backend
	srv     *httptest.Server

	mu sync.Mutex
	// throttle: the next n GETs answer 503 SlowDown.
	throttle int
	// truncate: the next n GETs send half the body and close.
	truncate int
	// vanish: keys removed when first read with a GET.
	vanish map[string]bool
	// Gets counts GET requests of objects; Requests all requests.
	Gets, Requests atomic.Int64
	// inFlight and MaxInFlight count object GETs being served, and the
	// most at once; delay slows each down (SetDelay).
	inFlight, MaxInFlight atomic.Int64
	delay                 atomic.Int64
}

// SetDelay makes every object GET take at least d.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

var credential = regexp.MustCompile(`Credential=([^/]+)/`)

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{backend: s3mem.New(), vanish: map[string]bool{}}
	fake := gofakes3.New(s.backend)
	h := fake.Server()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		if m := credential.FindStringSubmatch(r.Header.Get("Authorization")); m == nil || m[1] != AccessKey {
			// What S3 answers an unknown key.
			writeError(w, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", r.Method)
			return
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if r.Method == http.MethodGet && key != "" {
			s.Gets.Add(1)
			n := s.inFlight.Add(1)
			defer s.inFlight.Add(-1)
			for m := s.MaxInFlight.Load(); n > m && !s.MaxInFlight.CompareAndSwap(m, n); m = s.MaxInFlight.Load() {
			}
			time.Sleep(time.Duration(s.delay.Load()))
			s.mu.Lock()
			throttle, truncate, vanish := s.throttle > 0, s.truncate > 0, s.vanish[key]
			if throttle {
				s.throttle--
			} else if truncate {
				s.truncate--
			}
			delete(s.vanish, key)
			s.mu.Unlock()
			switch {
			case throttle:
				writeError(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.", r.Method)
				return
			case vanish:
				if _, err := s.backend.DeleteObject(bucket, key); err != nil {
					t.Errorf("fakes3: delete %s: %v", key, err)
				}
			case truncate:
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				body := rec.Body.Bytes()
				w.Write(body[:len(body)/2])
				// Hijack and close: the client sees the body end early.
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
					}
				}
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

func writeError(w http.ResponseWriter, status int, code, msg, method string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if method != http.MethodHead {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
	}
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(t testing.TB, bucket string) {
	t.Helper()
	if err := s.backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
}

// Put stores an object.
func (s *Server) Put(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	if _, err := s.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatal(err)
	}
}

// Delete removes an object.
func (s *Server) Delete(t testing.TB, bucket, key string) {
	t.Helper()
	if _, err := s.backend.DeleteObject(bucket, key); err != nil {
		t.Fatal(err)
	}
}

// Upload copies every file under dir to bucket/prefix/<relative path>.
func (s *Server) Upload(t testing.TB, dir, bucket, prefix string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		key := filepath.ToSlash(rel)
		if prefix != "" {
			key = prefix + "/" + key
		}
		s.Put(t, bucket, key, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Throttle answers the next n object GETs with 503 SlowDown.
func (s *Server) Throttle(n int) { s.mu.Lock(); s.throttle = n; s.mu.Unlock() }

// Truncate breaks off the body of the next n object GETs half-way.
func (s *Server) Truncate(n int) { s.mu.Lock(); s.truncate = n; s.mu.Unlock() }

// VanishOnRead removes bucket/key (key without the bucket) when it is
// first read with a GET, as if it were deleted mid-import.
func (s *Server) VanishOnRead(key string) { s.mu.Lock(); s.vanish[key] = true; s.mu.Unlock() }

// Location is the s3:// URL of bucket/prefix on this server with the
// accepted credentials (or the given ones).
func (s *Server) Location(bucket, prefix string, creds ...string) string {
	ak, sk := AccessKey, SecretKey
	if len(creds) == 2 {
		ak, sk = creds[0], creds[1]
	}
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&region=us-east-1&force-path-style=true&access-key=%s&secret-access-key=%s",
		bucket, prefix, s.URL, ak, strings.NewReplacer("/", "%2F", "+", "%2B", "=", "%3D").Replace(sk))
}
