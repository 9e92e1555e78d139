package tablemodel

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// statePublic is model.StatePublic: only public columns and indexes are
// visible to writers.
const statePublic = 5

// columnInfoVersion1 is model.ColumnInfoVersion1: since then a TIMESTAMP
// column's default is stored in UTC.
const columnInfoVersion1 = 1

// The JSON shapes of TiDB's pkg/meta/model TableInfo, ColumnInfo and
// IndexInfo (their json tags), limited to what encoding needs.
type ciStr struct {
	O string `json:"O"`
	L string `json:"L"`
}

type fieldTypeJSON struct {
	Tp      byte     `json:"Tp"`
	Flag    uint     `json:"Flag"`
	Flen    int      `json:"Flen"`
	Decimal int      `json:"Decimal"`
	Charset string   `json:"Charset"`
	Collate string   `json:"Collate"`
	Elems   []string `json:"Elems"`
}

type columnJSON struct {
	ID               int64           `json:"id"`
	Name             ciStr           `json:"name"`
	Offset           int             `json:"offset"`
	OriginDefault    any             `json:"origin_default"`
	Default          any             `json:"default"`
	DefaultBit       []byte          `json:"default_bit"`
	DefaultIsExpr    bool            `json:"default_is_expr"`
	GeneratedExpr    string          `json:"generated_expr_string"`
	GeneratedStored  bool            `json:"generated_stored"`
	Type             fieldTypeJSON   `json:"type"`
	State            int             `json:"state"`
	Hidden           bool            `json:"hidden"`
	Version          int             `json:"version"`
	ChangeStateInfo  json.RawMessage `json:"change_state_info"`
	OriginDefaultBit []byte          `json:"origin_default_bit"`
}

type indexColumnJSON struct {
	Name   ciStr `json:"name"`
	Offset int   `json:"offset"`
	Length int   `json:"length"`
}

type indexJSON struct {
	ID        int64             `json:"id"`
	Name      ciStr             `json:"idx_name"`
	Columns   []indexColumnJSON `json:"idx_cols"`
	State     int               `json:"state"`
	IsUnique  bool              `json:"is_unique"`
	IsPrimary bool              `json:"is_primary"`
	Unique    bool              `json:"unique"`
	Primary   bool              `json:"primary"`
	Global    bool              `json:"is_global"`
	// GlobalVersion is global_index_version (TiDB >= 8.5).
	GlobalVersion uint8 `json:"global_index_version"`
}

type tableJSON struct {
	ID                  int64        `json:"id"`
	Name                ciStr        `json:"name"`
	Charset             string       `json:"charset"`
	Collate             string       `json:"collate"`
	Columns             []columnJSON `json:"cols"`
	Indexes             []indexJSON  `json:"index_info"`
	PKIsHandle          bool         `json:"pk_is_handle"`
	IsCommonHandle      bool         `json:"is_common_handle"`
	CommonHandleVersion uint16       `json:"common_handle_version"`
	AutoIncID           int64        `json:"auto_inc_id"`
	AutoRandomBits      int          `json:"auto_random_bits"`
	AutoRandomRangeBits int          `json:"auto_random_range_bits"`
	ShardRowIDBits      int          `json:"shard_row_id_bits"`
	// TiDB's model.TableInfo.ShardRowIDBits has no json tag, so the status
	// API writes it under its Go name (pkg/meta/model/table.go).
	ShardRowIDBitsGoName int            `json:"ShardRowIDBits"`
	Partition            *partitionJSON `json:"partition"`
}

// partitionJSON is TiDB's model.PartitionInfo.
type partitionJSON struct {
	Type        uint8   `json:"type"`
	Expr        string  `json:"expr"`
	Columns     []ciStr `json:"columns"`
	Enable      bool    `json:"enable"`
	Definitions []struct {
		ID       int64      `json:"id"`
		Name     ciStr      `json:"name"`
		LessThan []string   `json:"less_than"`
		InValues [][]string `json:"in_values"`
	} `json:"definitions"`
}

