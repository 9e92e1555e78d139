package storecatalog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// The catalog's key layout in the store. Every key starts with Prefix;
// TiDB keeps its own meta under "m" followed by a memcomparable-encoded
// key name (pkg/meta: "DBs", "DB:<id>", "NextGlobalID", ... all starting
// with an upper-case letter), and table data under "t": a lower-case
// "mlightstream/" collides with neither.
//
//	mlightstream/version                  layout version, decimal text ("1")
//	mlightstream/next-id                  the next unallocated ID, decimal text (TiDB's NextGlobalID)
//	mlightstream/db/<db>                  Database, JSON
//	mlightstream/table/<db>\x00<table>    Table, JSON (its model is what the schemas topic carries)
//	mlightstream/view/<db>\x00<view>      View, JSON
//	mlightstream/id/<id: 8 bytes BE>      IDOwner, JSON: who holds an ID (database, table, partition, view)
//
// <db>, <table> and <view> are the names in lower case: TiDB compares
// schema and table names case-insensitively (lower_case_table_names = 2),
// and the records keep the spelling the dump used. Names cannot hold
// U+0000 (MySQL identifiers cannot), so it separates them.
const Prefix = "mlightstream/"

// Version is the layout version this package writes and reads.
const Version = 1

var (
	keyVersion  = []byte(Prefix + "version")
	keyNextID   = []byte(Prefix + "next-id")
	prefixDB    = []byte(Prefix + "db/")
	prefixTable = []byte(Prefix + "table/")
	prefixView  = []byte(Prefix + "view/")
	prefixID    = []byte(Prefix + "id/")
)

// Range is the catalog's whole key range [Prefix, Prefix+1).
func Range() (start, end []byte) {
	return []byte(Prefix), prefixEnd([]byte(Prefix))
}

func dbKey(db string) []byte {
	return append(bytes.Clone(prefixDB), strings.ToLower(db)...)
}

func nameKey(prefix []byte, db, name string) []byte {
	k := append(bytes.Clone(prefix), strings.ToLower(db)...)
	k = append(k, 0)
	return append(k, strings.ToLower(name)...)
}

func tableKey(db, table string) []byte { return nameKey(prefixTable, db, table) }
func viewKey(db, view string) []byte   { return nameKey(prefixView, db, view) }

func idKey(id int64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(prefixID), uint64(id))
}

// prefixEnd is the least key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func encodeInt(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

func decodeInt(key, v []byte) (int64, error) {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("catalog key %q: %w", key, err)
	}
	return n, nil
}

// DataKey is a TiDB table data key, decoded as far as its layout goes:
// the physical table ID and whether it is a record or which index.
type DataKey struct {
	TableID int64
	// Kind is "record", "index" or "" (neither: a key that only starts
	// with the table prefix).
	Kind    string
	IndexID int64
}

// DecodeDataKey reads the table ID, and the record or index part, of a
// TiDB data key: t{id}_r{handle} or t{id}_i{index id}{values}
// (tablecodec). ok is false when key is not a table key.
func DecodeDataKey(key []byte) (k DataKey, ok bool) {
	id, err := tidbcodec.DecodeTableID(key)
	if err != nil {
		return k, false
	}
	k.TableID = id
	switch {
	case tidbcodec.IsRecordKey(key):
		k.Kind = "record"
	case tidbcodec.IsIndexKey(key):
		if _, idx, _, err := tidbcodec.DecodeIndexKeyPrefix(key); err == nil {
			k.Kind, k.IndexID = "index", idx
		}
	}
	return k, true
}

// String says what the key is, for messages: "table 1001 record",
// "table 1001 index 2".
func (k DataKey) String() string {
	switch k.Kind {
	case "record":
		return fmt.Sprintf("table %d record", k.TableID)
	case "index":
		return fmt.Sprintf("table %d index %d", k.TableID, k.IndexID)
	}
	return fmt.Sprintf("table %d", k.TableID)
}
