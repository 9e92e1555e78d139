package mockmvcc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pingcap/goleveldb/leveldb"
	"github.com/pingcap/goleveldb/leveldb/opt"
	"github.com/pingcap/goleveldb/leveldb/storage"
	"github.com/pingcap/goleveldb/leveldb/util"
)

// faultStorage fails, while set, creating tables (a full disk) or syncing
// the manifest (the record is written, its fsync fails).
type faultStorage struct {
	storage.Storage
	failTables, failManifestSync atomic.Bool
}

type faultWriter struct {
	storage.Writer
	s *faultStorage
}

func (w faultWriter) Sync() error {
	if w.s.failManifestSync.Load() {
		return errors.New("injected manifest fsync error")
	}
	return w.Writer.Sync()
}

func (s *faultStorage) Create(fd storage.FileDesc) (storage.Writer, error) {
	if fd.Type == storage.TypeTable && s.failTables.Load() {
		return nil, errors.New("injected: no space left on device")
	}
	w, err := s.Storage.Create(fd)
	if err != nil || fd.Type != storage.TypeManifest {
		return w, err
	}
	return faultWriter{w, s}, nil
}

// openFaultDir opens a database in dir through a faultStorage; the file
// storage (and its lock) is the caller's to close.
func openFaultDir(t *testing.T, dir string, writeBuffer int) (storage.Storage, *faultStorage, *leveldb.DB) {
	t.Helper()
	fs, err := storage.OpenFile(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	stor := &faultStorage{Storage: fs}
	db, err := leveldb.Open(stor, &opt.Options{WriteBuffer: writeBuffer})
	if err != nil {
		t.Fatal(err)
	}
	return fs, stor, db
}

// ingestOf opens an Ingest on db and writes n versions under prefix.
func ingestOf(t *testing.T, db *leveldb.DB, prefix string, n int) *Ingest {
	t.Helper()
	tr, err := db.OpenTransaction()
	if err != nil {
		t.Fatal(err)
	}
	in := &Ingest{tr: tr}
	b := NewBatch(10)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	v := make([]byte, 100)
	for i := 0; i < n; i++ {
		for j := range v { // incompressible: the tables are as large as the values
			v[j] = byte(rng.Uint32())
		}
		b.Put([]byte(fmt.Sprintf("%s%07d", prefix, i)), v)
	}
	if err := in.Write(b); err != nil {
		t.Fatal(err)
	}
	return in
}

// writeWithin fails the test if a write to db does not return within 5 s.
func writeWithin(t *testing.T, db *leveldb.DB, what string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- db.Put([]byte("after"), []byte("v"), nil) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write %s: %v", what, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("a write %s hangs: goleveldb kept its write lock", what)
	}
}

