package e2e

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/source/dumpgen"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

var errStop = errors.New("stop")

// TestChecksumCatchesStrayKeys imports a generated dump into a store that
// already holds one pair the dump does not have, and expects the
// checksum to fail wherever that pair lies: the sorters read most of the
// table right after each partition's ingest (their key spans) and the
// coordinator reads only the gaps between spans at the end, so a stray
// pair inside a record span, inside an index span and in a gap must each
// show up.
func TestChecksumCatchesStrayKeys(t *testing.T) {
	ctx := context.Background()
	dump := t.TempDir()
	if _, err := dumpgen.Run(ctx, dumpgen.Config{Dir: dump, Size: 4 << 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	cfg := func(work string) pipeline.Config {
		// Several chunks and partitions, so that there are several spans.
		return pipeline.Config{Dump: dump, WorkDir: work, ChunkSize: 512 << 10, KVPartitions: 4, PartitionBytes: 512 << 10}
	}
	clean := t.TempDir()
	res := mustImport(t, cfg(clean))
	var tbl *checkpoint.Table
	for _, r := range res.State.Tables {
		tbl = r
	}
	if tbl == nil || tbl.Store.KVs == 0 || tbl.Store != tbl.Source {
		t.Fatalf("clean import: %+v", tbl)
	}

	// Keys of the clean import to place the strays between.
	st, err := store.OpenEmbedded(pipeline.StoreDir(clean))
	if err != nil {
		t.Fatal(err)
	}
	var recordKey, indexKey []byte
	tr := coordinator.TableRanges(tbl.TableID, coordinator.TableIDs(tbl.TableID, tbl.Model))[0]
	err = st.Scan(ctx, tr.Start, tr.End, func(k, _ []byte) error {
		switch {
		case indexKey == nil && k[10] == 'i':
			indexKey = bytes.Clone(k)
		case k[10] == 'r':
			recordKey = bytes.Clone(k)
			return errStop
		}
		return nil
	})
	st.Close()
	if err != nil && !errors.Is(err, errStop) || recordKey == nil || indexKey == nil {
		t.Fatalf("scan of the clean import: record key %x, index key %x, %v", recordKey, indexKey, err)
	}

	for name, key := range map[string][]byte{
		// Between two keys of the first partition's record span.
		"record span": append(bytes.Clone(recordKey), 0),
		// Between the first two keys of an index span.
		"index span": append(bytes.Clone(indexKey), 0),
		// Past every key of the table: in the last gap.
		"gap": append(bytes.Clone(recordKey[:11]), 0xff, 0xff),
	} {
		t.Run(name, func(t *testing.T) {
			// The stray arrives after the pre-check found the table empty
			// (a stray there before stops the import before any write)
			// and before anything is ingested.
			work := t.TempDir()
			stopAfterSchemas(t, cfg(work))
			st, err := store.OpenEmbedded(pipeline.StoreDir(work))
			if err != nil {
				t.Fatal(err)
			}
			err = st.BulkWrite(ctx, []store.Pair{{Key: key, Value: []byte("stray")}})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			res, _, err := runImport(t, cfg(work))
			if !errors.Is(err, coordinator.ErrChecksumMismatch) {
				t.Fatalf("import over a stray pair at %x: %v", key, err)
			}
			for _, r := range res.State.Tables {
				if r.Status != checkpoint.Failed || r.Store.KVs != r.Source.KVs+1 {
					t.Errorf("table %s: status %s, store %+v, source %+v: want failed with one more pair", r.Name, r.Status, r.Store, r.Source)
				}
			}
		})
	}
}
