package tablemodel

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

type foreignKey struct {
	name string
	cols []string
}

// indexes turns the constraints (table-level first, then the column-level
// ones) into indexes with the IDs TiDB's BuildTableInfo allocates: one per
// PRIMARY/UNIQUE/KEY constraint in order, none for an int-handle primary
// key, FULLTEXT, CHECK or FOREIGN KEY, and finally one per foreign key that
// no index covers (pkg/ddl create_table.go BuildTableInfo,
// addIndexForForeignKey).
func (b *builder) indexes(t *Table, constraints []*ast.Constraint) error {
	nameConstraints(constraints)
	var fks []foreignKey
	nextID := int64(1)
	for _, c := range constraints {
		switch c.Tp {
		case ast.ConstraintForeignKey:
			fk := foreignKey{name: c.Name}
			if fk.name == "" {
				fk.name = fmt.Sprintf("fk_%d", len(fks)+1)
			}
			for _, k := range c.Keys {
				if k.Column != nil {
					fk.cols = append(fk.cols, k.Column.Name.O)
				}
			}
			fks = append(fks, fk)
			continue
		case ast.ConstraintCheck:
			b.warnf("CHECK constraint %s ignored (tidb_enable_check_constraint is OFF by default)", c.Name)
			continue
		case ast.ConstraintFulltext:
			b.warnf("FULLTEXT index %s ignored (TiDB cannot handle FULLTEXT indexes)", c.Name)
			continue
		case ast.ConstraintVector, ast.ConstraintColumnar:
			b.warnf("columnar index %s ignored (it lives in TiFlash only)", c.Name)
			continue
		}
		ix := &Index{Name: c.Name, Global: c.Option != nil && c.Option.Global}
		dropped := ""
		for i, k := range c.Keys {
			if k.Expr != nil {
				hc, err := b.hiddenColumn(t, c.Name, i, k.Expr)
				if err != nil {
					return err
				}
				ix.Columns = append(ix.Columns, IndexColumn{Offset: hc.Offset, Length: -1})
				continue
			}
			col := t.Column(k.Column.Name.O)
			if col == nil {
				return fmt.Errorf("index %s: unknown column %s", c.Name, k.Column.Name.O)
			}
			if col.Unsupported != "" {
				dropped = col.Name
			}
			ix.Columns = append(ix.Columns, IndexColumn{Offset: col.Offset, Length: k.Length})
		}
		if dropped != "" {
			b.warnf("index %s dropped: column %s has an unsupported type", c.Name, dropped)
			continue
		}
		switch c.Tp {
		case ast.ConstraintPrimaryKey:
			ix.Primary, ix.Unique, ix.Name = true, true, "PRIMARY"
			first := t.Columns[ix.Columns[0].Offset]
			singleInt := len(ix.Columns) == 1 && IsIntegerType(first.Tp)
			clustered := false
			if c.Option != nil && c.Option.PrimaryKeyTp != ast.PrimaryKeyTypeDefault {
				clustered = c.Option.PrimaryKeyTp == ast.PrimaryKeyTypeClustered
			} else {
				switch b.opt.Clustered {
				case ClusteredOn:
					clustered = true
				case ClusteredIntOnly:
					clustered = singleInt
				}
			}
			if clustered && singleInt {
				// The int column is the handle: no index, no ID.
				t.PKIsHandle, t.HandleOffset = true, first.Offset
				continue
			}
			if clustered {
				t.IsCommonHandle, t.CommonHandleVersion = true, 1
			}
		case ast.ConstraintUniq, ast.ConstraintUniqKey, ast.ConstraintUniqIndex:
			ix.Unique = true
		}
		ix.ID = nextID
		nextID++
		t.Indexes = append(t.Indexes, ix)
	}
	if b.opt.NoForeignKeyIndexes {
		return nil
	}
	for _, fk := range fks {
		if len(fk.cols) == 0 || b.fkCovered(t, fk.cols) {
			continue
		}
		ix := &Index{ID: nextID, Name: fk.name}
		for _, n := range fk.cols {
			col := t.Column(n)
			if col == nil {
				return fmt.Errorf("foreign key %s: unknown column %s", fk.name, n)
			}
			ix.Columns = append(ix.Columns, IndexColumn{Offset: col.Offset, Length: -1})
		}
		nextID++
		t.Indexes = append(t.Indexes, ix)
	}
	return nil
}

// fkCovered reports whether the handle or an index starts with cols at full
// length (pkg/meta/model IsIndexPrefixCovered).
func (b *builder) fkCovered(t *Table, cols []string) bool {
	if t.PKIsHandle && len(cols) == 1 && strings.EqualFold(t.Columns[t.HandleOffset].Name, cols[0]) {
		return true
	}
next:
	for _, ix := range t.Indexes {
		if len(ix.Columns) < len(cols) {
			continue
		}
		for i, n := range cols {
			c := t.Columns[ix.Columns[i].Offset]
			if !strings.EqualFold(c.Name, n) || ix.Columns[i].Length != -1 && ix.Columns[i].Length < c.Flen {
				continue next
			}
		}
		return true
	}
	return false
}

// nameConstraints gives unnamed index constraints TiDB's names: the first
// column's name, then name_2, name_3... (pkg/ddl setEmptyConstraintName).
func nameConstraints(constraints []*ast.Constraint) {
	used := map[string]bool{}
	for _, c := range constraints {
		if c.Tp != ast.ConstraintForeignKey && c.Name != "" {
			used[strings.ToLower(c.Name)] = true
		}
	}
	for _, c := range constraints {
		if c.Tp == ast.ConstraintForeignKey || c.Name != "" || len(c.Keys) == 0 {
			continue
		}
		colName := "expression_index"
		if c.Keys[0].Column != nil {
			colName = c.Keys[0].Column.Name.O
		}
		name, i := colName, 2
		if strings.EqualFold(name, "PRIMARY") {
			name, i = fmt.Sprintf("%s_%d", colName, 2), 3
		}
		for used[strings.ToLower(name)] {
			name = fmt.Sprintf("%s_%d", colName, i)
			i++
		}
		c.Name = name
		used[strings.ToLower(name)] = true
	}
}
