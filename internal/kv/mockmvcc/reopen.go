package mockmvcc

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/pingcap/goleveldb/leveldb"
	"github.com/pingcap/goleveldb/leveldb/opt"
)

// ErrNotReopened reports a mock MVCC store whose goleveldb database could
// not be reopened: not client-go's mocktikv.MVCCLevelDB of the version
// go.mod pins.
var ErrNotReopened = errors.New("mock MVCC store's database not reachable")

// StoreOptions returns the goleveldb options the embedded store and the
// store server reopen the mock's database with: the mock's own (a 600 MiB
// block cache, goleveldb's defaults otherwise) but 32 KiB blocks instead of
// 4 KiB and no block compression.
//
// goleveldb writes a table block by block, one write(2) each: on the
// ingest of the TPC-H-like benchmark's engines (1.3 GB of pairs) 32 KiB
// blocks took 7% less CPU and 10% less time than 4 KiB ones (64 KiB saved
// no more CPU, and a point read reads a whole block).
//
// Snappy was a third of the store's CPU: every flushed table compressed,
// every block of the after-ingest checksum scan decompressed (9% of a
// whole 1 GiB TPC-H-shaped import's CPU under perf). Without it, writing
// pairs through the bulk path and reading their checksum back went from
// 121-122 to 152-176 MB/s on 64 MiB and took 6.8-7.3 s instead of
// 10.3-10.9 s on 1.2 GB (the store's BenchmarkBulkWrite, pairs Snappy
// packs to 0.56, alternated), and the whole TPC-H-shaped 1 GiB import
// took 16.8-18.8 s and 27.5-31.2 CPU-s instead of 17.6-21.2 s and
// 30.1-36.5 CPU-s (four alternated pairs, `lightstream import`),
// and the store holds 1.4x the source instead of 0.53x. TiKV's defaults
// lean the same way (its RocksDB leaves levels 0 and 1 uncompressed, where
// new data lands). A store written with Snappy still opens: goleveldb
// marks each block with its compression.
//
// The write buffer is 16 MiB instead of 4: an Ingest (a goleveldb
// transaction) cuts its tables at the write buffer's size, and a source
// in 16 MiB tables took 9-18% less time and 7-12% less CPU to write and
// check than in 4 MiB ones (BenchmarkBulkWrite, write+checksum, sessions,
// three alternated pairs): fewer tables for the compaction to move down
// one by one and for the checksum scan to merge.
func StoreOptions() *opt.Options {
	return &opt.Options{BlockCacheCapacity: 600 * opt.MiB, BlockSize: 32 * opt.KiB, Compression: opt.NoCompression,
		WriteBuffer: 16 * opt.MiB}
}

// Reopen closes the goleveldb database behind the mock's MVCC store (which
// mocktikv.NewMVCCLevelDB opens with fixed options) and opens it again at
// path, the directory the mock was given, with o, in the mock's place:
// every later read and write of the mock, and of this package, goes to the
// reopened database. It must be called right after the mock is created,
// before anything uses it. ErrNotReopened reports a mock whose database is
// out of reach (TestReopen fails if a client-go upgrade moves it).
func Reopen(mvcc any, path string, o *opt.Options) error {
	m := dbsMap(mvcc)
	if m == nil || m[mockDataCF] == nil {
		return fmt.Errorf("reopen %s: %T: %w", path, mvcc, ErrNotReopened)
	}
	if err := m[mockDataCF].Close(); err != nil {
		return fmt.Errorf("reopen %s: close: %w", path, err)
	}
	db, err := leveldb.OpenFile(path, o)
	if err != nil {
		// The closed database stays in the map: the mock's Close then
		// reports it closed instead of dereferencing nil.
		return fmt.Errorf("reopen %s: %w", path, err)
	}
	m[mockDataCF] = db
	dbs.Delete(mvcc)
	return nil
}

// dbsMap returns the mock's unexported map of databases, or nil.
func dbsMap(mvcc any) map[string]*leveldb.DB {
	if mvcc == nil {
		return nil
	}
	v := reflect.ValueOf(mvcc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	s := v.Elem()
	if s.Type().Name() != "MVCCLevelDB" {
		return nil
	}
	f := s.FieldByName("dbs")
	if !f.IsValid() || f.Type() != reflect.TypeOf(map[string]*leveldb.DB(nil)) || !f.CanAddr() {
		return nil
	}
	return *(*map[string]*leveldb.DB)(unsafe.Pointer(f.UnsafeAddr()))
}
