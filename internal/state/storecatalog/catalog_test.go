package storecatalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

func openStore(t *testing.T) *store.Embedded {
	t.Helper()
	st, err := store.OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

const (
	plainDDL       = "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10), KEY iv (v))"
	partitionedDDL = "CREATE TABLE t (id INT, v INT) PARTITION BY HASH(id) PARTITIONS 3"
)

func builder(db, ddl string) func(int64) (*tablemodel.Table, error) {
	return func(id int64) (*tablemodel.Table, error) {
		t, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: db}, id)
		return t, err
	}
}

func create(t *testing.T, c *Catalog, db, name, ddl string) CreateResult {
	t.Helper()
	res, err := c.CreateTable(context.Background(), DatabaseSpec{Name: db}, name, builder(db, ddl))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestKeyLayout(t *testing.T) {
	for _, tc := range []struct {
		got  []byte
		want string
	}{
		{tableKey("Shop", "Orders"), "mlightstream/table/shop\x00orders"},
		{viewKey("shop", "V"), "mlightstream/view/shop\x00v"},
		{dbKey("SHOP"), "mlightstream/db/shop"},
		{idKey(1001), "mlightstream/id/\x00\x00\x00\x00\x00\x00\x03\xe9"},
		{keyNextID, "mlightstream/next-id"},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("key %q, want %q", tc.got, tc.want)
		}
	}
	// The catalog's range lies outside every table's data ("t...") and
	// TiDB's own meta keys ("m" + an upper-case key name).
	start, end := Range()
	for _, k := range [][]byte{tidbcodec.TablePrefix(0), tidbcodec.TablePrefix(1 << 40), []byte("mDBs"), []byte("mNextGlobalID"), []byte("mDB:1")} {
		if bytes.Compare(k, start) >= 0 && bytes.Compare(k, end) < 0 {
			t.Errorf("key %q is inside the catalog range [%q, %q)", k, start, end)
		}
	}
	if string(end) != "mlightstream0" {
		t.Errorf("range end %q", end)
	}
}

