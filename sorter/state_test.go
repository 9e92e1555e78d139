package sorter

import (
	"fmt"
	"testing"

	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestPartitionCompleteWithFeeds: without an index, a partition is complete
// once the chunks that feed it have sent their markers; the partition that
// owns an index range needs every chunk; until the feeds are known, every
// chunk counts.
func TestPartitionCompleteWithFeeds(t *testing.T) {
	mf := &lsv1.TableManifest{Db: "d", Table: "t", KvPartitions: 4}
	for i := 0; i < 8; i++ {
		mf.ChunkIds = append(mf.ChunkIds, fmt.Sprint("c", i))
	}
	mark := func(st *partitionState, ids ...int) {
		for _, i := range ids {
			st.markers[mf.ChunkIds[i]] = &lsv1.EndOfChunk{ChunkId: mf.ChunkIds[i]}
		}
	}
	// Partition 1 of 4 over 8 chunks: chunks 2 and 3 (k*4/8 == 1).
	st := &partitionState{mf: mf, partition: 1, markers: map[string]*lsv1.EndOfChunk{}}
	mark(st, 2, 3)
	if st.complete() {
		t.Fatal("complete before the feeds are known")
	}
	st.setFeeds(schemas.EqualLayout(int(st.mf.KvPartitions)), []int64{2}) // index 2 lives in partition 2
	if !st.complete() {
		t.Fatal("partition 1 not complete with the markers of chunks 2 and 3")
	}
	// Partition 2 owns index 2: it needs every chunk.
	st2 := &partitionState{mf: mf, partition: 2, markers: map[string]*lsv1.EndOfChunk{}}
	st2.setFeeds(schemas.EqualLayout(int(st2.mf.KvPartitions)), []int64{2})
	mark(st2, 4, 5)
	if st2.complete() {
		t.Fatal("index partition complete with its own chunks only")
	}
	mark(st2, 0, 1, 2, 3, 6, 7)
	if !st2.complete() {
		t.Fatal("index partition not complete with every marker")
	}
}
