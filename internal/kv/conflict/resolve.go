package conflict

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lightstream-io/lightstream/internal/tidb/crc64ecma"
)

// Holder is one row holding a key: its place and the value it gives the
// key.
type Holder struct {
	Pos   Pos
	Value []byte
}

// Group is a key that two or more rows hold, the rows in dump order.
type Group struct {
	Key     []byte
	Holders []Holder
}

// ErrThreshold: more rows lost a conflict than conflict.threshold allows.
var ErrThreshold = errors.New("conflicts over conflict.threshold")

// Resolve decides which rows lose under s (Replace or Ignore), from every
// duplicate key of one table: the result depends on the groups only, not
// on their order, so every partition of the table computes the same.
//
// Replace: a row loses when a later row holds one of its keys (REPLACE
// INTO row by row deletes it then). Ignore: rows are taken in dump order,
// and a row loses when a row taken before it, and not lost, holds one of
// its keys (INSERT IGNORE row by row skips it then); a key that only one
// row holds cannot decide anything, so the groups are all it needs.
func Resolve(s Strategy, groups []Group) (map[Pos]bool, error) {
	losers := map[Pos]bool{}
	switch s {
	case Replace:
		for _, g := range groups {
			last := g.Holders[0].Pos
			for _, h := range g.Holders[1:] {
				if h.Pos.Compare(last) > 0 {
					last = h.Pos
				}
			}
			for _, h := range g.Holders {
				if h.Pos != last {
					losers[h.Pos] = true
				}
			}
		}
	case Ignore:
		keysOf := map[Pos][]int{}
		for i, g := range groups {
			for _, h := range g.Holders {
				keysOf[h.Pos] = append(keysOf[h.Pos], i)
			}
		}
		rows := make([]Pos, 0, len(keysOf))
		for p := range keysOf {
			rows = append(rows, p)
		}
		slices.SortFunc(rows, Pos.Compare)
		held := make([]bool, len(groups))
	rows:
		for _, p := range rows {
			for _, g := range keysOf[p] {
				if held[g] {
					losers[p] = true
					continue rows
				}
			}
			for _, g := range keysOf[p] {
				held[g] = true
			}
		}
	default:
		return nil, fmt.Errorf("conflict: strategy %q does not resolve", s)
	}
	return losers, nil
}

// CheckThreshold fails when more than threshold rows lost (0: no limit).
func CheckThreshold(losers int, threshold int64) error {
	if threshold > 0 && int64(losers) > threshold {
		return fmt.Errorf("%w: %d rows lost a conflict, more than conflict.threshold = %d", ErrThreshold, losers, threshold)
	}
	return nil
}

// Source is a sorted pair source (an engine).
type Source interface {
	Iterate(ctx context.Context, fn func(k, v []byte) error) error
}

// Scan reads src, whose keys carry the rows' places (AppendSuffix), and
// calls fn with every key that two or more rows hold. fn may keep the
// group.
func Scan(ctx context.Context, src Source, fn func(Group) error) error {
	// The previous pair is kept in reused buffers: most keys are held
	// once, and copying each value anew would cost an allocation a pair.
	var (
		prevKey, prevVal []byte
		prevPos          Pos
		cur              *Group
	)
	emit := func() error {
		if cur == nil {
			return nil
		}
		g := *cur
		cur = nil
		return fn(g)
	}
	err := src.Iterate(ctx, func(k, v []byte) error {
		key, pos, err := SplitSuffix(k)
		if err != nil {
			return err
		}
		if prevKey != nil && bytes.Equal(key, prevKey) {
			if cur == nil {
				cur = &Group{Key: slices.Clone(key), Holders: []Holder{{Pos: prevPos, Value: slices.Clone(prevVal)}}}
			}
			cur.Holders = append(cur.Holders, Holder{Pos: pos, Value: slices.Clone(v)})
			return nil
		}
		if err := emit(); err != nil {
			return err
		}
		prevKey = append(prevKey[:0], key...)
		prevVal = append(prevVal[:0], v...)
		prevPos = pos
		return nil
	})
	if err != nil {
		return err
	}
	return emit()
}

// Dropped is what a Filter left out: TiDB's checksum of the pairs.
type Dropped struct {
	KVs, Bytes, Sum uint64
}

// Filter is src without the losing rows' pairs and with the rows' places
// taken off the keys: what is ingested. Dropped adds up what it left out
// (read it after Iterate).
type Filter struct {
	Src     Source
	Losers  map[Pos]bool
	Dropped Dropped
}

// Iterate implements ingest.Source. Two surviving rows holding one key
// are an error: resolution leaves one at most.
func (f *Filter) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	f.Dropped = Dropped{}
	var last []byte
	return f.Src.Iterate(ctx, func(k, v []byte) error {
		key, pos, err := SplitSuffix(k)
		if err != nil {
			return err
		}
		if f.Losers[pos] {
			f.Dropped.KVs++
			f.Dropped.Bytes += uint64(len(key) + len(v))
			f.Dropped.Sum ^= crc64ecma.Pair(key, v)
			return nil
		}
		if last != nil && bytes.Equal(key, last) {
			return fmt.Errorf("conflict: key %x kept for two rows (resolution incomplete)", key)
		}
		last = append(last[:0], key...)
		return fn(key, v)
	})
}
