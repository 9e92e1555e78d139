package conflict

import (
	"bytes"
	"maps"
	"slices"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Merge turns the reports of a table's partitions (both rounds: see
// lsv1.DuplicateKeys) into its duplicate keys: every key that two or more
// distinct rows hold, in key order, each key's rows in dump order. A row
// reported twice (a key found within a partition and sent again as a
// border key) counts once; the result does not depend on the reports'
// order.
func Merge(reports []*lsv1.DuplicateKeys) []Group {
	byKey := map[string]map[Pos]Holder{}
	for _, r := range reports {
		for _, k := range r.Keys {
			m := byKey[string(k.Key)]
			if m == nil {
				m = map[Pos]Holder{}
				byKey[string(k.Key)] = m
			}
			for _, h := range k.Holders {
				p := Pos{Chunk: h.Chunk, Offset: h.Offset}
				if _, ok := m[p]; !ok {
					m[p] = Holder{Pos: p, Value: h.Value}
				}
			}
		}
	}
	var out []Group
	for key, m := range byKey {
		if len(m) < 2 {
			continue
		}
		hs := slices.SortedFunc(maps.Values(m), func(a, b Holder) int { return a.Pos.Compare(b.Pos) })
		out = append(out, Group{Key: []byte(key), Holders: hs})
	}
	slices.SortFunc(out, func(a, b Group) int { return bytes.Compare(a.Key, b.Key) })
	return out
}

// ToProto is g as a report entry.
func (g Group) ToProto() *lsv1.DuplicateKey {
	k := &lsv1.DuplicateKey{Key: g.Key}
	for _, h := range g.Holders {
		k.Holders = append(k.Holders, &lsv1.KeyHolder{Chunk: h.Pos.Chunk, Offset: h.Pos.Offset, Value: h.Value})
	}
	return k
}
