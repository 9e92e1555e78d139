package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Topic names. Every import has an ID (default "lightstream"); all its
// topics share the prefix "ls.<id>.", so that several imports can share a
// cluster and an import's topics can be listed and deleted together.
const (
	// ChunksSuffix: one message per chunk (key: chunk id). Consumed by the
	// encoder group.
	ChunksSuffix = "chunks"
	// ManifestsSuffix: one TableManifest per table (key: db.table).
	ManifestsSuffix = "manifests"
	// SchemasSuffix: one TableSchema per table (key: db.table), written by
	// the coordinator once the table exists in the target.
	SchemasSuffix = "schemas"
	// EventsSuffix: progress events for the coordinator.
	EventsSuffix = "events"
	// KVInfix: per-table KV topics are "ls.<id>.kv.<db>.<table>".
	KVInfix = "kv"
)

// Header names on KV topic records.
const (
	// HeaderKind is "b" for a KVBatch record and "e" for an EndOfChunk.
	HeaderKind = "ls-kind"
)

// maxTopicLen is Kafka's limit on topic name length.
const maxTopicLen = 249

// Topic returns the name of one of an import's fixed topics.
func Topic(importID, suffix string) string {
	return legalTopic("ls." + escapeTopicPart(importID) + "." + suffix)
}

// KVTopic returns the KV topic of a table. The name is valid for any db
// and table name (backquotes, quotes, dots, spaces, CJK): characters
// outside Kafka's [a-zA-Z0-9._-] and the escape character '_' itself are
// written as _HH hex bytes, and a dot inside a name is escaped too so that
// "a.b"+"c" and "a"+"b.c" never collide.
func KVTopic(importID, db, table string) string {
	return legalTopic("ls." + escapeTopicPart(importID) + "." + KVInfix + "." + escapeTopicPart(db) + "." + escapeTopicPart(table))
}

func escapeTopicPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

// legalTopic shortens names over Kafka's length limit deterministically:
// a prefix and a hash of the whole name.
func legalTopic(name string) string {
	if len(name) <= maxTopicLen {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	h := hex.EncodeToString(sum[:12])
	return name[:maxTopicLen-len(h)-1] + "." + h
}
