package sorter

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// metaExistingGroups is the engine metadata that keeps a partition's
// existingGroups once found, before anything of the table is ingested.
const metaExistingGroups = "existing-groups"

// existingGroupsOnce is existingGroups found once per engine: the groups
// are kept in the engine's metadata before the partition's duplicate keys
// are published, so a run resumed after a crash (after this partition's
// ingest had begun, or another partition's) resolves the same conflicts
// instead of taking the import's own pairs in the store for the table's.
func (s *partitionSorter) existingGroupsOnce(ctx context.Context, eng *engine.Engine, src conflict.Source) ([]conflict.Group, error) {
	raw, ok, err := eng.GetMeta(metaExistingGroups)
	if err != nil {
		return nil, err
	}
	if ok {
		var r lsv1.DuplicateKeys
		if err := proto.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("engine metadata %s: %w", metaExistingGroups, err)
		}
		return conflict.Merge([]*lsv1.DuplicateKeys{&r}), nil
	}
	groups, err := s.existingGroups(ctx, src)
	if err != nil {
		return nil, err
	}
	r := &lsv1.DuplicateKeys{}
	for _, g := range groups {
		r.Keys = append(r.Keys, g.ToProto())
	}
	if raw, err = proto.Marshal(r); err != nil {
		return nil, err
	}
	if err := eng.SetMeta(metaExistingGroups, raw); err != nil {
		return nil, err
	}
	return groups, eng.Sync()
}

// existingWindow is how many distinct keys of a partition one look-up in
// the store covers.
const existingWindow = 1024

// existingGroups are, in an incremental import (Config.Ingest.Existing
// set) with conflict.strategy "ignore", the keys of the partition (its
// record keys and unique-index keys: src) that the store already holds,
// each a group whose first holder is the store's row (conflict.StorePos)
// and whose others are the partition's rows holding the key. They join
// the partition's duplicate keys, are exchanged with the table's other
// partitions and resolved with them, so a new row that loses to a row of
// the table loses everywhere: its record and every index entry, in every
// partition (Lightning: the store's row is the earlier one).
func (s *partitionSorter) existingGroups(ctx context.Context, src conflict.Source) ([]conflict.Group, error) {
	var (
		out   []conflict.Group
		keys  [][]byte
		holds [][]conflict.Holder
	)
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		i := 0
		err := ingest.FindExisting(ctx, s.cfg.Store, keyList(keys), func(_ context.Context, e ingest.Existing) error {
			for i < len(keys) && !bytes.Equal(keys[i], e.Key) {
				i++
			}
			if i == len(keys) {
				return fmt.Errorf("existing key %x not among the partition's", e.Key)
			}
			g := conflict.Group{Key: slices.Clone(e.Key), Holders: []conflict.Holder{{Pos: conflict.StorePos, Value: slices.Clone(e.Stored)}}}
			out = append(out, conflict.Group{Key: g.Key, Holders: append(g.Holders, holds[i]...)})
			return nil
		})
		keys, holds = keys[:0], holds[:0]
		return err
	}
	err := src.Iterate(ctx, func(k, v []byte) error {
		key, pos, err := conflict.SplitSuffix(k)
		if err != nil {
			return err
		}
		if n := len(keys); n > 0 && bytes.Equal(keys[n-1], key) {
			holds[n-1] = append(holds[n-1], conflict.Holder{Pos: pos, Value: slices.Clone(v)})
			return nil
		}
		if len(keys) >= existingWindow {
			if err := flush(); err != nil {
				return err
			}
		}
		keys = append(keys, slices.Clone(key))
		holds = append(holds, []conflict.Holder{{Pos: pos, Value: slices.Clone(v)}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// keyList is sorted distinct keys as an ingest source (no values).
type keyList [][]byte

func (l keyList) Iterate(_ context.Context, fn func(k, v []byte) error) error {
	for _, k := range l {
		if err := fn(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// filteredEngine is an engine without its losing rows (conflict.Filter)
// that still keeps the engine's metadata, so that ingest records there
// that the source's keys were checked against the store (a resumed
// ingest must not take its own pairs for the table's).
type filteredEngine struct {
	filter *conflict.Filter
	eng    *engine.Engine
}

func (f filteredEngine) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	return f.filter.Iterate(ctx, fn)
}
func (f filteredEngine) GetMeta(key string) ([]byte, bool, error) { return f.eng.GetMeta(key) }
func (f filteredEngine) SetMeta(key string, val []byte) error     { return f.eng.SetMeta(key, val) }
func (f filteredEngine) Sync() error                              { return f.eng.Sync() }