func TestDecodeDataKey(t *testing.T) {
	rec := tidbcodec.AppendRecordKeyInt(nil, 1002, 7)
	idx := append(tidbcodec.AppendIndexPrefix(nil, 1003, 2), 0x01, 'a')
	for _, tc := range []struct {
		key  []byte
		want string
		ok   bool
	}{
		{rec, "table 1002 record", true},
		{idx, "table 1003 index 2", true},
		{tidbcodec.TablePrefix(5), "table 5", true},
		{[]byte("mlightstream/next-id"), "", false},
	} {
		got, ok := DecodeDataKey(tc.key)
		if ok != tc.ok || (ok && got.String() != tc.want) {
			t.Errorf("DecodeDataKey(%x) = %v %v, want %q %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCreateTableAllocates(t *testing.T) {
	c := New(openStore(t))
	a := create(t, c, "shop", "orders", plainDDL)
	if a.Existed || a.Table.ID != FirstID+1 { // the database took FirstID
		t.Fatalf("first table: %+v", a)
	}
	p := create(t, c, "shop", "parts", partitionedDDL)
	if want := []int64{FirstID + 3, FirstID + 4, FirstID + 5}; p.Table.ID != FirstID+2 || !slices.Equal(p.Table.PhysicalIDs, want) {
		t.Fatalf("partitioned table: ID %d partitions %v, want %d %v", p.Table.ID, p.Table.PhysicalIDs, FirstID+2, want)
	}
	m, err := p.Table.Decode()
	if err != nil || m.ID != p.Table.ID || m.Partition.Defs[0].ID != FirstID+3 {
		t.Fatalf("model: %+v %v", m, err)
	}
	// Same name in any case: the existing record, no new ID.
	again := create(t, c, "SHOP", "Orders", plainDDL)
	if !again.Existed || again.Table.ID != a.Table.ID {
		t.Fatalf("existing table: %+v", again)
	}
	other := create(t, c, "crm", "orders", plainDDL)
	if other.Table.ID != FirstID+7 { // crm took FirstID+6
		t.Fatalf("orders in another database: ID %d", other.Table.ID)
	}
	all, err := c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Databases) != 2 || len(all.Tables) != 3 || all.NextID != FirstID+8 {
		t.Fatalf("list: %+v", all)
	}
	o, err := c.Owner(context.Background(), FirstID+4)
	if err != nil || o.String() != "a partition of shop.parts" {
		t.Fatalf("owner of a partition ID: %v %v", o, err)
	}
	if _, err := c.Table(context.Background(), "shop", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing table: %v", err)
	}
}

// An ID whose key range already holds data (an import from before the
// catalog) is skipped, never given to a new table.
func TestCreateTableSkipsIDsHoldingData(t *testing.T) {
	st := openStore(t)
	key := tidbcodec.AppendRecordKeyInt(nil, FirstID+2, 1)
	if err := st.WriteBatch(context.Background(), []store.Pair{{Key: key, Value: []byte{0x80}}}); err != nil {
		t.Fatal(err)
	}
	c := New(st)
	res := create(t, c, "db", "p", partitionedDDL) // wants FirstID+1 .. FirstID+4
	if res.Table.ID != FirstID+3 || !slices.Equal(res.Skipped, []int64{FirstID + 1, FirstID + 2}) {
		t.Fatalf("ID %d skipped %v", res.Table.ID, res.Skipped)
	}
}

func TestCreateTableConcurrent(t *testing.T) {
	st := openStore(t)
	const workers = 8
	var (
		mu      sync.Mutex
		results []CreateResult
	)
	g, ctx := errgroup.WithContext(context.Background())
	for w := 0; w < workers; w++ {
		c := New(st) // as separate imports would
		g.Go(func() error {
			for i := 0; i < 4; i++ {
				// Every worker creates db{0,1}.t{i} (shared names) and its
				// own table.
				for _, n := range []struct{ db, name, ddl string }{
					{fmt.Sprintf("db%d", i%2), fmt.Sprintf("t%d", i), partitionedDDL},
					{fmt.Sprintf("db%d", i%2), fmt.Sprintf("w%d_%d", w, i), plainDDL},
				} {
					res, err := c.CreateTable(ctx, DatabaseSpec{Name: n.db}, n.name, builder(n.db, n.ddl))
					if err != nil {
						return err
					}
					mu.Lock()
					results = append(results, res)
					mu.Unlock()
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int64{}
	created := 0
	for _, r := range results {
		name := r.Table.DB + "." + r.Table.Name
		if id, ok := byName[name]; ok && id != r.Table.ID {
			t.Fatalf("%s has IDs %d and %d", name, id, r.Table.ID)
		}
		byName[name] = r.Table.ID
		if !r.Existed {
			created++
		}
	}
	if created != len(byName) || len(byName) != 4+workers*4 {
		t.Fatalf("%d created of %d names (want %d)", created, len(byName), 4+workers*4)
	}
	all, err := New(st).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]string{}
	for _, d := range all.Databases {
		seen[d.ID] = "database " + d.Name
	}
	for _, tb := range all.Tables {
		for _, id := range append([]int64{tb.ID}, tb.PhysicalIDs...) {
			if prev, ok := seen[id]; ok && !(id == tb.ID && prev == tb.Name) {
				t.Fatalf("ID %d used by %s and %s.%s", id, prev, tb.DB, tb.Name)
			}
			seen[id] = tb.Name
			if id >= all.NextID {
				t.Fatalf("ID %d not below the allocator's next %d", id, all.NextID)
			}
		}
	}
	if len(all.Tables) != len(byName) {
		t.Fatalf("catalog lists %d tables, created %d", len(all.Tables), len(byName))
	}
}

func TestAdopt(t *testing.T) {
	ctx := context.Background()
	c := New(openStore(t))
	m, err := builder("old", partitionedDDL)(FirstID)
	if err != nil {
		t.Fatal(err)
	}
	m.DB, m.Name = "old", "p"
	if ok, err := c.Adopt(ctx, DatabaseSpec{Name: "old"}, m); err != nil || !ok {
		t.Fatalf("adopt: %v %v", ok, err)
	}
	if ok, err := c.Adopt(ctx, DatabaseSpec{Name: "old"}, m); err != nil || ok {
		t.Fatalf("adopt again: %v %v", ok, err)
	}
	// The allocator moved past the partitions and the database record.
	res := create(t, c, "new", "t", plainDDL)
	if res.Table.ID <= m.MaxID()+1 {
		t.Fatalf("new table got ID %d, adopted table's last ID %d", res.Table.ID, m.MaxID())
	}
	// An ID the catalog gives to another table cannot be adopted.
	clash, _ := builder("x", plainDDL)(res.Table.ID)
	clash.DB, clash.Name = "x", "y"
	if _, err := c.Adopt(ctx, DatabaseSpec{Name: "x"}, clash); !errors.Is(err, ErrConflict) {
		t.Fatalf("adopt a taken ID: %v", err)
	}
	moved, _ := builder("old", plainDDL)(m.ID + 50)
	moved.DB, moved.Name = "old", "p"
	if _, err := c.Adopt(ctx, DatabaseSpec{Name: "old"}, moved); !errors.Is(err, ErrConflict) {
		t.Fatalf("adopt a table under another ID: %v", err)
	}
}

func TestViews(t *testing.T) {
	ctx := context.Background()
	c := New(openStore(t))
	v, err := c.PutView(ctx, DatabaseSpec{Name: "shop"}, "v1", "CREATE VIEW v1 AS SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.PutView(ctx, DatabaseSpec{Name: "shop"}, "V1", "CREATE VIEW v1 AS SELECT 2")
	if err != nil || v2.ID != v.ID || v2.Definition != "CREATE VIEW v1 AS SELECT 2" {
		t.Fatalf("replace view: %+v %v", v2, err)
	}
	create(t, c, "shop", "t", plainDDL)
	if _, err := c.PutView(ctx, DatabaseSpec{Name: "shop"}, "t", "CREATE VIEW t AS SELECT 1"); !errors.Is(err, ErrConflict) {
		t.Fatalf("view over a table's name: %v", err)
	}
	views, err := c.Views(ctx)
	if err != nil || len(views) != 1 || views[0].Name != "v1" {
		t.Fatalf("views: %+v %v", views, err)
	}
}

func TestNewerLayoutRefused(t *testing.T) {
	st := openStore(t)
	if err := st.WriteBatch(context.Background(), []store.Pair{{Key: keyVersion, Value: encodeInt(Version + 1)}}); err != nil {
		t.Fatal(err)
	}
	_, err := New(st).CreateTable(context.Background(), DatabaseSpec{Name: "d"}, "t", builder("d", plainDDL))
	if !errors.Is(err, ErrNewerLayout) {
		t.Fatalf("got %v", err)
	}
}

func TestClaims(t *testing.T) {
	ctx := context.Background()
	c := New(openStore(t))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c.now = func() time.Time { return now }
	create(t, c, "shop", "orders", plainDDL)
	create(t, c, "shop", "items", plainDDL)
	both := []TableName{{"shop", "orders"}, {"SHOP", "Items"}}
	if err := c.ClaimTables(ctx, both, "import A", time.Minute); err != nil {
		t.Fatal(err)
	}
	// B cannot take either table, nor a set that holds one of them.
	var ce *ClaimedError
	err := c.ClaimTables(ctx, []TableName{{"shop", "items"}}, "import B", time.Minute)
	if !errors.As(err, &ce) || !errors.Is(err, ErrClaimed) || ce.Claim.Import != "import A" || ce.Name != "items" {
		t.Fatalf("claim of a held table: %v", err)
	}
	// A renews; B still waits; once A's hold lapses, B takes it.
	now = now.Add(50 * time.Second)
	if err := c.ClaimTables(ctx, both, "import A", time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(50 * time.Second)
	if err := c.ClaimTables(ctx, []TableName{{"shop", "orders"}}, "import B", time.Minute); !errors.Is(err, ErrClaimed) {
		t.Fatalf("claim of a renewed hold: %v", err)
	}
	now = now.Add(11 * time.Second)
	if err := c.ClaimTables(ctx, []TableName{{"shop", "orders"}}, "import B", time.Minute); err != nil {
		t.Fatalf("claim of a lapsed hold: %v", err)
	}
	// A's release leaves B's hold and drops its own.
	if err := c.ReleaseTables(ctx, both, "import A"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"orders": "import B", "items": ""} {
		rec, err := c.Table(ctx, "shop", name)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if rec.Claim != nil {
			got = rec.Claim.Import
		}
		if got != want {
			t.Errorf("%s held by %q, want %q", name, got, want)
		}
	}
	if err := c.ClaimTables(ctx, []TableName{{"shop", "nope"}}, "import A", time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("claim of a missing table: %v", err)
	}
}
