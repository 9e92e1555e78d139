// Package tablemodel holds the table definition that encoding needs: the
// columns and indexes of a table with the IDs TiDB assigns them, built
// either from a dump's CREATE TABLE text (as TiDB's DDL would for a new
// table) or from TiDB's own TableInfo JSON (as its status API serves it).
package tablemodel

// Column is one public column of a table.
type Column struct {
	// ID is TiDB's column ID (1..n in definition order for a new table).
	ID int64
	// Name as written in the DDL (original case).
	Name string
	// Offset is the position in Table.Columns.
	Offset int
	// Tp is the MySQL type code (github.com/pingcap/tidb/pkg/parser/mysql
	// TypeTiny, TypeLong, ...), the same code TiDB's TableInfo JSON uses.
	Tp byte
	// Flen is the display length / precision (-1 when unspecified, after
	// defaults are filled it is the type's default, e.g. DECIMAL -> 10).
	Flen int
	// Decimal is the scale (DECIMAL) or fractional-second precision
	// (DATETIME/TIMESTAMP/TIME); 0 when not given.
	Decimal int
	// Unsigned is set for UNSIGNED integer, float and decimal types.
	Unsigned bool
	// Charset and Collate are the effective ones: column, else table, else
	// database default; "binary" for binary string types and non-strings.
	Charset string
	Collate string
	// NotNull is set for NOT NULL columns (and primary key columns).
	NotNull bool
	// Elems are the ENUM/SET members in definition order.
	Elems []string
	// HasDefault says a DEFAULT clause (or TableInfo default) exists.
	HasDefault bool
	// Default is the default value in text form when HasDefault and it is
	// neither NULL nor a function; DefaultIsNull for DEFAULT NULL.
	Default       string
	DefaultIsNull bool
	// DefaultIsNow is set for DEFAULT CURRENT_TIMESTAMP / NOW() [(fsp)].
	DefaultIsNow bool
	// DefaultIsExpr is set when the default is an expression other than
	// CURRENT_TIMESTAMP (DEFAULT (uuid()), ...); Default then holds its
	// text and value conversion cannot evaluate it.
	DefaultIsExpr bool
	// DefaultInUTC is set when Default of a TIMESTAMP column is already in
	// UTC (TiDB's TableInfo stores it so since ColumnInfoVersion1); a
	// default from CREATE TABLE text is in the session time zone.
	DefaultInUTC bool
	// OnUpdateNow is set for ON UPDATE CURRENT_TIMESTAMP (informational).
	OnUpdateNow bool
	// AutoIncrement and AutoRandom mark the handle allocators.
	AutoIncrement bool
	AutoRandom    bool
	// GeneratedExpr is the expression text of a generated column (empty
	// otherwise); GeneratedStored distinguishes STORED from VIRTUAL.
	GeneratedExpr   string
	GeneratedStored bool
	// PrimaryKey is set for columns that are part of the primary key.
	PrimaryKey bool
	// Unsupported names a type TiDB does not have (GEOMETRY, ...): such a
	// column is skipped with a warning and never encoded.
	Unsupported string
	// Hidden marks the virtual column TiDB adds for an expression index
	// part (_V$_{index}_{part}): computed and indexed, never given by a
	// dump nor shown by SELECT *.
	Hidden bool `json:",omitempty"`
}

// IsGenerated reports whether the column is computed from others.
func (c *Column) IsGenerated() bool { return c.GeneratedExpr != "" }

// IndexColumn is one column of an index.
type IndexColumn struct {
	// Offset is the column's position in Table.Columns.
	Offset int
	// Length is the prefix length in characters (bytes for binary/ascii),
	// or -1 for the whole value.
	Length int
}

// Index is a secondary index, or the primary key when it is not the int
// handle (clustered primary keys are listed too: they define the common
// handle but produce no index KV pairs).
type Index struct {
	// ID is TiDB's index ID (1..n in the order TiDB's DDL handles the
	// constraints; the int-handle primary key gets none).
	ID      int64
	Name    string
	Unique  bool
	Primary bool
	Columns []IndexColumn
	// Global marks a global index of a partitioned table: its entries are
	// keyed under the table's ID, not the partition's, and carry the
	// partition's ID in the value. GlobalIndexVersion 1 also puts the
	// partition's ID in the key before the handle (TiDB sets it for a
	// global index of a non-clustered table that can hold a handle in its
	// key: non-unique, or with a nullable column).
	Global             bool  `json:",omitempty"`
	GlobalIndexVersion uint8 `json:",omitempty"`
}

// Table is what encoding needs to know about one table.
type Table struct {
	// ID is the table ID: the physical one, unless the table is
	// partitioned (then each partition has its own).
	ID   int64
	DB   string
	Name string
	// Columns are the public columns in definition order, generated ones
	// included, unsupported ones included (marked).
	Columns []*Column
	// Indexes in index-ID order.
	Indexes []*Index
	// Charset and Collate are the table defaults.
	Charset string
	Collate string
	// PKIsHandle: the primary key is a single integer column used as the
	// handle; HandleOffset is that column's offset (-1 otherwise).
	PKIsHandle   bool
	HandleOffset int
	// IsCommonHandle: a clustered primary key that is not a single integer
	// column; CommonHandleVersion is 1 for tables created by TiDB >= 5.0.
	IsCommonHandle      bool
	CommonHandleVersion uint16
	// AutoIncrementBase is the table option AUTO_INCREMENT=N (0 if absent).
	AutoIncrementBase int64
	// ShardRowIDBits and AutoRandomBits are the table's sharding options.
	ShardRowIDBits      int
	AutoRandomBits      int
	AutoRandomRangeBits int
	// Partition is set for a partitioned table: its rows are written under
	// the partitions' IDs (PhysicalIDs), not under ID.
	Partition *Partitioning `json:",omitempty"`
	// RowIDBase shifts every row ID this import gives (the dump's row k of
	// a chunk gets RowIDBase + the chunk's base + k): above the largest
	// row ID of the rows a table held before an incremental import, as
	// Lightning's AllocTableRowIDs and RebaseChunkRowIDs do. 0 otherwise.
	RowIDBase int64 `json:",omitempty"`
}

// PrimaryIndex returns the primary key index, or nil (int-handle tables and
// tables without a primary key have none).
func (t *Table) PrimaryIndex() *Index {
	for _, ix := range t.Indexes {
		if ix.Primary {
			return ix
		}
	}
	return nil
}

// Column returns the column with the given name (case-insensitive), or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if equalFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
