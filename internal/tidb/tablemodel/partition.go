package tablemodel

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// PartitionType is how a partitioned table assigns rows to partitions; the
// values are TiDB's (pkg/parser/ast PartitionType, TableInfo JSON
// partition.type).
type PartitionType uint8

// The partitioning methods TiDB has.
const (
	PartitionRange PartitionType = 1
	PartitionHash  PartitionType = 2
	PartitionList  PartitionType = 3
	PartitionKey   PartitionType = 4
)

func (p PartitionType) String() string {
	switch p {
	case PartitionRange:
		return "RANGE"
	case PartitionHash:
		return "HASH"
	case PartitionList:
		return "LIST"
	case PartitionKey:
		return "KEY"
	}
	return fmt.Sprintf("partition type %d", uint8(p))
}

// Partitioning describes a partitioned table. TiDB stores each partition
// as a physical table of its own: a row's record and its (local) index
// entries are written under the ID of the partition the row belongs to,
// never under the table's ID.
type Partitioning struct {
	Type PartitionType
	// Expr is the partitioning expression of RANGE, LIST and HASH, in
	// TiDB's restored form; empty for RANGE COLUMNS, LIST COLUMNS and KEY.
	Expr string
	// Columns are the column names of RANGE COLUMNS, LIST COLUMNS and KEY.
	Columns []string
	// Defs are the partitions in definition order.
	Defs []PartitionDef
}

// PartitionDef is one partition.
type PartitionDef struct {
	// ID is the partition's physical table ID.
	ID   int64
	Name string
	// LessThan are the VALUES LESS THAN bounds of a RANGE partition, one
	// per column for RANGE COLUMNS, restored; "MAXVALUE" for MAXVALUE.
	LessThan []string
	// InValues are the VALUES IN tuples of a LIST partition (one value
	// per tuple unless LIST COLUMNS has several columns), restored; the
	// DEFAULT partition has the single tuple {"DEFAULT"}, as in TiDB's
	// TableInfo.
	InValues [][]string
}

// IsDefault reports whether d is a LIST table's DEFAULT partition.
func (d *PartitionDef) IsDefault() bool {
	return len(d.InValues) == 1 && len(d.InValues[0]) == 1 && strings.EqualFold(d.InValues[0][0], "DEFAULT")
}

// PhysicalIDs returns the IDs the table's rows are written under: the
// partitions' IDs for a partitioned table, the table's ID otherwise.
func (t *Table) PhysicalIDs() []int64 {
	if t.Partition == nil {
		return []int64{t.ID}
	}
	ids := make([]int64, len(t.Partition.Defs))
	for i, d := range t.Partition.Defs {
		ids[i] = d.ID
	}
	return ids
}

// MaxID returns the largest ID the table uses (its own or a partition's).
func (t *Table) MaxID() int64 {
	m := t.ID
	for _, id := range t.PhysicalIDs() {
		m = max(m, id)
	}
	return m
}

