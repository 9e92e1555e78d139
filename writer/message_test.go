package writer

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func marshal(t *testing.T, m *lsv1.KVMessage) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeMessage: the fast path reads a batch as proto.Unmarshal does.
func TestDecodeMessage(t *testing.T) {
	in := &lsv1.SQLBatch{ChunkId: "c1", Attempt: "a", Seq: 7, Db: "d", Table: "t", Prefix: "INSERT INTO `d`.`t` (`a`) VALUES",
		Rows: [][]byte{[]byte("(1)"), []byte("('x')"), []byte("('')")}, RowChecksums: []uint32{1, 2, 3}, Offsets: []int64{10, 20, 30},
		File: "d.t.000.sql", Suffix: " ON DUPLICATE KEY UPDATE a=a"}
	raw := marshal(t, &lsv1.KVMessage{Version: 1, Body: &lsv1.KVMessage_SqlBatch{SqlBatch: in}})
	sb, msg, err := decodeMessage(raw)
	if err != nil || sb == nil || msg != nil {
		t.Fatalf("decode: %v %v %v", sb, msg, err)
	}
	if sb.full != nil {
		t.Error("the fast path decoded the rows")
	}
	want := fromProto(in)
	if stmt(t, sb) != stmt(t, want) || stmt(t, sb) != "INSERT INTO `d`.`t` (`a`) VALUES (1),('x'),('') ON DUPLICATE KEY UPDATE a=a" {
		t.Errorf("statement %q", stmt(t, sb))
	}
	if sb.ChunkId != "c1" || sb.Seq != 7 || sb.Db != "d" || sb.Table != "t" || sb.Prefix != in.Prefix || sb.Suffix != in.Suffix ||
		sb.File != in.File || sb.n != 3 {
		t.Errorf("header %+v", sb)
	}
	full, err := sb.rows()
	if err != nil || !proto.Equal(full, in) {
		t.Errorf("rows %v %v", full, err)
	}

	// No rows: the prefix and the suffix.
	sb, _, err = decodeMessage(marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_SqlBatch{SqlBatch: &lsv1.SQLBatch{Prefix: "P"}}}))
	if err != nil || stmt(t, sb) != "P " || sb.n != 0 {
		t.Errorf("empty: %+v %v", sb, err)
	}

	// A marker is the decoded message.
	sb, msg, err = decodeMessage(marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{ChunkId: "c1"}}}))
	if err != nil || sb != nil || msg.GetEndOfChunk().GetChunkId() != "c1" {
		t.Errorf("marker: %v %v %v", sb, msg, err)
	}

	// Two sql_batch fields merge (proto's rule): the slow path.
	two := append(marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_SqlBatch{SqlBatch: &lsv1.SQLBatch{Prefix: "P", Rows: [][]byte{[]byte("(1)")}}}}),
		marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_SqlBatch{SqlBatch: &lsv1.SQLBatch{Rows: [][]byte{[]byte("(2)")}}}})...)
	sb, _, err = decodeMessage(two)
	if err != nil || stmt(t, sb) != "P (1),(2)" || sb.full == nil {
		t.Errorf("merged: %+v %v", sb, err)
	}

	// A marker after a batch: the marker (the oneof's last field).
	both := append(marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_SqlBatch{SqlBatch: in}}),
		marshal(t, &lsv1.KVMessage{Body: &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{ChunkId: "e"}}})...)
	if sb, msg, err := decodeMessage(both); err != nil || sb != nil || msg.GetEndOfChunk().GetChunkId() != "e" {
		t.Errorf("batch then marker: %v %v %v", sb, msg, err)
	}

	// Invalid UTF-8 in a string and a truncated message fail as they do in proto.
	bad := protowire.AppendTag(nil, kvSQLBatchField, protowire.BytesType)
	bad = protowire.AppendBytes(bad, protowire.AppendString(protowire.AppendTag(nil, sqlDB, protowire.BytesType), "\xff"))
	if _, _, err := decodeMessage(bad); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid utf8: %v", err)
	}
	if _, _, err := decodeMessage(raw[:len(raw)-2]); err == nil {
		t.Error("truncated: no error")
	}
}

// stmt is the batch's statement, checked against its measured size.
func stmt(t *testing.T, b *batch) string {
	t.Helper()
	s := string(b.appendStatement(nil))
	if len(s) != b.size {
		t.Errorf("statement %q: size %d, measured %d", s, len(s), b.size)
	}
	return s
}