// TestIngestOpenFailureReleases: a failed OpenTransaction (its memtable
// flush fails on a full disk) leaves the database taking writes once the
// disk has room again (third_party/goleveldb PATCHES.md; upstream kept the
// write lock and every later write hung).
func TestIngestOpenFailureReleases(t *testing.T) {
	stor := &faultStorage{Storage: storage.NewMemStorage()}
	db, err := leveldb.Open(stor, &opt.Options{WriteBuffer: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	// No deferred Close: on a regression it would wait for the kept lock
	// and hang the test instead of failing it.
	if err := db.Put([]byte("k"), []byte("v"), nil); err != nil { // something in the memtable
		t.Fatal(err)
	}
	stor.failTables.Store(true)
	if _, err := db.OpenTransaction(); err == nil {
		t.Fatal("OpenTransaction on a full disk: no error")
	}
	stor.failTables.Store(false)
	writeWithin(t, db, "after a failed OpenTransaction")
	// The flush is retried in the background; until it succeeds,
	// OpenTransaction reports its error.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tr, err := db.OpenTransaction()
		if err == nil {
			in := &Ingest{tr: tr}
			if err := in.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("OpenTransaction still fails once the disk has room: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIngestCommitFailure: a Commit whose manifest fsync fails returns the
// error; Discard then releases the database, later ingests commit, and the
// directory as a killed process would leave it opens again (upstream kept
// its commit lock, and Discard removed tables the manifest named).
func TestIngestCommitFailure(t *testing.T) {
	dir := t.TempDir()
	fs, stor, db := openFaultDir(t, dir, 1<<20)
	defer fs.Close()
	in := ingestOf(t, db, "a", 20000) // 2.3 MB: two tables
	stor.failManifestSync.Store(true)
	err := in.Commit() // goleveldb tries three times, a second apart
	stor.failManifestSync.Store(false)
	if err == nil {
		t.Fatal("commit with a failing manifest fsync: no error")
	}
	in.Discard()
	writeWithin(t, db, "after a failed Commit")
	done := make(chan error, 1)
	go func() {
		tr, err := db.OpenTransaction()
		if err != nil {
			done <- err
			return
		}
		in := &Ingest{tr: tr}
		b := NewBatch(10)
		for i := 0; i < 20000; i++ {
			b.Put([]byte(fmt.Sprintf("b%07d", i)), []byte("v"))
		}
		if err := in.Write(b); err != nil {
			done <- err
			return
		}
		done <- in.Commit()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an ingest after a failed one hangs: goleveldb kept its commit lock")
	}
	// The process is killed now: what is on disk must open.
	crash := t.TempDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "LOCK" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crash, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = leveldb.OpenFile(crash, nil)
	if err != nil {
		t.Fatalf("the store does not open after a failed ingest commit: %v", err)
	}
	defer db.Close()
	it := db.NewIterator(nil, nil)
	n := 0
	for it.Next() {
		n++
	}
	it.Release()
	if n < 20000 {
		t.Fatalf("the committed ingest has %d records after reopen, want 20000 or more", n)
	}
}

// TestIngestUnsorted: versions must come in key order across batches.
func TestIngestUnsorted(t *testing.T) {
	db, err := leveldb.Open(storage.NewMemStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := ingestOf(t, db, "b", 10)
	defer in.Discard()
	b := NewBatch(10)
	b.Put([]byte("a"), []byte("v"))
	if err := in.Write(b); err == nil {
		t.Fatal("a version below the last one written: no error")
	}
}

// TestIngestWriteErrorSticky: after a table of an Ingest could not be
// written, its versions may be lost: Write and Commit fail from then on,
// whatever the disk does, and Discard releases the database.
func TestIngestWriteErrorSticky(t *testing.T) {
	stor := &faultStorage{Storage: storage.NewMemStorage()}
	db, err := leveldb.Open(stor, &opt.Options{WriteBuffer: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	in := ingestOf(t, db, "a", 2000) // some tables written already
	stor.failTables.Store(true)
	b := NewBatch(10)
	for i := 0; i < 2000; i++ {
		b.Put([]byte(fmt.Sprintf("b%07d", i)), make([]byte, 100))
	}
	if err := in.Write(b); err == nil {
		t.Fatal("write on a full disk: no error")
	}
	stor.failTables.Store(false)
	b.Reset(10)
	b.Put([]byte("c"), []byte("v"))
	if err := in.Write(b); err == nil {
		t.Fatal("write after a lost table: no error")
	}
	if err := in.Commit(); err == nil {
		t.Fatal("commit after a lost table: no error")
	}
	in.Discard()
	writeWithin(t, db, "after a discarded Ingest")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIngestFailedCommitOlder: the versions of an Ingest whose Commit
// failed (its manifest record written, not synced) may come back when the
// database opens again, but never above what was written after it.
func TestIngestFailedCommitOlder(t *testing.T) {
	for _, compact := range []bool{false, true} {
		dir := t.TempDir()
		fs, stor, db := openFaultDir(t, dir, 64<<10)
		tr, err := db.OpenTransaction()
		if err != nil {
			t.Fatal(err)
		}
		var lb leveldb.Batch
		for i := 0; i < 1000; i++ {
			lb.Put([]byte(fmt.Sprintf("k%07d", i)), []byte("old"))
		}
		if err := tr.WriteSorted(&lb); err != nil {
			t.Fatal(err)
		}
		stor.failManifestSync.Store(true)
		err = tr.Commit()
		stor.failManifestSync.Store(false)
		if err == nil {
			t.Fatal("commit with a failing manifest fsync: no error")
		}
		tr.Discard()
		key := []byte("k0000500")
		if err := db.Put(key, []byte("new"), nil); err != nil {
			t.Fatal(err)
		}
		if compact {
			if err := db.CompactRange(util.Range{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		fs.Close() // the storage is the caller's: its lock goes with it
		if db, err = leveldb.OpenFile(dir, nil); err != nil {
			t.Fatalf("compact %v: reopen: %v", compact, err)
		}
		for i := 0; i < 600; i++ { // later writes advance the sequence
			if err := db.Put([]byte(fmt.Sprintf("z%d", i)), []byte("x"), nil); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := db.Get(key, nil); err != nil || string(v) != "new" {
			t.Errorf("compact %v: after reopen the key reads %q (%v), want the newer write", compact, v, err)
		}
		db.Close()
	}
}
