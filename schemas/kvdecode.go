package schemas

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// UnmarshalKVMessage decodes a KV topic message into msg as proto.Unmarshal
// does, except that a batch's pairs alias b instead of being copied: a
// sorter reads every byte of the import through here, and the copy of
// each 512 KiB batch was a seventh of its engine-writing time. b must not
// change while msg is in use.
func UnmarshalKVMessage(b []byte, msg *lsv1.KVMessage) error {
	msg.Reset()
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			msg.Version, b = uint32(v), b[n:]
		case (num == 2 || num == 3) && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
			// A message field given again merges into the one before; the
			// other member of the oneof replaces it.
			if num == 2 {
				body, ok := msg.Body.(*lsv1.KVMessage_Batch)
				if !ok {
					body = &lsv1.KVMessage_Batch{Batch: &lsv1.KVBatch{}}
					msg.Body = body
				}
				if err := unmarshalKVBatch(v, body.Batch); err != nil {
					return fmt.Errorf("batch: %w", err)
				}
				continue
			}
			body, ok := msg.Body.(*lsv1.KVMessage_EndOfChunk)
			if !ok {
				body = &lsv1.KVMessage_EndOfChunk{EndOfChunk: &lsv1.EndOfChunk{}}
				msg.Body = body
			}
			if err := (proto.UnmarshalOptions{Merge: true}).Unmarshal(v, body.EndOfChunk); err != nil {
				return fmt.Errorf("end of chunk: %w", err)
			}
		default:
			n := skipField(b, num, typ)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	return nil
}

var errInvalidUTF8 = errors.New("string field is not valid UTF-8")

func unmarshalKVBatch(b []byte, m *lsv1.KVBatch) error {
	for len(b) > 0 {
		num, typ, n := consumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case (num == 1 || num == 2 || num == 5 || num == 70) && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			if (num == 1 || num == 2) && !utf8.Valid(v) {
				return fmt.Errorf("field %d: %w", num, errInvalidUTF8)
			}
			switch num {
			case 1:
				m.ChunkId = string(v)
			case 2:
				m.Attempt = string(v)
			case 70:
				m.RowOffsets = v
			default:
				m.Pairs = v
			}
			b = b[n:]
		case (num == 3 || num == 4) && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			if num == 3 {
				m.Seq = uint32(v)
			} else {
				m.Count = uint32(v)
			}
			b = b[n:]
		default:
			n := skipField(b, num, typ)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
		}
	}
	return nil
}

// skipField returns the length of a field's value (an unknown field, or a
// known one with an unexpected wire type, which proto.Unmarshal keeps as
// unknown and this decoder drops), or a negative protowire error.
func skipField(b []byte, num protowire.Number, typ protowire.Type) int {
	return protowire.ConsumeFieldValue(num, typ, b)
}

// consumeTag is protowire.ConsumeTag, also refusing field numbers above
// the largest valid one, as proto.Unmarshal does.
func consumeTag(b []byte) (protowire.Number, protowire.Type, int) {
	num, typ, n := protowire.ConsumeTag(b)
	if n >= 0 && num > protowire.MaxValidNumber {
		return 0, 0, -1 // any negative length: ParseError reports it as invalid
	}
	return num, typ, n
}
