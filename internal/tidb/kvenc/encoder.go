// Package kvenc turns one table row into the KV pairs TiDB writes for it:
// the record pair and one pair per index, byte-exact with TiDB's AddRecord
// and index Create (pkg/table/tables/tables_add_record.go, index.go,
// pkg/tablecodec/tablecodec_genindex.go). Values arrive already converted
// to the column types; this package only decides what is written where.
package kvenc

import (
	"errors"
	"fmt"
	"math/rand"
	"time"
	"unicode/utf8"

	"github.com/lightstream-io/lightstream/internal/tidb/collate"
	"github.com/lightstream-io/lightstream/internal/tidb/datum"
	"github.com/lightstream-io/lightstream/internal/tidb/partition"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// ErrNullHandle is returned when an int primary key that is the handle is
// NULL and has no allocator (neither AUTO_INCREMENT nor AUTO_RANDOM).
var ErrNullHandle = errors.New("kvenc: NULL in primary key handle column")

// Options are the cluster settings that change the bytes (SPEC §10).
type Options struct {
	// DisableNewCollation is set when the cluster's new_collation_enabled is
	// False: every string then keys on its raw bytes and no restored data
	// is written. Default false (new collation on, TiDB >= 6.0 default).
	DisableNewCollation bool
	// RowFormatV1 writes the old row format (tidb_row_format_version=1).
	// Default false (v2).
	RowFormatV1 bool
	// AutoRandomSeed seeds the AUTO_RANDOM shard of generated handles;
	// Lightning uses the chunk's PrevRowIDMax. See also SetAutoRandomSeed.
	AutoRandomSeed int64
	// Loc is the session time zone that partition expressions over
	// TIMESTAMP columns see (UTC if nil). A partitioned table's rows are
	// keyed under the ID of their partition (internal/tidb/partition).
	Loc *time.Location
}

type indexInfo struct {
	meta        *tablemodel.Index
	prefix      []byte // t{id}_i{indexID}: the table's id for a global index
	needRestore bool
}

// Encoder encodes rows of one table. Build one per goroutine: it reuses
// internal buffers and is not safe for concurrent use.
type Encoder struct {
	t         *tablemodel.Table
	opts      Options
	cols      []colInfo
	indexes   []indexInfo
	pk        *tablemodel.Index // clustered primary key (common handle)
	pkRestore []int             // positions in pk.Columns needing restored data
	recPrefix []byte
	// physID is the table ID in recPrefix and the index prefixes: the
	// partition of the last row for a partitioned table.
	physID     int64
	part       *partition.Locator // nil unless partitioned
	physIDs    []int64            // the IDs records may be under (Table.PhysicalIDs)
	commonV1   bool
	autoRandom bool
	// arOffset is the AUTO_RANDOM column: the int handle, or the first
	// column of a clustered composite primary key (TiDB >= 6.3).
	arOffset int
	shard    int64
	// spread, when set, draws the AUTO_RANDOM shard per row from
	// spreadSeed and the row ID (SpreadAutoRandom) instead of using shard.
	spread     bool
	spreadSeed int64
	rowIDRand  *rand.Rand

	rowEnc    tidbcodec.RowEncoder
	rowCopy   []datum.Datum
	ids       []int64
	vals      []datum.Datum
	handleBuf []byte
	// rowIDs are every column's id when no column is left out of the row
	// value whatever its value (nil otherwise), and nullSkips the columns
	// whose NULL is left out: a row with none of those NULL is encoded
	// from its datums as they are, without copying them (encode).
	rowIDs    []int64
	nullSkips []int
}

// NewEncoder precomputes everything per-table: collators, stored columns,
// index layouts.
func NewEncoder(t *tablemodel.Table, opts Options) (*Encoder, error) {
	if t == nil {
		return nil, errors.New("kvenc: nil table")
	}
	e := &Encoder{t: t, opts: opts, commonV1: t.IsCommonHandle && t.CommonHandleVersion == 1, physID: t.ID, physIDs: t.PhysicalIDs()}
	var err error
	if e.part, err = partition.Compile(t, opts.Loc); err != nil {
		return nil, fmt.Errorf("kvenc: table %s: %w", t.Name, err)
	}
	newColl := !opts.DisableNewCollation
	e.cols = make([]colInfo, len(t.Columns))
	for i, c := range t.Columns {
		if c.Offset != i {
			return nil, fmt.Errorf("kvenc: table %s column %s has offset %d at position %d", t.Name, c.Name, c.Offset, i)
		}
		ci := &e.cols[i]
		ci.id = c.ID
		ci.pk = c.PrimaryKey
		kind, ok := columnKind(c)
		if c.Unsupported != "" || !ok {
			ci.skipRow = true
			continue
		}
		ci.kind = kind
		ci.frac = int8(c.Decimal)
		if kind == datum.String && newColl {
			coll, _ := collate.Get(c.Collate) // unknown names fall back to utf8mb4_bin, as TiDB
			ci.coll = coll
		}
		ci.needRestore = needRestoredData(c, newColl)
		ci.binColl = isBinCollation(c.Collate)
		ci.byteLen = kind == datum.Bytes || isBinaryCharset(c) || equalFoldASCII(c.Charset, "ascii")
		ci.nullSkip = defaultIsNull(c)
		if c.IsGenerated() && !c.GeneratedStored {
			ci.skipRow = true
		}
	}
	if t.PKIsHandle {
		if t.HandleOffset < 0 || t.HandleOffset >= len(t.Columns) {
			return nil, fmt.Errorf("kvenc: table %s: handle offset %d out of range", t.Name, t.HandleOffset)
		}
		hc := t.Columns[t.HandleOffset]
		e.cols[t.HandleOffset].skipRow = true
		if hc.AutoRandom || t.AutoRandomBits > 0 {
			e.autoRandom, e.arOffset = true, t.HandleOffset
			e.SetAutoRandomSeed(opts.AutoRandomSeed)
		}
	} else {
		for _, c := range t.Columns {
			if c.AutoRandom {
				e.autoRandom, e.arOffset = true, c.Offset
				e.SetAutoRandomSeed(opts.AutoRandomSeed)
				break
			}
		}
	}
	if t.IsCommonHandle {
		e.pk = t.PrimaryIndex()
		if e.pk == nil {
			return nil, fmt.Errorf("kvenc: table %s is clustered but has no primary index", t.Name)
		}
		for j, ic := range e.pk.Columns {
			if ic.Offset < 0 || ic.Offset >= len(t.Columns) {
				return nil, fmt.Errorf("kvenc: table %s primary key column offset %d out of range", t.Name, ic.Offset)
			}
			ci := &e.cols[ic.Offset]
			// CanSkip rule 2: a whole-value PK column that needs no restored
			// data lives only in the key.
			if ic.Length < 0 && !ci.needRestore {
				ci.skipRow = true
			}
			if ci.needRestore {
				e.pkRestore = append(e.pkRestore, j)
			}
		}
	}
	if !t.PKIsHandle && !t.IsCommonHandle && t.ShardRowIDBits > 0 {
		e.rowIDRand = rand.New(rand.NewSource(opts.AutoRandomSeed))
	}
	for _, ix := range t.Indexes {
		if ix.Primary && (t.IsCommonHandle || t.PKIsHandle) {
			continue // the record key is the primary key
		}
		ii := indexInfo{meta: ix, prefix: tidbcodec.AppendIndexPrefix(nil, t.ID, ix.ID)}
		for _, ic := range ix.Columns {
			if ic.Offset < 0 || ic.Offset >= len(t.Columns) {
				return nil, fmt.Errorf("kvenc: table %s index %s column offset %d out of range", t.Name, ix.Name, ic.Offset)
			}
			if e.cols[ic.Offset].needRestore {
				ii.needRestore = true
			}
		}
		e.indexes = append(e.indexes, ii)
	}
	e.recPrefix = tidbcodec.AppendRecordPrefix(nil, t.ID)
	e.rowCopy = make([]datum.Datum, len(t.Columns))
	e.rowIDs = make([]int64, 0, len(e.cols))
	for i := range e.cols {
		if e.cols[i].skipRow {
			e.rowIDs = nil
			break
		}
		e.rowIDs = append(e.rowIDs, e.cols[i].id)
		if e.cols[i].nullSkip {
			e.nullSkips = append(e.nullSkips, i)
		}
	}
	return e, nil
}

// SetAutoRandomSeed sets the seed of the AUTO_RANDOM shard; Lightning
// builds one encoder per chunk with seed = the chunk's PrevRowIDMax and
// draws the shard once (lightning/backend/kv/sql2kv.go NewTableKVEncoder).
func (e *Encoder) SetAutoRandomSeed(seed int64) {
	e.shard = rand.New(rand.NewSource(seed)).Int63()
}

// SpreadAutoRandom makes every generated AUTO_RANDOM handle take a shard
// drawn from seed and its row ID, instead of the one shard Lightning draws
// per encoder (SetAutoRandomSeed). TiDB gives each transaction a new shard
// (sessionctx/variable RowIDShardGenerator), so rows inserted through SQL
// spread over the shards; one shard per chunk would make the hot spot
// AUTO_RANDOM exists to avoid. With seed the chunk's row ID base the
// handles depend only on the chunk and the row's position in it, so a
// resumed import writes the same keys. The allocated part (the row ID) is
// unchanged, so AUTO_RANDOM_BASE rebasing still masks the shard away.
func (e *Encoder) SpreadAutoRandom(seed int64) {
	e.spread, e.spreadSeed = true, seed
}

// rowShard mixes a seed and a row ID into well-distributed bits (the
// SplitMix64 finalizer): consecutive row IDs land on unrelated shards.
func rowShard(seed, rowID int64) int64 {
	z := uint64(seed)*0x9e3779b97f4a7c15 ^ uint64(rowID)
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// autoRandomHandle composes shard and row id (TiDB autoid ShardIDFormat).
func (e *Encoder) autoRandomHandle(rowID int64) int64 {
	shardBits := e.t.AutoRandomBits
	if shardBits <= 0 {
		shardBits = 5
	}
	rangeBits := e.t.AutoRandomRangeBits
	if rangeBits <= 0 {
		rangeBits = 64
	}
	incBits := rangeBits - shardBits
	if !e.t.Columns[e.arOffset].Unsigned {
		incBits--
	}
	s := e.shard
	if e.spread {
		s = rowShard(e.spreadSeed, rowID)
	}
	shard := (s & (1<<uint(shardBits) - 1)) << uint(incBits)
	return shard | (rowID & (1<<uint(incBits) - 1))
}

// rowIDHandle applies SHARD_ROW_ID_BITS to a _tidb_rowid (Lightning
// sql2kv.go: rd.Seed(id); shard = rd.Uint32() & mask << (63 - bits)).
func (e *Encoder) rowIDHandle(rowID int64) int64 {
	if e.rowIDRand == nil {
		return rowID
	}
	s := e.t.ShardRowIDBits
	e.rowIDRand.Seed(rowID)
	shard := (int64(e.rowIDRand.Uint32()) & (1<<uint(s) - 1)) << uint(63-s)
	return shard | rowID
}

// truncatePrefix cuts a string value to an index prefix length (TiDB
// tablecodec TruncateIndexValue): bytes for binary/ascii, else characters.
func truncatePrefix(d datum.Datum, ci *colInfo, length int) datum.Datum {
	if length < 0 || (d.Kind != datum.String && d.Kind != datum.Bytes) {
		return d
	}
	if ci.byteLen {
		if len(d.B) > length {
			d.B = d.B[:length]
		}
		return d
	}
	n, i, invalid := 0, 0, false
	for i < len(d.B) && n < length {
		r, size := utf8.DecodeRune(d.B[i:])
		if r == utf8.RuneError && size == 1 {
			invalid = true
		}
		i += size
		n++
	}
	if i >= len(d.B) {
		return d // not longer than the prefix: TiDB keeps it untouched
	}
	if !invalid {
		d.B = d.B[:i]
		return d
	}
	// TiDB goes through []rune, which turns invalid bytes into U+FFFD.
	out := make([]byte, 0, i+8)
	for _, r := range []rune(string(d.B[:i])) {
		out = utf8.AppendRune(out, r)
	}
	d.B = out
	return d
}

// tailSpaces counts trailing 0x20 bytes (stringutil.GetTailSpaceCount).
func tailSpaces(b []byte) int {
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == ' '; i-- {
		n++
	}
	return n
}

// usePhysicalID points the record and index key prefixes at the physical
// table id (a partition's), rewriting the 8 table-id bytes after 't'.
func (e *Encoder) usePhysicalID(id int64) {
	if id == e.physID {
		return
	}
	e.physID = id
	tidbcodec.SetPrefixTableID(e.recPrefix, id)
	for i := range e.indexes {
		if !e.indexes[i].meta.Global {
			tidbcodec.SetPrefixTableID(e.indexes[i].prefix, id)
		}
	}
}
