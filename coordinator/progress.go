package coordinator

import (
	"sort"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// TableProgress is one table's live state.
type TableProgress struct {
	DB, Table      string
	TableID        int64
	Chunks         int
	ChunksEncoded  int
	Partitions     int
	PartsIngested  int
	Rows           uint64 // encoded
	RowsParsed     uint64
	RowsRejected   uint64
	SourceBytes    int64
	EncodedBytes   int64
	Source, Stored checkpoint.Checksum
	Status         checkpoint.Status
	Error          string
}

// Progress is a snapshot of the import.
type Progress struct {
	Tables      []TableProgress
	TablesTotal int
	TablesDone  int
	SourceBytes int64
	DoneBytes   int64
	Rows        uint64
}

// Progress returns a snapshot for progress displays and summaries.
func (c *Coordinator) Progress() Progress {
	c.mu.Lock()
	defer c.mu.Unlock()
	var p Progress
	p.TablesTotal = c.count
	keys := make([]string, 0, len(c.tables))
	for k := range c.tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t := c.tables[k]
		tp := TableProgress{
			DB: t.manifest.Db, Table: t.manifest.Table, TableID: t.tableID,
			Chunks: len(t.manifest.ChunkIds), ChunksEncoded: len(t.chunks),
			Partitions: int(t.manifest.KvPartitions), PartsIngested: len(t.parts),
			Rows: t.rows, RowsParsed: t.counts.parsed, RowsRejected: t.counts.rejected, SourceBytes: t.manifest.SourceBytes, EncodedBytes: t.encBytes,
			Source: t.source, Stored: t.stored, Status: t.status, Error: t.lastError,
		}
		for _, ce := range t.chunks {
			p.DoneBytes += ce.SourceBytes
		}
		p.SourceBytes += t.manifest.SourceBytes
		p.Rows += t.rows
		if t.status == checkpoint.Done {
			p.TablesDone++
		}
		p.Tables = append(p.Tables, tp)
	}
	return p
}
