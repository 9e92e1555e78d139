// Package storecatalog is the catalog lightstream keeps in the store itself
// when no TiDB is the catalog (the embedded store and `lightstream store`):
// databases, table models, views and the global ID allocator, under a
// reserved meta key range (keys.go), read and written in client-go
// transactions, as TiDB keeps its meta under "m" and allocates IDs from
// one transactional counter (pkg/meta: GenGlobalIDs on NextGlobalID).
//
// The catalog belongs to the cluster, not to an import's work directory:
// any number of imports into one store, in sequence or at the same time,
// allocate their IDs here, so no two tables share an ID; export and the
// tables listing read models from here with no work directory.
package storecatalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// FirstID is the first ID the allocator hands out, past the IDs TiDB
// reserves for its own system tables (the same start the work directory's
// checkpoint numbered tables from before the catalog existed).
const FirstID = checkpoint.FirstTableID

// ErrNotFound: the catalog holds no such database, table or view.
var ErrNotFound = errors.New("not in the catalog")

// ErrConflict: a record cannot be written as asked, because the catalog
// gives its name or ID to something else.
var ErrConflict = errors.New("catalog conflict")

// ErrNewerLayout: the catalog was written by a newer lightstream.
var ErrNewerLayout = errors.New("catalog written by a newer lightstream")

// Database is a database's record.
type Database struct {
	Name    string    `json:"name"`
	ID      int64     `json:"id"`
	Charset string    `json:"charset,omitempty"`
	Collate string    `json:"collate,omitempty"`
	Created time.Time `json:"created"`
}

// Table is a table's record.
type Table struct {
	DB   string `json:"db"`
	Name string `json:"name"`
	ID   int64  `json:"id"`
	// PhysicalIDs are the IDs its rows are stored under: its partitions'
	// (tablemodel.Table.PhysicalIDs), or ID.
	PhysicalIDs []int64 `json:"physical_ids"`
	// Model is the table model (internal/tidb/tablemodel) as JSON: what the
	// schemas topic carries to the encoders.
	Model   json.RawMessage `json:"model"`
	Created time.Time       `json:"created"`
	// Claim is the hold of the import writing the table (nil: none).
	Claim *Claim `json:"claim,omitempty"`
}

// Decode returns the record's table model.
func (t *Table) Decode() (*tablemodel.Table, error) {
	var m tablemodel.Table
	if err := json.Unmarshal(t.Model, &m); err != nil {
		return nil, fmt.Errorf("table %s.%s: model in the catalog: %w", t.DB, t.Name, err)
	}
	return &m, nil
}

// View is a view's record: its definition as the dump wrote it.
type View struct {
	DB   string `json:"db"`
	Name string `json:"name"`
	// ID is allocated as a table's is: TiDB gives views table IDs.
	ID int64 `json:"id"`
	// Definition is the CREATE VIEW statement.
	Definition string    `json:"definition"`
	Created    time.Time `json:"created"`
}

// IDOwner says what holds an ID.
type IDOwner struct {
	// Kind is "database", "table", "partition" or "view".
	Kind string `json:"kind"`
	DB   string `json:"db"`
	Name string `json:"name,omitempty"`
	// Table is the partitioned table's ID, for a partition.
	Table int64 `json:"table,omitempty"`
}

func (o IDOwner) String() string {
	switch o.Kind {
	case "database":
		return "database " + o.DB
	case "partition":
		return fmt.Sprintf("a partition of %s.%s", o.DB, o.Name)
	}
	return fmt.Sprintf("%s %s.%s", o.Kind, o.DB, o.Name)
}

// Catalog reads and writes the catalog in a store.
type Catalog struct {
	st  store.Transactional
	now func() time.Time
}

// New returns the catalog kept in st.
func New(st store.Transactional) *Catalog {
	return &Catalog{st: st, now: func() time.Time { return time.Now().UTC() }}
}

// Open returns the catalog of st, or an error wrapping
// store.ErrNotSupported when st runs no transactions.
func Open(st store.Store) (*Catalog, error) {
	t, ok := st.(store.Transactional)
	if !ok {
		return nil, fmt.Errorf("catalog in the store: the store runs no transactions: %w", store.ErrNotSupported)
	}
	return New(t), nil
}

// DatabaseSpec is what CreateTable needs of a table's database.
type DatabaseSpec struct {
	Name, Charset, Collate string
}

