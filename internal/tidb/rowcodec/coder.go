package rowcodec

import (
	"slices"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/valueconv"
)

// Options of a RowCoder.
type Options struct {
	// AutoRandomSeed seeds the AUTO_RANDOM shard of generated handles and
	// the SHARD_ROW_ID_BITS shards (kvenc.Options.AutoRandomSeed;
	// Lightning uses the chunk's PrevRowIDMax). Default 0.
	AutoRandomSeed int64
}

// RowCoder turns rows of dump fields into a table's KV pairs: column
// mapping, value conversion, generated columns, encoding. It is not safe
// for concurrent use: each goroutine builds its own.
type RowCoder struct {
	conv *valueconv.Converter
	enc  *kvenc.Encoder
	gen  valueconv.GeneratedEvaluator
	// builders maps a column list (joined by NUL; "\x01all" for none
	// given) to its row builder, built on first use.
	builders map[string]*valueconv.RowBuilder
	// all is builders["\x01all"], the builder of rows without a column
	// list (most dumps): no map look-up per row.
	all *valueconv.RowBuilder
	// lastCols and last are the column list of the previous row that had
	// one and its builder: a statement's rows share their list, so most
	// rows skip joining it into a map key.
	lastCols []string
	last     *valueconv.RowBuilder
	row      []datum.Datum
	// rowIDBase is the table's RowIDBase, added to every row ID.
	rowIDBase int64
}

// NewRowCoder prepares the coder of table t, converting values under sess.
func NewRowCoder(t *tablemodel.Table, sess valueconv.Session, opts Options) (*RowCoder, error) {
	conv, err := valueconv.NewConverter(t, sess)
	if err != nil {
		return nil, err
	}
	gen, err := generated(t, sess, conv)
	if err != nil {
		return nil, err
	}
	enc, err := kvenc.NewEncoder(t, kvenc.Options{AutoRandomSeed: opts.AutoRandomSeed, Loc: sess.Loc})
	if err != nil {
		return nil, err
	}
	return &RowCoder{conv: conv, enc: enc, gen: gen, builders: map[string]*valueconv.RowBuilder{},
		row: make([]datum.Datum, len(t.Columns)), rowIDBase: t.RowIDBase}, nil
}

// SpreadAutoRandom makes generated AUTO_RANDOM handles spread over the
// shards, drawn from seed and each row's ID, so that the rows of one chunk
// do not share one shard and a chunk encoded again gives the same keys
// (kvenc.Encoder.SpreadAutoRandom; the encoder passes the chunk's row ID
// base).
func (rc *RowCoder) SpreadAutoRandom(seed int64) { rc.enc.SpreadAutoRandom(seed + rc.rowIDBase) }

// Encode converts one row and appends its pairs to dst: the record pair,
// then the index pairs in index-ID order. columns is the row's column list
// (an INSERT's or a CSV header; nil for every column in order), rowID the
// row's _tidb_rowid when the table has no integer handle (shifted by the
// table's RowIDBase: also the value an AUTO_INCREMENT column left empty
// takes). Errors are the
// row's own (a *valueconv.ValueError names the column): callers place them.
func (rc *RowCoder) Encode(columns []string, fields []literal.Field, rowID int64, dst *kvenc.Pairs) error {
	rb := rc.all
	if columns != nil {
		rb = rc.last
		if !slices.Equal(columns, rc.lastCols) {
			rb = nil
		}
	}
	if rb == nil {
		var err error
		if rb, err = rc.builder(columns); err != nil {
			return err
		}
	}
	handleID, err := rb.Build(fields, rowID+rc.rowIDBase, rc.row)
	if err != nil {
		return err
	}
	return rc.enc.Encode(rc.row, handleID, dst)
}

// builder returns the row builder of a column list, built on first use.
func (rc *RowCoder) builder(columns []string) (*valueconv.RowBuilder, error) {
	key := strings.Join(columns, "\x00")
	if columns == nil {
		key = "\x01all"
	}
	rb := rc.builders[key]
	if rb == nil {
		var err error
		if rb, err = valueconv.NewRowBuilder(rc.conv, columns, rc.gen); err != nil {
			return nil, err
		}
		rc.builders[key] = rb
	}
	if columns == nil {
		rc.all = rb
	} else {
		rc.lastCols = append(rc.lastCols[:0], columns...)
		rc.last = rb
	}
	return rb, nil
}
