package mockmvcc

import (
	"sync"

	"github.com/pingcap/goleveldb/leveldb"
)

// mockDataCF is the name under which client-go's mocktikv.MVCCLevelDB keeps
// its one goleveldb database (mvcc_leveldb.go defaultCf): the MVCC records
// its transactions and its Raw* methods read and write.
const mockDataCF = "test_cf"

var dbs sync.Map // mvcc store (pointer) -> *leveldb.DB, or nil if unreachable

// levelDB returns the goleveldb database behind the mock's MVCC store, or
// nil when mvcc is not client-go's mocktikv.MVCCLevelDB of the version
// go.mod pins (its unexported dbs map), in which case callers go through
// the mock's RawKV methods instead.
//
// Going to the database directly is what the Raw* methods cannot do: take
// a goleveldb write error instead of having it logged (RawBatchPut), scan
// with one iterator over a consistent snapshot without copying every
// record under the mock's store-wide lock (RawScan), and read without
// filling goleveldb's 600 MiB block cache with data read once (a checksum
// scan would otherwise fill it, and hold 600 MiB of heap for the rest of
// the import). The mock's own lock only orders its read-modify-write
// transactions; a bulk write of committed versions to keys no transaction
// touches, and a snapshot scan, need nothing from it (goleveldb itself is
// safe for concurrent use), as TiKV's SST ingest and coprocessor scans
// need no transaction latch. TestLevelDBReached fails if a client-go
// upgrade moves the field.
func levelDB(mvcc any) *leveldb.DB {
	if mvcc == nil {
		return nil
	}
	if db, ok := dbs.Load(mvcc); ok {
		return db.(*leveldb.DB)
	}
	db := reachLevelDB(mvcc)
	dbs.Store(mvcc, db)
	return db
}

func reachLevelDB(mvcc any) *leveldb.DB {
	return dbsMap(mvcc)[mockDataCF]
}
