package sorter

import (
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// partitionState is what an engine knows about its partition.
type partitionState struct {
	mf        *lsv1.TableManifest
	partition uint32
	next      int64
	markers   map[string]*lsv1.EndOfChunk
	ingested  *lsv1.PartitionIngested
	// spills are the ingests made early to stay within the disk quota
	// (metaSpill), spilledBytes their KV bytes.
	spills       []*lsv1.PartitionIngested
	spilledBytes uint64
	chunkSet     map[string]bool
	// needed holds the chunks that feed the partition, whose markers
	// make it complete; nil until known (then every chunk counts).
	needed map[string]bool

	// With conflict detection: the chunks' places in dump order, and,
	// once resolved, the rows that lost and the table's duplicate keys.
	ordinals      map[string]uint32
	losers        map[conflict.Pos]bool
	duplicateKeys int
	// replaced are the pairs of the table's rows this partition deleted
	// (incremental import, strategy replace: replaceOld).
	replaced conflict.Dropped
}

// setFeeds records which chunks feed the partition, given the table's
// layout and index ids.
func (st *partitionState) setFeeds(layout schemas.Layout, indexIDs []int64) {
	st.needed = map[string]bool{}
	lines := schemas.ManifestLines(len(st.mf.ChunkIds), st.mf.ChunkBytes)
	for i, id := range st.mf.ChunkIds {
		if layout.Feeds(lines[i], int(st.partition), indexIDs) {
			st.needed[id] = true
		}
	}
}

func (st *partitionState) inManifest(id string) bool {
	if st.chunkSet == nil {
		st.chunkSet = make(map[string]bool, len(st.mf.ChunkIds))
		for _, c := range st.mf.ChunkIds {
			st.chunkSet[c] = true
		}
	}
	return st.chunkSet[id]
}

// complete reports whether every chunk feeding the partition has sent its
// end-of-chunk marker (every chunk of the table, until the feeding chunks
// are known).
func (st *partitionState) complete() bool {
	if st.needed == nil {
		return len(st.markers) >= len(st.mf.ChunkIds)
	}
	for id := range st.needed {
		if _, ok := st.markers[id]; !ok {
			return false
		}
	}
	return true
}

func (st *partitionState) load(eng *engine.Engine) error {
	if v, ok, err := eng.GetMeta(metaOffset); err != nil {
		return err
	} else if ok {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("bad offset record %q: %w", v, err)
		}
		st.next = n
	}
	err := eng.IterMeta(metaChunk, func(k string, v []byte) error {
		var eoc lsv1.EndOfChunk
		if err := proto.Unmarshal(v, &eoc); err != nil {
			return fmt.Errorf("bad marker record %q: %w", k, err)
		}
		st.markers[eoc.ChunkId] = &eoc
		return nil
	})
	if err != nil {
		return err
	}
	err = eng.IterMeta(metaSpill, func(k string, v []byte) error {
		var part lsv1.PartitionIngested
		if err := proto.Unmarshal(v, &part); err != nil {
			return fmt.Errorf("bad early ingest record %q: %w", k, err)
		}
		st.spills = append(st.spills, &part)
		st.spilledBytes += part.Bytes
		return nil
	})
	if err != nil {
		return err
	}
	if v, ok, err := eng.GetMeta(metaIngested); err != nil {
		return err
	} else if ok {
		var done lsv1.PartitionIngested
		if err := proto.Unmarshal(v, &done); err != nil {
			return fmt.Errorf("bad ingested record: %w", err)
		}
		st.ingested = &done
	}
	return nil
}
