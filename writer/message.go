package writer

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// batch is one SQLBatch as the writer runs it. Its statement is built
// straight from the message's encoding when it runs, into a buffer of the
// goroutine that runs it, without decoding the rows one by one (an
// allocation and a copy per row that most batches never need); the rows,
// their checksums and offsets are decoded when the batch runs row by row
// (rows).
type batch struct {
	ChunkId, Db, Table, Prefix, Suffix, File string
	Seq                                      uint32
	// n is how many rows the statement has; size its length in bytes
	// (appendStatement builds it when the batch runs).
	n, size int
	// raw is the SQLBatch's encoding, decoded by rows (full, when set).
	raw  []byte
	full *lsv1.SQLBatch
}

// fromProto is a decoded SQLBatch as a batch.
func fromProto(b *lsv1.SQLBatch) *batch {
	sb := &batch{ChunkId: b.ChunkId, Db: b.Db, Table: b.Table, Prefix: b.Prefix, Suffix: b.Suffix, File: b.File, Seq: b.Seq,
		n: len(b.Rows), full: b}
	sb.size = len(b.Prefix) + 1 + len(b.Suffix) + max(len(b.Rows)-1, 0)
	for _, r := range b.Rows {
		sb.size += len(r)
	}
	return sb
}

// rows is the whole decoded message (its rows, checksums and offsets).
func (b *batch) rows() (*lsv1.SQLBatch, error) {
	if b.full == nil {
		full := &lsv1.SQLBatch{}
		if err := proto.Unmarshal(b.raw, full); err != nil {
			return nil, fmt.Errorf("%s.%s chunk %s batch %d: %w", b.Db, b.Table, b.ChunkId, b.Seq, err)
		}
		b.full = full
	}
	return b.full, nil
}

// appendStatement appends the batch's whole statement to dst: its prefix,
// its rows as they lie in the message (or in full), its suffix.
func (b *batch) appendStatement(dst []byte) []byte {
	dst = append(dst, b.Prefix...)
	dst = append(dst, ' ')
	if b.raw == nil {
		for i, r := range b.full.Rows {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, r...)
		}
		return append(dst, b.Suffix...)
	}
	i := 0
	for v := b.raw; len(v) > 0; {
		num, typ, n := protowire.ConsumeTag(v)
		v = v[n:]
		m := protowire.ConsumeFieldValue(num, typ, v)
		if typ == protowire.BytesType && num == sqlRows {
			r, _ := protowire.ConsumeBytes(v)
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, r...)
			i++
		}
		v = v[m:]
	}
	return append(dst, b.Suffix...)
}

// Field numbers of KVMessage and SQLBatch (schemas/proto/lightstream/v1/kv.proto).
const (
	kvBatchField      = 2
	kvEndOfChunkField = 3
	kvSQLBatchField   = 90

	sqlChunkID = 1
	sqlAttempt = 2
	sqlSeq     = 3
	sqlDB      = 4
	sqlTable   = 5
	sqlPrefix  = 6
	sqlRows    = 7
	sqlFile    = 10
	sqlSuffix  = 11
)

var errInvalidUTF8 = errors.New("string field contains invalid UTF-8")

// decodeMessage reads a message of a table's topic: a SQL batch (sb), or
// else the message as proto.Unmarshal reads it. A message whose body is
// one SQL batch takes the fast path (decodeBatch); any other shape the
// decoded message.
func decodeMessage(value []byte) (sb *batch, msg *lsv1.KVMessage, err error) {
	body, ok := sqlBatchBody(value)
	if ok {
		if sb, err := decodeBatch(body); err == nil {
			return sb, nil, nil
		}
		// A malformed batch: proto.Unmarshal says why.
	}
	msg = &lsv1.KVMessage{}
	if err := proto.Unmarshal(value, msg); err != nil {
		return nil, nil, err
	}
	if b, ok := msg.Body.(*lsv1.KVMessage_SqlBatch); ok {
		return fromProto(b.SqlBatch), nil, nil
	}
	return nil, msg, nil
}

// sqlBatchBody is the SQLBatch of a KVMessage whose body is exactly one
// sql_batch field (the oneof's last field, as proto reads it; a second
// sql_batch would be merged into the first: not this path).
func sqlBatchBody(value []byte) ([]byte, bool) {
	var body []byte
	last, count := protowire.Number(0), 0
	for len(value) > 0 {
		num, typ, n := protowire.ConsumeTag(value)
		if n < 0 {
			return nil, false
		}
		value = value[n:]
		if typ == protowire.BytesType && (num == kvBatchField || num == kvEndOfChunkField || num == kvSQLBatchField) {
			v, m := protowire.ConsumeBytes(value)
			if m < 0 {
				return nil, false
			}
			last = num
			if num == kvSQLBatchField {
				body, count = v, count+1
			}
			value = value[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, value)
		if m < 0 {
			return nil, false
		}
		value = value[m:]
	}
	return body, last == kvSQLBatchField && count == 1
}

// decodeBatch reads a SQLBatch's header and measures its statement, which
// appendStatement builds from the rows as they lie in the message. Its
// checks are proto.Unmarshal's: well-formed fields, strings of valid
// UTF-8.
func decodeBatch(raw []byte) (*batch, error) {
	b := &batch{raw: raw}
	rowBytes := 0
	for v := raw; len(v) > 0; {
		num, typ, n := protowire.ConsumeTag(v)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		v = v[n:]
		switch {
		case typ == protowire.BytesType && num == sqlRows:
			r, m := protowire.ConsumeBytes(v)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			b.n++
			rowBytes += len(r)
			v = v[m:]
		case typ == protowire.BytesType && (num == sqlChunkID || num == sqlAttempt || num == sqlDB || num == sqlTable ||
			num == sqlPrefix || num == sqlFile || num == sqlSuffix):
			s, m := protowire.ConsumeBytes(v)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			if !utf8.Valid(s) {
				return nil, errInvalidUTF8
			}
			switch num {
			case sqlChunkID:
				b.ChunkId = string(s)
			case sqlDB:
				b.Db = string(s)
			case sqlTable:
				b.Table = string(s)
			case sqlPrefix:
				b.Prefix = string(s)
			case sqlFile:
				b.File = string(s)
			case sqlSuffix:
				b.Suffix = string(s)
			}
			v = v[m:]
		case typ == protowire.VarintType && num == sqlSeq:
			x, m := protowire.ConsumeVarint(v)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			b.Seq = uint32(x)
			v = v[m:]
		default:
			m := protowire.ConsumeFieldValue(num, typ, v)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			v = v[m:]
		}
	}
	b.size = len(b.Prefix) + 1 + rowBytes + max(b.n-1, 0) + len(b.Suffix)
	return b, nil
}
