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
// Until Commit or Discard, every other write to the database waits, and
// so does every read through the mock once one of its writes waits: the
// mock's prewrites, commits and lock resolutions hold its store-wide
// mutex while they wait for goleveldb's write lock, and its reads take
// that mutex too. Nothing an Ingest's writer waits for may therefore read
// or write through the client (a deadlock otherwise); reads straight from
// goleveldb (Scan) go on and do not see the Ingest's versions. Batches are
// written one at a time; an Ingest is not safe for concurrent use.
//
// goleveldb (the version client-go pins) keeps its write lock when
// OpenTransaction fails after taking it (a memtable flush or a compaction
// that failed, e.g. on a full disk) and its commit lock when Commit fails
// to write the manifest: the store then stops taking writes until the
// process ends. The journaled path reached the same code once per source
// (a batch over the write buffer is a transaction in DB.Write).
type Ingest struct {
	tr *leveldb.Transaction
	lb leveldb.Batch
	n  int
	// committing: Commit was called (a failed one included); Discard
	// then leaves the tables alone.
	committing bool
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
// become visible at once. After an error the tables are left as they are:
// the manifest may name them already (goleveldb writes the record before
// it syncs it), and goleveldb removes the ones it does not name when the
// database opens again.
func (in *Ingest) Commit() error {
	in.committing = true
	if err := in.tr.Commit(); err != nil {
		return fmt.Errorf("commit ingest of %d versions: %w", in.n, err)
	}
	return nil
}

// Discard drops what the Ingest wrote; after Commit, or after Commit
// failed, it does nothing.
func (in *Ingest) Discard() {
	if !in.committing {
		in.tr.Discard()
	}
}
