package producer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas"
)

// SetImportID names the plan's KV topics after the import. MakePlan does
// it when its Config has an id; `lightstream import` plans first and makes
// a new import's id from the plan's database (importid.Generate).
func (p *Plan) SetImportID(id string) {
	for _, mf := range p.Manifests {
		mf.KvTopic = schemas.KVTopic(id, mf.Db, mf.Table)
	}
}

// Databases returns the target databases of the plan's tables, sorted.
func (p *Plan) Databases() []string {
	var out []string
	for _, mf := range p.Manifests {
		if len(out) == 0 || out[len(out)-1] != mf.Db {
			out = append(out, mf.Db)
		}
	}
	return out
}

// Identity names the plan's dump as its manifests do.
func (p *Plan) Identity() importid.Dump {
	if len(p.Manifests) == 0 {
		return importid.Dump{}
	}
	return importid.DumpOf(p.Manifests[0])
}

// stampDump records in every manifest the dump directory and the plan's
// digest: every table's name, definitions, KV partition count, source
// size and chunks (file and byte range). The same dump planned with the
// same options gives the same digest, so a restarted producer publishes
// into its own import; another dump (or the same one cut another way)
// gives another, which the producer and the coordinator refuse to mix.
func (p *Plan) stampDump(dir string) {
	h := sha256.New()
	for i, mf := range p.Manifests {
		writeString(h, mf.Db)
		writeString(h, mf.Table)
		writeString(h, mf.SchemaSql)
		writeString(h, mf.DbSchemaSql)
		writeUint(h, uint64(mf.KvPartitions))
		writeUint(h, uint64(mf.SourceBytes))
		writeUint(h, uint64(len(p.Chunks[i])))
		for _, c := range p.Chunks[i] {
			writeString(h, c.Id)
			writeString(h, c.File)
			writeUint(h, uint64(c.StartOffset))
			writeUint(h, uint64(c.EndOffset))
		}
	}
	id := hex.EncodeToString(h.Sum(nil)[:8])
	for _, mf := range p.Manifests {
		mf.Dump, mf.DumpId = dir, id
	}
}

func writeString(h hash.Hash, s string) {
	writeUint(h, uint64(len(s)))
	h.Write([]byte(s))
}

func writeUint(h hash.Hash, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	h.Write(b[:])
}

// claimImport creates the import's manifests topic, which is what tells
// members the import exists (importid.Await), and fails when it already
// holds another dump's manifests.
func claimImport(ctx context.Context, cfg Config, dump importid.Dump) error {
	spec := kafkaio.TopicSpec{Name: schemas.Topic(cfg.ImportID, schemas.ManifestsSuffix), Partitions: 1,
		Configs: map[string]string{"retention.ms": fmt.Sprint(cfg.RetentionMS)}}
	if err := kafkaio.EnsureTopics(ctx, cfg.Kafka, []kafkaio.TopicSpec{spec}); err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	return importid.CheckPublished(ctx, cfg.Kafka, cfg.ImportID, dump)
}
