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
// The versions go straight into the transaction's tables
// (Transaction.WriteSorted, a method of the goleveldb under
// third_party/goleveldb, which lists its changes in PATCHES.md): a
// source's keys come sorted, and inserting them into a memtable first was
// 28% of a session's CPU. The same patches release goleveldb's write
// lock when OpenTransaction fails (a memtable flush or a compaction that
// failed, e.g. on a full disk) and its commit lock when Commit fails to
// write the manifest; upstream kept both, and the store took no more
// writes until the process ended.
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

// Write adds b's versions to the Ingest: their keys must be above every
// key written before (a sorted source's). b is unchanged and may be Reset
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
		err = in.tr.WriteSorted(&in.lb)
	}
	_ = in.lb.Load(nil) // drop the reference to b.data
	if err != nil {
		return fmt.Errorf("ingest %d versions at %d: %w", b.Len(), b.commitTS, err)
	}
	in.n += b.Len()
	return nil
}

// Commit links the Ingest's tables into the database: all its versions
// become visible at once. After an error, Discard releases the database
// and leaves the tables as they are: the manifest may name them already
// (goleveldb writes the record before it syncs it), and goleveldb removes
// the ones it does not name when the database opens again.
func (in *Ingest) Commit() error {
	if err := in.tr.Commit(); err != nil {
		return fmt.Errorf("commit ingest of %d versions: %w", in.n, err)
	}
	return nil
}

// Discard drops what the Ingest wrote and releases the database; after
// Commit it does nothing.
func (in *Ingest) Discard() { in.tr.Discard() }
