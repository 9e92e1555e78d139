package storecatalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// ErrClaimed: another import holds the table.
var ErrClaimed = errors.New("table is being imported by another import")

// Claim is an import's hold on a table while it writes it: from the
// pre-check that found the table empty until the import is complete, so
// that two imports of the same table at the same time cannot both find it
// empty and both write it. A hold lapses at Until unless renewed, so an
// import that died (its work directory lost) does not hold the table for
// ever.
type Claim struct {
	// Import identifies the import (stable across its resumptions).
	Import string    `json:"import"`
	Until  time.Time `json:"until"`
}

// ClaimedError names the table and the import holding it.
type ClaimedError struct {
	DB, Name string
	Claim    Claim
}

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("%v: %s.%s is held by import %q until %s (renewed while it runs); nothing was written into the table: "+
		"import it once that import is complete (then only into an empty table), or, if that import is gone, after its hold lapses; "+
		"to resume that import, run it again with its own --work-dir",
		ErrClaimed, e.DB, e.Name, e.Claim.Import, e.Claim.Until.Format(time.RFC3339))
}

func (e *ClaimedError) Unwrap() error { return ErrClaimed }

// TableName is a database and table name.
type TableName struct{ DB, Name string }

// ClaimTables takes or renews import's hold on the tables until now+ttl,
// in one transaction: a table another import holds (its hold not lapsed)
// is a *ClaimedError and nothing is claimed. A table missing from the
// catalog is an error wrapping ErrNotFound.
func (c *Catalog) ClaimTables(ctx context.Context, tables []TableName, importID string, ttl time.Duration) error {
	return c.updateClaims(ctx, tables, func(t *Table, now time.Time) (*Claim, error) {
		if t.Claim != nil && t.Claim.Import != importID && now.Before(t.Claim.Until) {
			return nil, &ClaimedError{DB: t.DB, Name: t.Name, Claim: *t.Claim}
		}
		return &Claim{Import: importID, Until: now.Add(ttl)}, nil
	})
}

// ReleaseTables drops import's holds on the tables (holds of other
// imports stay).
func (c *Catalog) ReleaseTables(ctx context.Context, tables []TableName, importID string) error {
	return c.updateClaims(ctx, tables, func(t *Table, _ time.Time) (*Claim, error) {
		if t.Claim != nil && t.Claim.Import != importID {
			return t.Claim, nil
		}
		return nil, nil
	})
}

func (c *Catalog) updateClaims(ctx context.Context, tables []TableName, next func(*Table, time.Time) (*Claim, error)) error {
	if len(tables) == 0 {
		return nil
	}
	return c.st.RunTxn(ctx, func(txn store.Txn) error {
		now := c.now()
		for _, tn := range tables {
			var t Table
			found, err := getJSON(ctx, txn, tableKey(tn.DB, tn.Name), &t)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("table %s.%s: %w", tn.DB, tn.Name, ErrNotFound)
			}
			if t.Claim, err = next(&t, now); err != nil {
				return err
			}
			if err := putJSON(txn, tableKey(tn.DB, tn.Name), &t); err != nil {
				return err
			}
		}
		return nil
	})
}
