package mockmvcc

import (
	"fmt"

	"github.com/pingcap/goleveldb/leveldb"
)

// Ingest writes one source's versions into the mock's database the way
// TiKV ingests a source's SST files: built into tables of their own and
// linked into the database at once by Commit, without going through
// goleveldb's journal (a goleveldb transaction, leveldb.OpenTransaction).
//
// The journal is what the bulk path paid for twice: every byte written
// through DB.Write is appended to the journal, then flushed again from the
// memtable into a table, and an ingest has no use for the journal's
// crash recovery, since nothing of an uncommitted Ingest is visible and a
// killed import ingests the whole source again. On the 1 GiB TPC-H-shaped
// benchmark the journal was 1.5 GB of the import's writes.
//
// Until Commit or Discard, every other write to the database waits (the
// mock's transactional prewrites and commits included); reads go on and do
// not see the Ingest's versions. Batches are written one at a time; an
// Ingest is not safe for concurrent use.
type Ingest struct {
	tr *leveldb.Transaction
	lb leveldb.Batch
	n  int
}

// BeginIngest opens an Ingest on mvcc's database. ErrNoRawAccess reports a
// store whose database is out of reach (the caller then writes through
// Batch.Write).
func BeginIngest(mvcc any) (*Ingest, error) {
	db := levelDB(mvcc)
	if db == nil {
		return nil, fmt.Errorf("begin ingest: %T: %w", mvcc, ErrNoRawAccess)
	}
	tr, err := db.OpenTransaction()
	if err != nil {
		return nil, fmt.Errorf("begin ingest: %w", err)
	}
	return &Ingest{tr: tr}, nil
}

// Write adds b's versions to the Ingest. b is unchanged and may be Reset
// afterwards: goleveldb copies what it writes.
func (in *Ingest) Write(b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	err := in.lb.Load(b.data)
	if err == nil && in.lb.Len() != b.n {
		err = fmt.Errorf("%d records encoded, goleveldb reads %d", b.n, in.lb.Len())
	}
	if err == nil {
		err = in.tr.Write(&in.lb, nil)
	}
	_ = in.lb.Load(nil) // drop the reference to b.data
	if err != nil {
		return fmt.Errorf("ingest %d versions at %d: %w", b.Len(), b.commitTS, err)
	}
	in.n += b.Len()
	return nil
}

// Commit links the Ingest's tables into the database: all its versions
// become visible at once. After an error nothing of it is visible.
func (in *Ingest) Commit() error {
	if err := in.tr.Commit(); err != nil {
		in.tr.Discard()
		return fmt.Errorf("commit ingest of %d versions: %w", in.n, err)
	}
	return nil
}

// Discard drops what the Ingest wrote; after Commit it does nothing.
func (in *Ingest) Discard() { in.tr.Discard() }
