package rowcodec

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// ErrIndexMismatch: an index pair is not one the row of its record pair
// encodes to (a different value, or a key the row does not give).
var ErrIndexMismatch = errors.New("index pair mismatch")

// DecodeOptions say how a Decoder shows rows.
type DecodeOptions struct {
	// Loc is the time zone TIMESTAMP values are read in (UTC if nil).
	Loc *time.Location
	// Generated computes generated columns after decoding (Generated,
	// VirtualGenerated); nil leaves virtual ones NULL and stored ones as
	// stored.
	Generated valueconv.GeneratedEvaluator
}

// Decoder turns a table's record pairs back into rows and checks index
// pairs against the last row's re-encoding. It is not safe for concurrent
// use.
type Decoder struct {
	t     *tablemodel.Table
	opts  DecodeOptions
	dec   *kvenc.Encoder
	check *kvenc.Encoder // built on the first index pair

	row    []datum.Datum
	handle tidbcodec.Handle
	// encoded says pairs holds row's re-encoding.
	encoded bool
	pairs   kvenc.Pairs
}

// NewDecoder prepares the decoder of table t.
func NewDecoder(t *tablemodel.Table, opts DecodeOptions) (*Decoder, error) {
	if opts.Loc == nil {
		opts.Loc = time.UTC
	}
	dec, err := kvenc.NewEncoder(t, kvenc.Options{Loc: opts.Loc})
	if err != nil {
		return nil, err
	}
	return &Decoder{t: t, opts: opts, dec: dec}, nil
}

// Record decodes a record pair into its row, indexed by column offset,
// with the generated columns computed (DecodeOptions.Generated). The row
// is the decoder's until the next call. A pair that does not decode is an
// error starting "record: "; a generated column that fails names itself.
func (d *Decoder) Record(key, value []byte) ([]datum.Datum, error) {
	d.row, d.encoded = nil, false
	row, h, err := d.dec.DecodeRecord(key, value)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if d.opts.Generated != nil {
		if err := d.opts.Generated.Eval(row); err != nil {
			return nil, err
		}
	}
	d.row, d.handle = row, h
	return row, nil
}

// CheckIndex checks that an index pair is one the row of the last Record
// encodes to: a different value or a key the row does not give is
// ErrIndexMismatch.
func (d *Decoder) CheckIndex(key, value []byte) error {
	if !tidbcodec.IsIndexKey(key) {
		return fmt.Errorf("neither a record nor an index key: %x", key)
	}
	if d.row == nil {
		return errors.New("index pair before any record pair")
	}
	if !d.encoded {
		if err := d.reencode(); err != nil {
			return fmt.Errorf("re-encode the decoded row to check its index pairs: %w", err)
		}
	}
	// The record pair comes first: index pairs follow it.
	for i := 1; i < d.pairs.Len(); i++ {
		if bytes.Equal(d.pairs.Key(i), key) {
			if !bytes.Equal(d.pairs.Value(i), value) {
				return fmt.Errorf("%w: value %x, the record's row gives %x", ErrIndexMismatch, value, d.pairs.Value(i))
			}
			return nil
		}
	}
	_, indexID, _, _ := tidbcodec.DecodeIndexKeyPrefix(key)
	return fmt.Errorf("%w: index %d key %x is not one the record's row gives", ErrIndexMismatch, indexID, key)
}

// Keys are the keys of every pair the row of the last Record encodes to:
// its record key, then its index keys in index-ID order (what deleting
// the row deletes, as TiDB's RemoveRecord does). The slices are the
// decoder's until the next call.
func (d *Decoder) Keys() ([][]byte, error) {
	if d.row == nil {
		return nil, errors.New("keys before any record pair")
	}
	if !d.encoded {
		if err := d.reencode(); err != nil {
			return nil, fmt.Errorf("re-encode the decoded row: %w", err)
		}
	}
	keys := make([][]byte, d.pairs.Len())
	for i := range keys {
		keys[i] = d.pairs.Key(i)
	}
	return keys, nil
}

// reencode encodes the last row again, under its own row ID.
func (d *Decoder) reencode() error {
	if d.check == nil {
		check, err := kvenc.NewEncoder(d.t, kvenc.Options{Loc: d.opts.Loc})
		if err != nil {
			return err
		}
		d.check = check
	}
	rowID := int64(0)
	if d.handle.IsInt() {
		rowID = d.handle.IntValue()
		// A _tidb_rowid handle carries its shard in the high bits; the
		// encoder adds them back.
		if s := d.t.ShardRowIDBits; s > 0 && !d.t.PKIsHandle && !d.t.IsCommonHandle {
			rowID &= 1<<uint(63-s) - 1
		}
	}
	d.pairs.Reset()
	if err := d.check.Encode(d.row, rowID, &d.pairs); err != nil {
		return err
	}
	d.encoded = true
	return nil
}
