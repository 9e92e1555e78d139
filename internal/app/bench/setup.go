package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/producer"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// table is one table of the dump as the encoders see it once the
// coordinator created it: its manifest, chunks, schema message and model.
type table struct {
	mf       *lsv1.TableManifest
	chunks   []*lsv1.Chunk
	schema   *lsv1.TableSchema
	model    *tablemodel.Table
	partBase int // global index of the table's partition 0
}

// layout is how the table's pairs are spread over its partitions, as the
// encoders and sorters read it from the table's schema.
func (t *table) layout() schemas.Layout {
	return schematopic.LayoutOf(int(t.mf.KvPartitions), t.mf.PartitionPlan, t.model)
}

// chunkRef is a chunk with its table.
type chunkRef struct {
	t  *table
	ch *lsv1.Chunk
}

// plan is the dump cut into chunks exactly as the producer cuts it, with
// every table created the way the coordinator's embedded catalog does.
type plan struct {
	dump        string
	tables      []*table
	chunks      []chunkRef // in publication order
	partitions  int        // table partitions over all tables
	sourceBytes int64
}

// makePlan runs the producer's planning and the coordinator's table
// creation without a broker. kcfg only satisfies the producer's config
// check: MakePlan never connects.
func makePlan(ctx context.Context, cfg *Config, importID string, kcfg kafkaio.Config) (*plan, error) {
	p, err := producer.MakePlan(producer.Config{
		ImportID: importID, Dump: cfg.Dump, Kafka: kcfg, ChunkSize: cfg.ChunkSize, KVPartitions: cfg.KVPartitions,
		CSV: cfg.CSV, NoBackslashEscapes: cfg.NoBackslashEscapes, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	out := &plan{dump: cfg.Dump}
	started := time.Now()
	for i, mf := range p.Manifests {
		t := &table{mf: mf, chunks: p.Chunks[i], partBase: out.partitions}
		out.partitions += int(mf.KvPartitions)
		out.sourceBytes += mf.SourceBytes
		out.tables = append(out.tables, t)
		if len(t.chunks) == 0 {
			continue
		}
		// Ids in manifest order from the checkpoint's first id, as the
		// coordinator hands them out.
		model, _, err := coordinator.EmbeddedCatalog{}.CreateTable(ctx, mf, checkpoint.FirstTableID+int64(i))
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(model)
		if err != nil {
			return nil, err
		}
		t.model = model
		t.schema = &lsv1.TableSchema{
			Version: 1, Db: mf.Db, Table: mf.Table, TableId: model.ID, ModelJson: raw,
			SqlMode: cfg.SQLMode, TimeZone: cfg.TimeZone, TimestampUnixNano: started.UnixNano(),
			KvPartitions: mf.KvPartitions,
		}
	}
	// Chunks in the order the producer publishes them (table order); the
	// encoder group works through them in about that order.
	for _, t := range out.tables {
		for _, ch := range t.chunks {
			out.chunks = append(out.chunks, chunkRef{t: t, ch: ch})
		}
	}
	return out, nil
}

// dumpChunk is the reader's view of a chunk.
func (p *plan) dumpChunk(c chunkRef) dump.Chunk { return dump.ChunkFromProto(p.dump, c.ch) }

// openRows opens a chunk's rows as the encoder does.
func (p *plan) openRows(c chunkRef) (*dump.Rows, error) {
	dc := p.dumpChunk(c)
	return dc.OpenRows(dump.CSVOptionsFromProto(c.ch.Csv), c.ch.NoBackslashEscapes)
}

// cursor hands out a plan's chunks to concurrent workers, each once.
type cursor struct {
	p *plan
	n atomic.Int64
}

// next returns the next chunk, false when none is left.
func (c *cursor) next() (chunkRef, bool) {
	i := c.n.Add(1) - 1
	if i >= int64(len(c.p.chunks)) {
		return chunkRef{}, false
	}
	return c.p.chunks[i], true
}

func tableKey(t *table) string { return fmt.Sprintf("%s.%s", t.mf.Db, t.mf.Table) }