// FromTableInfoJSON loads TiDB's TableInfo JSON as its status API serves it
// (GET /schema/{db}/{table}). Only public columns and indexes are kept;
// index column offsets are remapped onto the kept columns.
func FromTableInfoJSON(data []byte, db string) (*Table, error) {
	var ti tableJSON
	if err := json.Unmarshal(data, &ti); err != nil {
		return nil, fmt.Errorf("table info JSON: %w", err)
	}
	if len(ti.Columns) == 0 {
		return nil, fmt.Errorf("table info JSON for %s.%s: no columns", db, ti.Name.O)
	}
	t := &Table{
		ID: ti.ID, DB: db, Name: ti.Name.O,
		Charset: ti.Charset, Collate: ti.Collate,
		PKIsHandle: ti.PKIsHandle, HandleOffset: -1,
		IsCommonHandle: ti.IsCommonHandle, CommonHandleVersion: ti.CommonHandleVersion,
		ShardRowIDBits: max(ti.ShardRowIDBits, ti.ShardRowIDBitsGoName), AutoRandomBits: ti.AutoRandomBits,
		AutoRandomRangeBits: ti.AutoRandomRangeBits,
	}
	if t.AutoRandomBits > 0 && t.AutoRandomRangeBits == 0 {
		t.AutoRandomRangeBits = 64
	}
	remap := map[int]int{}
	for _, cj := range ti.Columns {
		if cj.State != statePublic {
			continue
		}
		ft := cj.Type
		col := &Column{
			ID: cj.ID, Name: cj.Name.O, Offset: len(t.Columns),
			Tp: ft.Tp, Flen: ft.Flen, Decimal: ft.Decimal,
			Unsigned:        mysql.HasUnsignedFlag(ft.Flag),
			Charset:         ft.Charset,
			Collate:         ft.Collate,
			NotNull:         mysql.HasNotNullFlag(ft.Flag),
			Elems:           ft.Elems,
			OnUpdateNow:     mysql.HasOnUpdateNowFlag(ft.Flag),
			AutoIncrement:   mysql.HasAutoIncrementFlag(ft.Flag),
			PrimaryKey:      mysql.HasPriKeyFlag(ft.Flag),
			GeneratedExpr:   cj.GeneratedExpr,
			GeneratedStored: cj.GeneratedStored,
			Hidden:          cj.Hidden,
		}
		if col.Charset == "" {
			col.Charset, col.Collate = "binary", "binary"
		}
		if err := setJSONDefault(col, cj); err != nil {
			return nil, fmt.Errorf("table info JSON for %s.%s column %s: %w", db, ti.Name.O, col.Name, err)
		}
		remap[cj.Offset] = col.Offset
		t.Columns = append(t.Columns, col)
	}
	for _, ij := range ti.Indexes {
		if ij.State != statePublic {
			continue
		}
		ix := &Index{ID: ij.ID, Name: ij.Name.O, Unique: ij.IsUnique || ij.Unique, Primary: ij.IsPrimary || ij.Primary,
			Global: ij.Global, GlobalIndexVersion: ij.GlobalVersion}
		for _, c := range ij.Columns {
			off, ok := remap[c.Offset]
			if !ok {
				return nil, fmt.Errorf("table info JSON for %s.%s: index %s uses a non-public column %s", db, ti.Name.O, ix.Name, c.Name.O)
			}
			ix.Columns = append(ix.Columns, IndexColumn{Offset: off, Length: c.Length})
		}
		t.Indexes = append(t.Indexes, ix)
	}
	if t.PKIsHandle {
		for _, c := range t.Columns {
			if c.PrimaryKey {
				t.HandleOffset = c.Offset
				c.AutoRandom = t.AutoRandomBits > 0
				break
			}
		}
		if t.HandleOffset < 0 {
			return nil, fmt.Errorf("table info JSON for %s.%s: pk_is_handle without a primary key column", db, ti.Name.O)
		}
	}
	if pj := ti.Partition; pj != nil && len(pj.Definitions) > 0 {
		p := &Partitioning{Type: PartitionType(pj.Type), Expr: pj.Expr}
		for _, c := range pj.Columns {
			p.Columns = append(p.Columns, c.O)
		}
		for _, d := range pj.Definitions {
			p.Defs = append(p.Defs, PartitionDef{ID: d.ID, Name: d.Name.O, LessThan: d.LessThan, InValues: d.InValues})
		}
		t.Partition = p
	}
	return t, nil
}

func setJSONDefault(col *Column, cj columnJSON) error {
	if mysql.HasNoDefaultValueFlag(cj.Type.Flag) {
		return nil
	}
	switch v := cj.Default.(type) {
	case nil:
		if len(cj.DefaultBit) > 0 {
			col.HasDefault = true
			col.Default = bitsToDecimal(cj.DefaultBit)
			return nil
		}
		// A column without NoDefaultValueFlag and without a value defaults
		// to NULL (nullable) — TiDB's table.GetColDefaultValue.
		if !col.NotNull {
			col.HasDefault, col.DefaultIsNull = true, true
		}
		return nil
	case string:
		col.HasDefault = true
		if cj.DefaultIsExpr {
			col.Default, col.DefaultIsExpr = v, true
			return nil
		}
		up := strings.ToUpper(v)
		if (col.Tp == mysql.TypeTimestamp || col.Tp == mysql.TypeDatetime || col.Tp == mysql.TypeDate) &&
			(strings.HasPrefix(up, "CURRENT_TIMESTAMP") || strings.HasPrefix(up, "NOW(") || strings.HasPrefix(up, "CURRENT_DATE")) {
			col.DefaultIsNow = true
			return nil
		}
		if col.Tp == mysql.TypeBit && len(cj.DefaultBit) > 0 {
			col.Default = bitsToDecimal(cj.DefaultBit)
			return nil
		}
		col.Default = v
		col.DefaultInUTC = col.Tp == mysql.TypeTimestamp && cj.Version >= columnInfoVersion1
		return nil
	case float64:
		col.HasDefault, col.Default = true, fmt.Sprint(v)
		return nil
	default:
		return fmt.Errorf("unexpected default value %v", v)
	}
}

func bitsToDecimal(b []byte) string {
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return fmt.Sprint(u)
}
