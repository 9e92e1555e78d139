package schemas

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func kvSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, m := range []*lsv1.KVMessage{
		{Version: 1, Body: &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{ChunkId: "db.t:3", Attempt: "m@1", Seq: 7, Count: 2,
			Pairs: AppendPair(AppendPair(nil, []byte("k1"), []byte("v1")), []byte("k2"), nil)}}},
		{Version: 1, Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{ChunkId: "db.t:3", Attempt: "m@1", Partition: 2, Kvs: 9, Bytes: 99, Checksum: 1 << 60, Batches: 3}}},
		{},
	} {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	// A batch given twice merges; then an end of chunk replaces it.
	seeds = append(seeds, append(append(bytes.Clone(seeds[0]), seeds[0]...), seeds[1]...))
	return seeds
}

// checkKVDecode compares UnmarshalKVMessage with proto.Unmarshal on b.
func checkKVDecode(t *testing.T, b []byte) {
	var want, got lsv1.KVMessage
	werr := proto.Unmarshal(b, &want)
	gerr := UnmarshalKVMessage(b, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%x: proto.Unmarshal error %v, UnmarshalKVMessage error %v", b, werr, gerr)
	}
	if werr != nil {
		return
	}
	dropUnknown(&want)
	dropUnknown(&got)
	if !proto.Equal(&want, &got) {
		t.Fatalf("%x:\nproto.Unmarshal      %v\nUnmarshalKVMessage %v", b, &want, &got)
	}
}

func TestUnmarshalKVMessage(t *testing.T) {
	for _, b := range kvSeeds(t) {
		checkKVDecode(t, b)
	}
	// The pairs alias the input.
	b := kvSeeds(t)[0]
	var msg lsv1.KVMessage
	if err := UnmarshalKVMessage(b, &msg); err != nil {
		t.Fatal(err)
	}
	pairs := msg.GetBatch().Pairs
	pairs[0] ^= 0xff
	if !bytes.Contains(b, pairs) {
		t.Error("pairs were copied")
	}
	// Truncated input fails.
	if err := UnmarshalKVMessage(kvSeeds(t)[0][:10], &msg); err == nil {
		t.Error("truncated message decoded")
	}
}

func FuzzUnmarshalKVMessage(f *testing.F) {
	for _, b := range kvSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(checkKVDecode)
}

// dropUnknown clears the unknown fields a KV message and its body kept
// (proto.Unmarshal keeps them, UnmarshalKVMessage drops them).
func dropUnknown(m *lsv1.KVMessage) {
	m.ProtoReflect().SetUnknown(nil)
	switch b := m.Body.(type) {
	case *lsv1.KVMessage_Batch:
		b.Batch.ProtoReflect().SetUnknown(nil)
	case *lsv1.KVMessage_EndOfChunk:
		b.EndOfChunk.ProtoReflect().SetUnknown(nil)
	}
}
