package mockmvcc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/pingcap/goleveldb/leveldb"
	"github.com/pingcap/goleveldb/leveldb/opt"
	"github.com/pingcap/goleveldb/leveldb/util"
	"github.com/tikv/client-go/v2/testutils"
	"github.com/tikv/client-go/v2/util/codec"
)

// ErrLocked reports a lock record in a scanned range: a transaction is in
// flight or was left unresolved, and only the client's read path (which
// resolves locks) can tell what a reader sees.
var ErrLocked = errors.New("range holds a lock")

// RawScanner is the part of the mock MVCC store's raw interface Scan uses.
type RawScanner interface {
	RawScan(cf string, startKey, endKey []byte, limit int) []testutils.MVCCPair
}

// scanPage is how many records one RawScan call returns.
const scanPage = 4096

// Scan calls fn for every key in [start, end) with the value a snapshot
// read at ts sees, in key order, reading the MVCC records straight from
// the store the way TiKV's coprocessor computes ADMIN CHECKSUM over its
// own data, without a client round trip per page of keys. A nil end scans
// to the last key. A key's newest version committed at or before ts
// decides: a Put is returned, a Delete hides the key; rollback and lock
// records carry no data. A lock record (ver math.MaxUint64) stops the scan
// with ErrLocked: the caller must read through the client then.
//
// k and v are valid only during the call.
func Scan(mvcc any, start, end []byte, ts uint64, fn func(k, v []byte) error) error {
	if db := levelDB(mvcc); db != nil {
		return scanLevelDB(db, start, end, ts, fn)
	}
	raw, ok := mvcc.(RawScanner)
	if !ok {
		return fmt.Errorf("scan: %T: %w", mvcc, ErrNoRawAccess)
	}
	from := codec.EncodeBytes(nil, start)
	var to []byte
	if end != nil {
		to = codec.EncodeBytes(nil, end)
	}
	// Reading a page (the mock copies every record under its store-wide
	// lock) and decoding the previous one overlap: the reader runs one
	// page ahead, so memory holds at most three pages.
	pages := make(chan []testutils.MVCCPair, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(pages)
		for {
			page := raw.RawScan("", from, to, scanPage)
			select {
			case pages <- page:
			case <-stop:
				return
			}
			if len(page) < scanPage {
				return
			}
			// Go on after the last record read.
			from = append(append([]byte(nil), page[len(page)-1].Key...), 0)
		}
	}()
	d := decoder{ts: ts, fn: fn}
	for page := range pages {
		for _, p := range page {
			if p.Err != nil {
				return fmt.Errorf("scan at %x: %w", p.Key, p.Err)
			}
			if err := d.record(p.Key, p.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// decoder turns a scan's records, in key order, into visible pairs.
type decoder struct {
	ts     uint64
	fn     func(k, v []byte) error
	cur    []byte // user key of the records being read
	done   bool   // cur's visible version has been decided
	keyBuf []byte
}

func (d *decoder) record(recKey, recValue []byte) error {
	rest, key, err := codec.DecodeBytes(recKey, d.keyBuf[:0])
	if err != nil {
		return fmt.Errorf("scan: record key %x: %w", recKey, err)
	}
	d.keyBuf = key
	if len(rest) == 0 {
		return nil // a key without version: not an MVCC record
	}
	_, ver, err := codec.DecodeUintDesc(rest)
	if err != nil {
		return fmt.Errorf("scan: record key %x: %w", recKey, err)
	}
	if ver == math.MaxUint64 {
		return fmt.Errorf("scan: key %x: %w", key, ErrLocked)
	}
	if !bytes.Equal(key, d.cur) {
		d.cur, d.done = append(d.cur[:0], key...), false
	}
	if d.done {
		return nil // an older version
	}
	typ, commitTS, value, err := decodeValue(recValue)
	if err != nil {
		return fmt.Errorf("scan: key %x version %d: %w", key, ver, err)
	}
	if commitTS > d.ts || typ == typeRollback || typ == typeLock {
		return nil
	}
	d.done = true
	if typ == typePut {
		return d.fn(key, value)
	}
	return nil
}

// scanLevelDB is Scan over the goleveldb database itself: one iterator on a
// snapshot, records decoded in place, blocks read without filling the
// block cache.
func scanLevelDB(db *leveldb.DB, start, end []byte, ts uint64, fn func(k, v []byte) error) error {
	r := &util.Range{Start: codec.EncodeBytes(nil, start)}
	if end != nil {
		r.Limit = codec.EncodeBytes(nil, end)
	}
	it := db.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	d := decoder{ts: ts, fn: fn}
	for it.Next() {
		if err := d.record(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("scan from %x: %w", start, err)
	}
	return nil
}

// Value types of the mock's mvccValue beyond Put and Delete.
const (
	typeRollback int64 = 2
	typeLock     int64 = 3
)

// decodeValue reads a record written by mvccValue.MarshalBinary (see add).
func decodeValue(b []byte) (typ int64, commitTS uint64, value []byte, err error) {
	if len(b) < 24 {
		return 0, 0, nil, fmt.Errorf("record value of %d bytes", len(b))
	}
	typ = int64(binary.LittleEndian.Uint64(b))
	commitTS = binary.LittleEndian.Uint64(b[16:])
	n, used := binary.Uvarint(b[24:])
	if used <= 0 || uint64(len(b)-24-used) != n {
		return 0, 0, nil, fmt.Errorf("record value: bad length prefix")
	}
	return typ, commitTS, b[24+used:], nil
}
