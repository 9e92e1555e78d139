package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/source/storage/fakes3"
)

func openS3(t *testing.T, location string) *storage.S3 {
	t.Helper()
	st, err := storage.Open(context.Background(), location)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*storage.S3)
}

func TestS3WalkAndRead(t *testing.T) {
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "dumps")
	body := make([]byte, 300_001)
	rand.New(rand.NewSource(1)).Read(body)
	srv.Put(t, "dumps", "day1/db.t.000000001.sql", body)
	srv.Put(t, "dumps", "day1/db-schema-create.sql", []byte("CREATE DATABASE db;"))
	srv.Put(t, "dumps", "day1/sub/db.u.sql", []byte("x"))
	srv.Put(t, "dumps", "day1/", nil)                   // a folder marker
	srv.Put(t, "dumps", "day10/db.t.sql", []byte("no")) // shares the prefix's text, not its folder
	st := openS3(t, srv.Location("dumps", "day1"))
	st.PartSize = 64 << 10 // several parts per read

	ctx := context.Background()
	var names []string
	var sizes []int64
	if err := st.Walk(ctx, func(e storage.Entry) error {
		names, sizes = append(names, e.Name), append(sizes, e.Size)
		if e.Path != "s3://dumps/day1/"+e.Name {
			t.Errorf("path %q of %q", e.Path, e.Name)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "db-schema-create.sql,db.t.000000001.sql,sub/db.u.sql" || sizes[1] != int64(len(body)) {
		t.Fatalf("walk: %q %v", names, sizes)
	}
	path := st.Join("db.t.000000001.sql")
	if rel, err := st.Rel(path); err != nil || rel != "db.t.000000001.sql" {
		t.Errorf("Rel(%q) = %q, %v", path, rel, err)
	}
	for _, r := range [][2]int64{{0, int64(len(body))}, {1, 2}, {65535, 65537}, {100_000, 300_001}, {5, 5}} {
		rc, err := st.OpenRange(ctx, path, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, body[r[0]:r[1]]) {
			t.Fatalf("range %v: %d bytes, %v", r, len(got), err)
		}
	}
	rc, err := st.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Closing half-way stops the read-ahead.
	half := make([]byte, 100_000)
	if _, err := io.ReadFull(rc, half); err != nil || !bytes.Equal(half, body[:100_000]) {
		t.Fatal(err)
	}
	rc.Close()
	ra, err := st.OpenReaderAt(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	if ra.Size() != int64(len(body)) {
		t.Errorf("Size %d", ra.Size())
	}
	tail := make([]byte, 10)
	if n, err := ra.ReadAt(tail, int64(len(body))-4); n != 4 || err != io.EOF || !bytes.Equal(tail[:4], body[len(body)-4:]) {
		t.Errorf("ReadAt tail: %d %v", n, err)
	}
	if n, err := ra.ReadAt(tail, 1000); n != 10 || err != nil || !bytes.Equal(tail, body[1000:1010]) {
		t.Errorf("ReadAt: %d %v", n, err)
	}
}

// TestS3Retries: throttling (503 SlowDown) and bodies that break off
// mid-way are retried; the bytes read are the object's.
func TestS3Retries(t *testing.T) {
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "b")
	body := bytes.Repeat([]byte("0123456789abcdef"), 20_000)
	srv.Put(t, "b", "p/db.t.sql", body)
	st := openS3(t, srv.Location("b", "p"))
	st.PartSize = 100_000
	srv.Throttle(3)
	srv.Truncate(2)
	rc, err := st.Open(context.Background(), st.Join("db.t.sql"))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes (want %d): %v", len(got), len(body), err)
	}
	if n := srv.Gets.Load(); n < 4+5 {
		t.Errorf("%d GETs: want 4 parts plus 5 retried", n)
	}
}

// TestS3Errors: a missing bucket, a missing prefix, wrong credentials and
// an object removed after listing each say what and where.
func TestS3Errors(t *testing.T) {
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "b")
	srv.Put(t, "b", "p/db.t.sql", []byte("INSERT INTO t VALUES (1);"))
	ctx := context.Background()
	walk := func(location string) error {
		return openS3(t, location).Walk(ctx, func(storage.Entry) error { return nil })
	}
	err := walk(srv.Location("nobucket", "p"))
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "bucket nobucket does not exist") {
		t.Errorf("missing bucket: %v", err)
	}
	err = walk(srv.Location("b", "nope"))
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "s3://b/nope") || !strings.Contains(err.Error(), "no objects") {
		t.Errorf("missing prefix: %v", err)
	}
	err = walk(srv.Location("b", "p", "AKWRONG", "WRONGSECRET"))
	if !errors.Is(err, storage.ErrAccessDenied) || !strings.Contains(err.Error(), "s3://b/p") || strings.Contains(err.Error(), "WRONGSECRET") {
		t.Errorf("wrong credentials: %v", err)
	}
	st := openS3(t, srv.Location("b", "p"))
	path := st.Join("db.t.sql")
	srv.Delete(t, "b", "p/db.t.sql")
	rc, err := st.OpenRange(ctx, path, 0, 10)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "s3://b/p/db.t.sql") {
		t.Errorf("object removed: %v", err)
	}
	if _, err := st.Size(ctx, path); !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "p/db.t.sql") {
		t.Errorf("size of a removed object: %v", err)
	}
}

// TestS3BoundedGets: however many readers read ahead, no more GETs than
// the storage's concurrency are in flight at once.
func TestS3BoundedGets(t *testing.T) {
	srv := fakes3.Start(t)
	srv.CreateBucket(t, "b")
	body := bytes.Repeat([]byte("x"), 64<<10)
	for i := 0; i < 4; i++ {
		srv.Put(t, "b", fmt.Sprintf("p/f%d", i), body)
	}
	opts, err := storage.ParseS3(srv.Location("b", "p"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.NewS3With(context.Background(), opts, storage.S3Client{Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	st.PartSize, st.ReadAhead = 4<<10, 4
	srv.SetDelay(5 * time.Millisecond)
	var g errgroup.Group
	for i := 0; i < 4; i++ {
		g.Go(func() error {
			rc, err := st.Open(context.Background(), st.Join(fmt.Sprintf("f%d", i)))
			if err != nil {
				return err
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err == nil && !bytes.Equal(got, body) {
				err = fmt.Errorf("f%d: %d bytes differ", i, len(got))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if m := srv.MaxInFlight.Load(); m > 3 || m < 2 {
		t.Errorf("%d GETs in flight at most, want 2..3 (concurrency 3)", m)
	}
}