// partitioning builds the partitions of CREATE TABLE ... PARTITION BY. As
// TiDB's DDL does for a new table, the partitions get the IDs that follow
// the table's own, in definition order (tableID+1, tableID+2, ...); a
// HASH or KEY table given only PARTITIONS n gets partitions p0..p{n-1}.
func (b *builder) partitioning(t *Table, o *ast.PartitionOptions) error {
	p := &Partitioning{}
	switch o.Tp {
	case ast.PartitionTypeRange, ast.PartitionTypeHash, ast.PartitionTypeList, ast.PartitionTypeKey:
		p.Type = PartitionType(o.Tp)
	default:
		return fmt.Errorf("%w: PARTITION BY %s", ErrUnsupported, o.Tp)
	}
	if o.Sub != nil {
		return fmt.Errorf("%w: subpartitions", ErrUnsupported)
	}
	if o.Interval != nil {
		return fmt.Errorf("%w: PARTITION BY RANGE ... INTERVAL", ErrUnsupported)
	}
	if o.Linear {
		// TiDB accepts LINEAR with a warning and partitions as without it.
		b.warnf("PARTITION BY LINEAR %s is partitioned as %s, as TiDB does", p.Type, p.Type)
	}
	if o.Expr != nil {
		s, err := restore(o.Expr)
		if err != nil {
			return fmt.Errorf("partition expression: %w", err)
		}
		p.Expr = s
	}
	for _, c := range o.ColumnNames {
		col := t.Column(c.Name.O)
		if col == nil {
			return fmt.Errorf("partitioning column %s: no such column", c.Name.O)
		}
		p.Columns = append(p.Columns, col.Name)
	}
	if p.Type == PartitionKey && len(p.Columns) == 0 {
		// KEY() partitions by the primary key.
		if pk := t.PrimaryIndex(); pk != nil {
			for _, ic := range pk.Columns {
				p.Columns = append(p.Columns, t.Columns[ic.Offset].Name)
			}
		} else if t.PKIsHandle {
			p.Columns = append(p.Columns, t.Columns[t.HandleOffset].Name)
		} else {
			return fmt.Errorf("%w: PARTITION BY KEY() without a primary key", ErrUnsupported)
		}
	}
	defs := o.Definitions
	if len(defs) == 0 {
		switch p.Type {
		case PartitionHash, PartitionKey:
			n := max(o.Num, 1)
			for i := range n {
				p.Defs = append(p.Defs, PartitionDef{Name: fmt.Sprintf("p%d", i)})
			}
		default:
			return fmt.Errorf("%w: PARTITION BY %s without partition definitions", ErrUnsupported, p.Type)
		}
	}
	for _, d := range defs {
		def := PartitionDef{Name: d.Name.O}
		if len(d.Sub) > 0 {
			return fmt.Errorf("%w: subpartitions", ErrUnsupported)
		}
		switch c := d.Clause.(type) {
		case *ast.PartitionDefinitionClauseLessThan:
			for _, e := range c.Exprs {
				s, err := restoreBound(e)
				if err != nil {
					return fmt.Errorf("partition %s: %w", d.Name.O, err)
				}
				def.LessThan = append(def.LessThan, s)
			}
		case *ast.PartitionDefinitionClauseIn:
			if len(c.Values) == 0 {
				def.InValues = [][]string{{"DEFAULT"}}
			}
			for _, tuple := range c.Values {
				var vals []string
				for _, e := range tuple {
					s, err := restoreBound(e)
					if err != nil {
						return fmt.Errorf("partition %s: %w", d.Name.O, err)
					}
					vals = append(vals, s)
				}
				def.InValues = append(def.InValues, vals)
			}
		}
		switch {
		case p.Type == PartitionRange && len(def.LessThan) == 0:
			return fmt.Errorf("partition %s: RANGE partition without VALUES LESS THAN", d.Name.O)
		case p.Type == PartitionList && len(def.InValues) == 0:
			return fmt.Errorf("partition %s: LIST partition without VALUES IN", d.Name.O)
		}
		p.Defs = append(p.Defs, def)
	}
	for i := range p.Defs {
		p.Defs[i].ID = t.ID + 1 + int64(i)
	}
	t.Partition = p
	return nil
}

func restore(e ast.ExprNode) (string, error) {
	var sb strings.Builder
	if err := e.Restore(format.NewRestoreCtx(restoreFlags, &sb)); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// restoreBound restores a LESS THAN or IN value; MAXVALUE and DEFAULT are
// kept as the keywords TiDB's TableInfo holds. Backslashes in strings are
// escaped, so that the text reads back as the same value.
func restoreBound(e ast.ExprNode) (string, error) {
	switch e.(type) {
	case *ast.MaxValueExpr:
		return "MAXVALUE", nil
	case *ast.DefaultExpr:
		return "DEFAULT", nil
	}
	var sb strings.Builder
	if err := e.Restore(format.NewRestoreCtx(restoreFlags|format.RestoreStringEscapeBackslash, &sb)); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// globalIndexes settles the global indexes once partitions are known: a
// table without partitions has none (TiDB refuses GLOBAL there; the index
// is kept as a plain one, with a warning), and a global index of a
// non-clustered table whose key can hold a handle (non-unique, or a
// nullable column) is version 1 (pkg/ddl setGlobalIndexVersion).
func (b *builder) globalIndexes(t *Table) {
	for _, ix := range t.Indexes {
		if !ix.Global {
			continue
		}
		if t.Partition == nil {
			ix.Global = false
			b.warnf("index %s: GLOBAL ignored on a table without partitions", ix.Name)
			continue
		}
		if t.PKIsHandle || t.IsCommonHandle {
			continue
		}
		v1 := !ix.Unique
		for _, ic := range ix.Columns {
			v1 = v1 || !t.Columns[ic.Offset].NotNull
		}
		if v1 {
			ix.GlobalIndexVersion = 1
		}
	}
}
