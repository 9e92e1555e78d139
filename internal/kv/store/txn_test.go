package store

import (
	"context"
	"strconv"
	"testing"
)

// A transaction that loses a write conflict runs again and sees the
// winner's write: two increments of one counter, the first one overtaken
// by the second while it runs, leave 2.
func TestRunTxnRetriesWriteConflict(t *testing.T) {
	st, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	key := []byte("mcounter")
	incr := func(txn Txn) error {
		v, err := txn.Get(ctx, key)
		if err != nil {
			return err
		}
		n := 0
		if v != nil {
			if n, err = strconv.Atoi(string(v)); err != nil {
				return err
			}
		}
		return txn.Set(key, []byte(strconv.Itoa(n+1)))
	}
	attempts := 0
	err = st.RunTxn(ctx, func(txn Txn) error {
		attempts++
		if err := incr(txn); err != nil {
			return err
		}
		if attempts == 1 {
			// Another transaction commits the key after this one began.
			return st.RunTxn(ctx, incr)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	if err := st.RunTxn(ctx, func(txn Txn) error { got, err = txn.Get(ctx, key); return err }); err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || string(got) != "2" {
		t.Fatalf("attempts %d, counter %q; want 2 attempts and 2", attempts, got)
	}
	// Scan stops at the limit and when fn says so; a missing key reads nil.
	if err := st.RunTxn(ctx, func(txn Txn) error {
		for _, k := range []string{"a", "b", "c"} {
			if err := txn.Set([]byte(k), []byte("v")); err != nil {
				return err
			}
		}
		var seen []string
		if err := txn.Scan([]byte("a"), []byte("z"), 2, func(k, _ []byte) bool { seen = append(seen, string(k)); return true }); err != nil {
			return err
		}
		if len(seen) != 2 || seen[0] != "a" || seen[1] != "b" {
			t.Errorf("scan with limit 2: %q", seen)
		}
		if v, err := txn.Get(ctx, []byte("nope")); v != nil || err != nil {
			t.Errorf("missing key: %q %v", v, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
