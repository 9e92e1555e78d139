package tidbcatalog

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
)

// Checksum implements coordinator.PostImporter: ADMIN CHECKSUM TABLE, the
// XOR of CRC64 (ECMA) over every key and value of the table computed by
// TiKV's coprocessor, with the pair count and their key+value bytes
// (TiDB's pkg/executor checksum.go; result columns Db_name, Table_name,
// Checksum_crc64_xor, Total_kvs, Total_bytes). Lightning compares the same
// three figures with its local checksum (pkg/lightning/importer
// checksum.go).
func (c *TiDB) Checksum(ctx context.Context, db, table string) (checkpoint.Checksum, error) {
	q := "ADMIN CHECKSUM TABLE " + tableName(db, table)
	s, err := c.sql.Session(ctx)
	if err != nil {
		return checkpoint.Checksum{}, fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	rs, err := s.Query(ctx, q)
	if err != nil {
		return checkpoint.Checksum{}, fmt.Errorf("%s: %w", q, err)
	}
	return parseChecksum(rs, q)
}

func parseChecksum(rs *ResultSet, q string) (checkpoint.Checksum, error) {
	if len(rs.Rows) != 1 {
		return checkpoint.Checksum{}, fmt.Errorf("%s: %d rows, want 1", q, len(rs.Rows))
	}
	var out checkpoint.Checksum
	for _, f := range []struct {
		col string
		dst *uint64
	}{
		{"Checksum_crc64_xor", &out.Sum},
		{"Total_kvs", &out.KVs},
		{"Total_bytes", &out.Bytes},
	} {
		v, ok := rs.Cell(0, f.col)
		if !ok {
			return checkpoint.Checksum{}, fmt.Errorf("%s: no %s in the result (columns %v)", q, f.col, rs.Columns)
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return checkpoint.Checksum{}, fmt.Errorf("%s: %s %q: %w", q, f.col, v, err)
		}
		*f.dst = n
	}
	return out, nil
}

// Analyze implements coordinator.PostImporter: ANALYZE TABLE collects the
// statistics the optimizer needs (the import bypassed TiDB's writes, so
// TiDB has none for the new rows).
func (c *TiDB) Analyze(ctx context.Context, db, table string) error {
	q := "ANALYZE TABLE " + tableName(db, table)
	s, err := c.sql.Session(ctx)
	if err != nil {
		return fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	// MySQL-protocol servers answer ANALYZE with a result set (MySQL,
	// MariaDB) or none (TiDB): Query reads either.
	rs, err := s.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	// MySQL and MariaDB report a failure as a row, not an error.
	for i := range rs.Rows {
		if t, _ := rs.Cell(i, "Msg_type"); strings.EqualFold(t, "error") {
			text, _ := rs.Cell(i, "Msg_text")
			return fmt.Errorf("%s: %s", q, text)
		}
	}
	return nil
}

// Rebase implements coordinator.PostImporter: it moves the table's ID
// allocators past the largest imported value so that the application's
// next INSERT does not collide with an imported row. As Lightning
// (pkg/lightning/common AlterAutoIncrement, AlterAutoRandom): AUTO_RANDOM
// tables get AUTO_RANDOM_BASE = max shard-less value + 1; tables with an
// AUTO_INCREMENT column or an implicit _tidb_rowid get AUTO_INCREMENT =
// max + 1 (the two share one allocator). The maxima are read back with
// SQL, which sees exactly what was ingested. A smaller base than TiDB's
// current one is ignored by TiDB, so rerunning is harmless.
func (c *TiDB) Rebase(ctx context.Context, t *tablemodel.Table) error {
	stmts, err := c.rebaseStatements(ctx, t)
	if err != nil {
		return err
	}
	if len(stmts) == 0 {
		return nil
	}
	s, err := c.sql.Session(ctx)
	if err != nil {
		return fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	for _, q := range stmts {
		if err := s.Exec(ctx, q); err != nil {
			return fmt.Errorf("rebase %s.%s: %s: %w", t.DB, t.Name, q, err)
		}
	}
	return nil
}

// incrementalBits is the width of an ID's allocated part below the shard
// bits and the sign bit (TiDB's pkg/meta/autoid ShardIDLayout).
func incrementalBits(rangeBits, shardBits int, unsigned bool) int {
	if rangeBits <= 0 || rangeBits > 64 {
		rangeBits = 64
	}
	n := rangeBits - shardBits
	if !unsigned {
		n--
	}
	return n
}

func (c *TiDB) rebaseStatements(ctx context.Context, t *tablemodel.Table) ([]string, error) {
	name := tableName(t.DB, t.Name)
	var handle *tablemodel.Column
	if t.PKIsHandle && t.HandleOffset >= 0 && t.HandleOffset < len(t.Columns) {
		handle = t.Columns[t.HandleOffset]
	}
	// The AUTO_RANDOM column: the int handle, or the first column of a
	// clustered composite key (TiDB >= 6.3).
	var arCol *tablemodel.Column
	if handle != nil && (handle.AutoRandom || t.AutoRandomBits > 0) {
		arCol = handle
	} else {
		for _, col := range t.Columns {
			if col.AutoRandom {
				arCol = col
				break
			}
		}
	}
	if arCol != nil {
		bits := incrementalBits(t.AutoRandomRangeBits, t.AutoRandomBits, arCol.Unsigned)
		mask := uint64(1)<<uint(bits) - 1
		maxBase, err := c.queryMax(ctx, fmt.Sprintf("SELECT IFNULL(MAX(%s & %d), 0) FROM %s", quoteName(arCol.Name), mask, name))
		if err != nil {
			return nil, err
		}
		base := maxBase + 1
		switch {
		case base == mask+1:
			// The largest value is taken: TiDB then refuses to allocate,
			// which is right (Lightning sets the base to the maximum).
			base = mask
		case base > mask+1:
			c.cfg.Logger.Warn("AUTO_RANDOM values beyond what TiDB allocates; base left as it is", "table", t.DB+"."+t.Name)
			return nil, nil
		}
		return []string{fmt.Sprintf("ALTER TABLE %s AUTO_RANDOM_BASE=%d", name, base)}, nil
	}
	var maxID uint64
	found := false
	for _, col := range t.Columns {
		if !col.AutoIncrement {
			continue
		}
		v, err := c.queryMax(ctx, fmt.Sprintf("SELECT IFNULL(MAX(%s), 0) FROM %s", quoteName(col.Name), name))
		if err != nil {
			return nil, err
		}
		maxID, found = max(maxID, v), true
	}
	if handle == nil && !t.IsCommonHandle {
		// The implicit _tidb_rowid handle shares the AUTO_INCREMENT
		// allocator; its shard bits are not part of the allocated value.
		bits := incrementalBits(64, t.ShardRowIDBits, false)
		mask := uint64(1)<<uint(bits) - 1
		v, err := c.queryMax(ctx, fmt.Sprintf("SELECT IFNULL(MAX(_tidb_rowid & %d), 0) FROM %s", mask, name))
		if err != nil {
			return nil, err
		}
		maxID, found = max(maxID, v), true
	}
	if !found || maxID == 0 {
		return nil, nil
	}
	// AUTO_INCREMENT takes a signed 64-bit value: past it, FORCE the
	// largest (Lightning's adjustIDBase).
	if maxID >= math.MaxInt64 {
		c.cfg.Logger.Warn("AUTO_INCREMENT beyond the largest value TiDB supports, set to the largest", "table", t.DB+"."+t.Name)
		return []string{fmt.Sprintf("ALTER TABLE %s FORCE AUTO_INCREMENT=%d", name, int64(math.MaxInt64))}, nil
	}
	return []string{fmt.Sprintf("ALTER TABLE %s AUTO_INCREMENT=%d", name, maxID+1)}, nil
}

// queryMax runs a one-value query and reads it as a non-negative integer:
// a negative maximum leaves the allocator alone (0), a fraction (FLOAT
// AUTO_INCREMENT columns) is cut.
func (c *TiDB) queryMax(ctx context.Context, q string) (uint64, error) {
	s, err := c.sql.Session(ctx)
	if err != nil {
		return 0, fmt.Errorf("tidb catalog: %w", err)
	}
	defer s.Close()
	rs, err := s.Query(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	if len(rs.Rows) != 1 || len(rs.Rows[0]) != 1 {
		return 0, fmt.Errorf("%s: want one value, got %d rows", q, len(rs.Rows))
	}
	if rs.Rows[0][0] == nil {
		return 0, nil
	}
	return parseMax(*rs.Rows[0][0])
}

var errBadNumber = errors.New("not a number")

func parseMax(v string) (uint64, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "-") {
		return 0, nil
	}
	if i := strings.IndexAny(v, ".eE"); i >= 0 {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", v, errBadNumber)
		}
		if f >= math.MaxUint64 {
			return math.MaxUint64, nil
		}
		return uint64(f), nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", v, errBadNumber)
	}
	return n, nil
}
