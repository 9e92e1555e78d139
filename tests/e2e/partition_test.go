package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// TestPartitionedTables imports tables partitioned every way TiDB
// partitions (HASH, RANGE on an expression, RANGE COLUMNS, LIST with a
// DEFAULT partition, KEY) and checks that every row is stored under the ID
// of the partition TiDB would put it in, never under the table's own ID
// (which holds only global index entries),
// that the checksum over all partitions matches, and that the rows read
// back whole.
func TestPartitionedTables(t *testing.T) {
	t.Parallel()
	var hashRows, rangeRows, listRows, keyRows strings.Builder
	hashRows.WriteString("INSERT INTO h VALUES ")
	for i := 1; i <= 100; i++ {
		if i > 1 {
			hashRows.WriteString(",")
		}
		fmt.Fprintf(&hashRows, "(%d,'v%d')", i-50, i)
	}
	hashRows.WriteString(";\n")
	rangeRows.WriteString("INSERT INTO r VALUES (1,'1999-05-01','a'),(2,'2004-01-01','b'),(3,'2015-07-07','c'),(4,NULL,'d'),(5,'2009-12-31','e');\n")
	listRows.WriteString("INSERT INTO l VALUES (1,'eu'),(2,'us'),(3,'apac'),(4,'EU'),(5,NULL),(6,'mars');\n")
	keyRows.WriteString("INSERT INTO k VALUES (1,'x'),(2,'y'),(3,'z'),(4,'x'),(5,'w'),(6,'v'),(7,'u'),(8,'t');\n")
	dump := writeDump(t, map[string]string{
		"p-schema-create.sql": "CREATE DATABASE p;\n",
		"p.h-schema.sql":      "CREATE TABLE h (id INT PRIMARY KEY, v VARCHAR(10), KEY (v)) PARTITION BY HASH(id) PARTITIONS 4;\n",
		"p.h.000000000.sql":   hashRows.String(),
		"p.r-schema.sql": "CREATE TABLE r (id INT, d DATE, s VARCHAR(4), KEY (s), KEY gid (id) GLOBAL) PARTITION BY RANGE (YEAR(d)) (" +
			"PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2010), PARTITION p2 VALUES LESS THAN MAXVALUE);\n",
		"p.r.000000000.sql": rangeRows.String(),
		"p.l-schema.sql": "CREATE TABLE l (id INT PRIMARY KEY NONCLUSTERED, region VARCHAR(8) COLLATE utf8mb4_general_ci) PARTITION BY LIST COLUMNS (region) (" +
			"PARTITION peu VALUES IN ('eu'), PARTITION pus VALUES IN ('us', NULL), PARTITION prest DEFAULT);\n",
		"p.l.000000000.sql": listRows.String(),
		"p.k-schema.sql":    "CREATE TABLE k (id INT, s CHAR(1), PRIMARY KEY (id, s)) PARTITION BY KEY() PARTITIONS 3;\n",
		"p.k.000000000.sql": keyRows.String(),
	})
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	for key, r := range res.State.Tables {
		if r.DB != "p" {
			continue // writeDump's empty bad.t
		}
		if r.Status != checkpoint.Done || r.Store != r.Source || r.Store.KVs == 0 {
			t.Errorf("%s: status %s, store %+v, source %+v", key, r.Status, r.Store, r.Source)
		}
	}

	// Rows per physical ID, read from the store.
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	perPartition := func(table string) []int {
		m := loadModel(t, work, "p", table)
		if m.Partition == nil {
			t.Fatalf("%s: model without partitions", table)
		}
		var counts []int
		for _, id := range append([]int64{m.ID}, m.PhysicalIDs()...) {
			n := 0
			prefix := tidbcodec.AppendRecordPrefix(nil, id)
			end := append(tidbcodec.AppendTablePrefix(nil, id), '_', 's')
			if err := st.Scan(context.Background(), prefix, end, func(_, _ []byte) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
		}
		return counts
	}
	// counts[0] is the table's own ID: TiDB writes nothing there.
	for table, want := range map[string][]int{
		// HASH(id), ids -49..50: |id % 4| -> 0: 25, 1: 38 (1 and -1 ...), ...
		"h": hashCounts(-49, 50, 4),
		// YEAR(d) < 2000: 1999 and NULL; < 2010: 2004, 2009; else 2015.
		"r": {0, 2, 2, 1},
		// general_ci: 'EU' is 'eu'; NULL is listed in pus; apac, mars: DEFAULT.
		"l": {0, 2, 2, 2},
	} {
		if got := perPartition(table); !slices.Equal(got, want) {
			t.Errorf("%s: rows per physical id (table, partitions...) %v, want %v", table, got, want)
		}
	}
	// r's global index gid is under r's own id, one entry per row.
	rm := loadModel(t, work, "p", "r")
	n := 0
	gid := tidbcodec.AppendIndexPrefix(nil, rm.ID, 2)
	if err := st.Scan(context.Background(), gid, append(slices.Clone(gid), 0xff), func(_, _ []byte) error { n++; return nil }); err != nil || n != 5 {
		t.Errorf("r's global index: %d entries under the table id (%v), want 5", n, err)
	}
	if got := perPartition("k"); got[0] != 0 || got[1]+got[2]+got[3] != 8 {
		t.Errorf("k: rows per physical id %v, want none under the table and 8 in all", got)
	}
	st.Close()

	for table, rows := range map[string]int{"h": 100, "r": 5, "l": 6, "k": 8} {
		if e := exportTable(t, work, "p", table); len(e.Rows) != rows {
			t.Errorf("export of %s: %d rows, want %d", table, len(e.Rows), rows)
		}
	}
}

// hashCounts is how HASH(id) PARTITIONS n spreads ids lo..hi, as TiDB
// computes it (the absolute value of the truncated remainder), with 0 rows
// for the table's own id first.
func hashCounts(lo, hi, n int) []int {
	counts := make([]int, n+1)
	for id := lo; id <= hi; id++ {
		r := id % n
		if r < 0 {
			r = -r
		}
		counts[1+r]++
	}
	return counts
}
