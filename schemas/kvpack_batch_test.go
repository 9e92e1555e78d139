package schemas

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestBatchBufferIsProtoMarshal: Seal gives proto.Marshal's bytes, across
// the varint boundaries of every length in the header, also when built in
// the dirty memory of an earlier batch (NewBatchBufferIn).
func TestBatchBufferIsProtoMarshal(t *testing.T) {
	dirty := bytes.Repeat([]byte{0xaa}, 1<<16)[:100]
	for _, c := range []struct {
		chunk, attempt string
		seq            uint32
		pairs          int
		valueLen       int
	}{
		{"c1", "a", 1, 1, 3},
		{"lineitem.000000001.sql:0", "", 1, 3, 10},
		{"x", "attempt-1", 0, 0, 0},
		{"x", "attempt-1", 127, 127, 100},
		{"x", "", 128, 128, 1000},
		{string(bytes.Repeat([]byte("k"), 200)), string(bytes.Repeat([]byte("a"), 130)), 1 << 20, 2000, 1 << 10},
		{"y", "z", 1<<32 - 1, 17, 16370},
	} {
		for i, withRows := range []bool{false, true, false, true} {
			b := NewBatchBuffer(c.chunk, c.attempt, 0)
			if i >= 2 {
				b = NewBatchBufferIn(dirty, c.chunk, c.attempt, 0)
			}
			var want, rows []byte
			for i := 0; i < c.pairs; i++ {
				k := []byte(fmt.Sprintf("t\x80key%08d", i))
				v := bytes.Repeat([]byte{byte(i)}, c.valueLen)
				if withRows {
					// row offsets across the varint boundaries too
					off := int64(i) * int64(c.valueLen+1) * 37
					b.AppendAt(k, v, off)
					rows = binary.AppendUvarint(rows, uint64(off))
				} else {
					b.Append(k, v)
				}
				want = AppendPair(want, k, v)
			}
			if !bytes.Equal(b.Pairs(), want) || b.Count() != uint32(c.pairs) {
				t.Fatalf("%+v: pairs differ", c)
			}
			got := b.Seal(c.chunk, c.attempt, c.seq)
			exp, err := proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{
				ChunkId: c.chunk, Attempt: c.attempt, Seq: c.seq, Count: uint32(c.pairs), Pairs: want, RowOffsets: rows,
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, exp) {
				t.Fatalf("%+v: Seal\n%x\nproto.Marshal\n%x", c, got[:min(len(got), 80)], exp[:min(len(exp), 80)])
			}
			var m lsv1.KVMessage
			if err := proto.Unmarshal(got, &m); err != nil || m.GetBatch().GetCount() != uint32(c.pairs) {
				t.Fatalf("%+v: unmarshal: %v", c, err)
			}
			var fast lsv1.KVMessage
			if err := UnmarshalKVMessage(got, &fast); err != nil || !bytes.Equal(fast.GetBatch().GetRowOffsets(), rows) {
				t.Fatalf("%+v: UnmarshalKVMessage row offsets: %v", c, err)
			}
		}
	}
}

func BenchmarkBatchSeal(b *testing.B) {
	k, v := make([]byte, 19), make([]byte, 180)
	b.SetBytes(1 << 20)
	for i := 0; i < b.N; i++ {
		buf := NewBatchBuffer("gen.lineitem.000000001.sql:3", "a1", 1<<20+1<<17)
		for buf.Len() < 1<<20 {
			buf.Append(k, v)
		}
		_ = buf.Seal("gen.lineitem.000000001.sql:3", "a1", uint32(i+1))
	}
}

func BenchmarkBatchProtoMarshal(b *testing.B) {
	k, v := make([]byte, 19), make([]byte, 180)
	b.SetBytes(1 << 20)
	for i := 0; i < b.N; i++ {
		var pairs []byte
		n := uint32(0)
		pairs = make([]byte, 0, 1<<20+1<<17)
		for len(pairs) < 1<<20 {
			pairs = AppendPair(pairs, k, v)
			n++
		}
		_, _ = proto.Marshal(&lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{
			ChunkId: "gen.lineitem.000000001.sql:3", Attempt: "a1", Seq: uint32(i + 1), Count: n, Pairs: pairs,
		}}})
	}
}