// CreateResult is what CreateTable did.
type CreateResult struct {
	Table *Table
	// Existed: the catalog held the table already, and Table is that
	// record (as TiDB's CREATE TABLE IF NOT EXISTS keeps the existing one).
	Existed bool
	// Skipped are IDs the allocator passed over because the store held
	// data under them that no catalog record accounts for (written before
	// the catalog existed).
	Skipped []int64
}

// CreateTable returns db.name's record, creating it (and its database)
// when the catalog has none: build makes the table's model with the
// table's own ID id (its partitions numbered after it, as TiDB's DDL and
// tablemodel do), from IDs allocated in the same transaction, so two
// imports never get the same ID and a table name is created once. The
// allocated IDs' key ranges must hold nothing in the store; IDs that hold
// data unknown to the catalog are skipped.
func (c *Catalog) CreateTable(ctx context.Context, db DatabaseSpec, name string, build func(id int64) (*tablemodel.Table, error)) (CreateResult, error) {
	var res CreateResult
	err := c.st.RunTxn(ctx, func(txn store.Txn) error {
		res = CreateResult{}
		if err := checkVersion(ctx, txn); err != nil {
			return err
		}
		var existing Table
		found, err := getJSON(ctx, txn, tableKey(db.Name, name), &existing)
		if err != nil {
			return err
		}
		if found {
			res.Table, res.Existed = &existing, true
			return nil
		}
		next, err := nextID(ctx, txn)
		if err != nil {
			return err
		}
		dbRec, found, err := c.database(ctx, txn, db.Name)
		if err != nil {
			return err
		}
		if !found {
			dbRec = &Database{Name: db.Name, ID: next, Charset: db.Charset, Collate: db.Collate, Created: c.now()}
			next++
			if err := putJSON(txn, dbKey(db.Name), dbRec); err != nil {
				return err
			}
			if err := putJSON(txn, idKey(dbRec.ID), IDOwner{Kind: "database", DB: db.Name}); err != nil {
				return err
			}
		}
		var t *tablemodel.Table
		for {
			if t, err = build(next); err != nil {
				return err
			}
			if t.ID != next {
				return fmt.Errorf("table %s.%s: model built with ID %d, allocated %d", db.Name, name, t.ID, next)
			}
			used, ok, err := firstDataID(txn, next, t.MaxID())
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			for id := next; id <= used; id++ {
				res.Skipped = append(res.Skipped, id)
			}
			next = used + 1
		}
		rec, err := c.tableRecord(db.Name, name, t)
		if err != nil {
			return err
		}
		if err := c.putTable(txn, rec); err != nil {
			return err
		}
		res.Table = rec
		return txn.Set(keyNextID, encodeInt(t.MaxID()+1))
	})
	if err != nil {
		return CreateResult{}, fmt.Errorf("catalog: create table %s.%s: %w", db.Name, name, err)
	}
	return res, nil
}

// Adopt records a table whose IDs were chosen elsewhere (a work directory
// written before the catalog existed, whose rows are already under those
// IDs) and moves the allocator past them. A table already recorded with
// the same ID is left as it is; with another ID, or an ID held by
// something else, is an error wrapping ErrConflict.
func (c *Catalog) Adopt(ctx context.Context, db DatabaseSpec, t *tablemodel.Table) (adopted bool, err error) {
	err = c.st.RunTxn(ctx, func(txn store.Txn) error {
		adopted = false
		if err := checkVersion(ctx, txn); err != nil {
			return err
		}
		var existing Table
		found, err := getJSON(ctx, txn, tableKey(t.DB, t.Name), &existing)
		if err != nil {
			return err
		}
		if found {
			if existing.ID != t.ID {
				return fmt.Errorf("%w: the catalog has %s.%s with ID %d, the work directory with ID %d", ErrConflict, existing.DB, existing.Name, existing.ID, t.ID)
			}
			return nil
		}
		for id := t.ID; id <= t.MaxID(); id++ {
			var o IDOwner
			held, err := getJSON(ctx, txn, idKey(id), &o)
			if err != nil {
				return err
			}
			if held {
				return fmt.Errorf("%w: the work directory has %s.%s with ID %d, which the catalog gives to %s", ErrConflict, t.DB, t.Name, id, o)
			}
		}
		next, err := nextID(ctx, txn)
		if err != nil {
			return err
		}
		if _, found, err := c.database(ctx, txn, db.Name); err != nil {
			return err
		} else if !found {
			// The database gets a fresh ID (none was recorded for it).
			dbID := max(next, t.MaxID()+1)
			next = dbID + 1
			if err := putJSON(txn, dbKey(db.Name), &Database{Name: db.Name, ID: dbID, Charset: db.Charset, Collate: db.Collate, Created: c.now()}); err != nil {
				return err
			}
			if err := putJSON(txn, idKey(dbID), IDOwner{Kind: "database", DB: db.Name}); err != nil {
				return err
			}
		}
		rec, err := c.tableRecord(t.DB, t.Name, t)
		if err != nil {
			return err
		}
		if err := c.putTable(txn, rec); err != nil {
			return err
		}
		adopted = true
		return txn.Set(keyNextID, encodeInt(max(next, t.MaxID()+1)))
	})
	if err != nil {
		return false, fmt.Errorf("catalog: adopt table %s.%s (ID %d): %w", t.DB, t.Name, t.ID, err)
	}
	return adopted, nil
}

