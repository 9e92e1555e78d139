package schemas

// Topic names. Every import has an ID (`lightstream import` generates one
// for a new work directory; roles started separately are given it); all
// its topics share the prefix "ls--<id>--" (TopicPrefix), so that several
// imports can share a cluster and an import's topics can be listed and
// deleted together.
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
	// ConflictsSuffix: the duplicate keys each KV partition found
	// (DuplicateKeys, key: the KV topic), exchanged between a table's
	// sorters and read back for the conflicts report.
	ConflictsSuffix = "conflicts"
	// KVInfix: per-table KV topics are "ls--<id>--kv--<db>--<table>".
	KVInfix = "kv"
)

// Header names on KV topic records.
const (
	// HeaderKind is "b" for a KVBatch record and "e" for an EndOfChunk.
	HeaderKind = "ls-kind"
)

// Topic returns the name of one of an import's fixed topics.
func Topic(importID, suffix string) string {
	return TopicName("ls", importID, suffix)
}

// KVTopic returns the KV topic of a table. The name is legal and distinct
// for any db and table name (backquotes, quotes, dots, spaces, CJK): see
// TopicName for the escaping.
func KVTopic(importID, db, table string) string {
	return TopicName("ls", importID, KVInfix, db, table)
}

// TopicPrefix is the prefix every topic of the import has. No other
// import's topic has it: TopicName never writes "--" inside a part.
func TopicPrefix(importID string) string {
	return TopicName("ls", importID) + "--"
}

// Consumer groups of an import: "<id>.encoders", "<id>.sorters" and
// "<id>.replay" (lightstream replay's sorter).
const (
	EncodersGroupSuffix = ".encoders"
	SortersGroupSuffix  = ".sorters"
	ReplayGroupSuffix   = ".replay"
)

// Groups returns the import's consumer groups: encoders, sorters, replay.
func Groups(importID string) []string {
	return []string{importID + EncodersGroupSuffix, importID + SortersGroupSuffix, importID + ReplayGroupSuffix}
}
