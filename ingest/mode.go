package ingest

import (
	"context"
	"fmt"

	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// Mode says how Ingest writes pairs into the store.
type Mode string

const (
	// ModeAuto writes physically when the store has a bulk path
	// (store.BulkWriter) and through transactions otherwise: the command
	// line's default.
	ModeAuto Mode = "auto"
	// ModePhysical is Lightning's local backend: split the engine's key
	// range into regions ahead of the data, then hand each region's sorted
	// pairs to the store's bulk path (on a cluster: ImportSST Write to every
	// peer at one commit timestamp from PD, MultiIngest on the leader,
	// retried on region errors; see store.Cluster.BulkWrite).
	ModePhysical Mode = "physical"
	// ModeTxn writes through client transactions (two-phase commit), for
	// stores without SST ingest. The zero Mode means the same (Options'
	// historical default).
	ModeTxn Mode = "txn"
)

// ParseMode reads a mode name as given on the command line ("physical",
// "txn", "auto"; empty means auto).
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", string(ModeAuto):
		return ModeAuto, nil
	case string(ModePhysical):
		return ModePhysical, nil
	case string(ModeTxn):
		return ModeTxn, nil
	}
	return ModeAuto, fmt.Errorf("ingest mode %q: want physical, txn or auto", s)
}

// DefaultRegionSplitSize is the key+value bytes per region physical ingest
// splits an engine's range into before writing (Lightning's
// region-split-size default, 96 MiB, pkg/lightning/config/const.go).
const DefaultRegionSplitSize = 96 << 20

// resolve picks the write function for opts' mode and reports the mode
// used; plan says whether regions are planned and split ahead of the data.
func resolve(st store.Store, opts Options) (write func(context.Context, []store.Pair) error, mode Mode, plan bool, err error) {
	bw, hasBulk := st.(store.BulkWriter)
	switch {
	case opts.Bulk:
		// The embedded default: bulk writes without region planning (the
		// embedded store is one region unless asked otherwise).
		if !hasBulk {
			return nil, "", false, fmt.Errorf("ingest: %w", ErrBulkUnsupported)
		}
		return bw.BulkWrite, ModePhysical, false, nil
	case opts.Mode == ModePhysical || (opts.Mode == ModeAuto && hasBulk):
		if !hasBulk {
			return nil, "", false, fmt.Errorf("ingest: physical mode: %w", ErrBulkUnsupported)
		}
		return bw.BulkWrite, ModePhysical, true, nil
	default:
		return st.WriteBatch, ModeTxn, false, nil
	}
}