// PutView records a view's definition (CREATE VIEW ...), creating its
// database record when missing. A view already recorded keeps its ID and
// takes the new definition (CREATE OR REPLACE VIEW).
func (c *Catalog) PutView(ctx context.Context, db DatabaseSpec, name, definition string) (*View, error) {
	var out *View
	err := c.st.RunTxn(ctx, func(txn store.Txn) error {
		if err := checkVersion(ctx, txn); err != nil {
			return err
		}
		var v View
		found, err := getJSON(ctx, txn, viewKey(db.Name, name), &v)
		if err != nil {
			return err
		}
		if _, tfound, err := getRaw(ctx, txn, tableKey(db.Name, name)); err != nil {
			return err
		} else if tfound {
			return fmt.Errorf("%w: %s.%s is a table", ErrConflict, db.Name, name)
		}
		next, err := nextID(ctx, txn)
		if err != nil {
			return err
		}
		if _, dfound, err := c.database(ctx, txn, db.Name); err != nil {
			return err
		} else if !dfound {
			if err := putJSON(txn, dbKey(db.Name), &Database{Name: db.Name, ID: next, Charset: db.Charset, Collate: db.Collate, Created: c.now()}); err != nil {
				return err
			}
			if err := putJSON(txn, idKey(next), IDOwner{Kind: "database", DB: db.Name}); err != nil {
				return err
			}
			next++
		}
		if !found {
			v = View{DB: db.Name, Name: name, ID: next, Created: c.now()}
			next++
			if err := putJSON(txn, idKey(v.ID), IDOwner{Kind: "view", DB: db.Name, Name: name}); err != nil {
				return err
			}
		}
		v.Definition = definition
		if err := putJSON(txn, viewKey(db.Name, name), &v); err != nil {
			return err
		}
		out = &v
		return txn.Set(keyNextID, encodeInt(next))
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: put view %s.%s: %w", db.Name, name, err)
	}
	return out, nil
}

// Table returns db.name's record (names compare case-insensitively), or
// an error wrapping ErrNotFound.
func (c *Catalog) Table(ctx context.Context, db, name string) (*Table, error) {
	var t Table
	err := c.st.RunTxn(ctx, func(txn store.Txn) error {
		found, err := getJSON(ctx, txn, tableKey(db, name), &t)
		if err == nil && !found {
			err = fmt.Errorf("table %s.%s: %w", db, name, ErrNotFound)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Owner says what holds id, or returns an error wrapping ErrNotFound.
func (c *Catalog) Owner(ctx context.Context, id int64) (IDOwner, error) {
	var o IDOwner
	err := c.st.RunTxn(ctx, func(txn store.Txn) error {
		found, err := getJSON(ctx, txn, idKey(id), &o)
		if err == nil && !found {
			err = fmt.Errorf("ID %d: %w", id, ErrNotFound)
		}
		return err
	})
	return o, err
}

// Contents is the whole catalog at one snapshot, in key order (databases,
// tables and views by lower-case name).
type Contents struct {
	Databases []Database
	Tables    []Table
	Views     []View
	// NextID is the next ID the allocator hands out.
	NextID int64
}

// List reads the whole catalog.
func (c *Catalog) List(ctx context.Context) (Contents, error) {
	var out Contents
	err := c.st.RunTxn(ctx, func(txn store.Txn) error {
		out = Contents{}
		if err := checkVersion(ctx, txn); err != nil {
			return err
		}
		var err error
		if out.NextID, err = nextID(ctx, txn); err != nil {
			return err
		}
		if err := scanJSON(txn, prefixDB, func(d Database) { out.Databases = append(out.Databases, d) }); err != nil {
			return err
		}
		if err := scanJSON(txn, prefixTable, func(t Table) { out.Tables = append(out.Tables, t) }); err != nil {
			return err
		}
		return scanJSON(txn, prefixView, func(v View) { out.Views = append(out.Views, v) })
	})
	return out, err
}

// Views returns every view's record.
func (c *Catalog) Views(ctx context.Context) ([]View, error) {
	all, err := c.List(ctx)
	return all.Views, err
}

func (c *Catalog) tableRecord(db, name string, t *tablemodel.Table) (*Table, error) {
	model, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	return &Table{DB: db, Name: name, ID: t.ID, PhysicalIDs: t.PhysicalIDs(), Model: model, Created: c.now()}, nil
}

// putTable writes a table's record and its IDs' owners.
func (c *Catalog) putTable(txn store.Txn, rec *Table) error {
	if err := putJSON(txn, tableKey(rec.DB, rec.Name), rec); err != nil {
		return err
	}
	if err := putJSON(txn, idKey(rec.ID), IDOwner{Kind: "table", DB: rec.DB, Name: rec.Name}); err != nil {
		return err
	}
	for _, id := range rec.PhysicalIDs {
		if id == rec.ID {
			continue
		}
		if err := putJSON(txn, idKey(id), IDOwner{Kind: "partition", DB: rec.DB, Name: rec.Name, Table: rec.ID}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) database(ctx context.Context, txn store.Txn, name string) (*Database, bool, error) {
	var d Database
	found, err := getJSON(ctx, txn, dbKey(name), &d)
	return &d, found, err
}

// firstDataID returns the ID of the first key the store holds under the
// table IDs [from, to], if any.
func firstDataID(txn store.Txn, from, to int64) (id int64, ok bool, err error) {
	err = txn.Scan(tidbcodec.TablePrefix(from), tidbcodec.TablePrefix(to+1), 1, func(k, _ []byte) bool {
		if got, derr := tidbcodec.DecodeTableID(k); derr == nil {
			id, ok = got, true
		}
		return false
	})
	return id, ok, err
}

// nextID reads the allocator (FirstID when the catalog is new).
func nextID(ctx context.Context, txn store.Txn) (int64, error) {
	v, found, err := getRaw(ctx, txn, keyNextID)
	if err != nil || !found {
		return FirstID, err
	}
	n, err := decodeInt(keyNextID, v)
	if err != nil {
		return 0, err
	}
	return max(n, FirstID), nil
}

// checkVersion refuses a catalog of a newer layout and stamps a new one.
func checkVersion(ctx context.Context, txn store.Txn) error {
	v, found, err := getRaw(ctx, txn, keyVersion)
	if err != nil {
		return err
	}
	if !found {
		return txn.Set(keyVersion, encodeInt(Version))
	}
	n, err := decodeInt(keyVersion, v)
	if err != nil {
		return err
	}
	if n > Version {
		return fmt.Errorf("%w: layout version %d, this build reads %d; use that lightstream", ErrNewerLayout, n, Version)
	}
	return nil
}

func getRaw(ctx context.Context, txn store.Txn, key []byte) ([]byte, bool, error) {
	v, err := txn.Get(ctx, key)
	if err != nil {
		return nil, false, fmt.Errorf("read catalog: %w", err)
	}
	return v, v != nil, nil
}

func getJSON(ctx context.Context, txn store.Txn, key []byte, into any) (bool, error) {
	v, found, err := getRaw(ctx, txn, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(v, into); err != nil {
		return false, fmt.Errorf("catalog key %q: %w", key, err)
	}
	return true, nil
}

func putJSON(txn store.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

func scanJSON[T any](txn store.Txn, prefix []byte, fn func(T)) error {
	var derr error
	err := txn.Scan(prefix, prefixEnd(prefix), 0, func(k, v []byte) bool {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			derr = fmt.Errorf("catalog key %q: %w", k, err)
			return false
		}
		fn(rec)
		return true
	})
	if err != nil {
		return err
	}
	return derr
}
