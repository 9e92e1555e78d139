package sorter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/engine"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"golang.org/x/sync/errgroup"
)

// ReadSpanChecksum reads what st holds over done's spans (the partition's
// keys, PartitionIngested spans) into done.StoreChecksum.
func ReadSpanChecksum(ctx context.Context, st store.Store, done *lsv1.PartitionIngested) error {
	ranges := make([]store.KeyRange, len(done.Spans))
	for i, sp := range done.Spans {
		ranges[i] = store.KeyRange{Start: sp.First, End: ingest.Span{Last: sp.Last}.End()}
	}
	var c store.Checksum
	if len(ranges) > 0 {
		var err error
		if c, err = st.Checksum(ctx, ranges); err != nil {
			return fmt.Errorf("checksum ingested spans: %w", err)
		}
	}
	done.StoreChecksum = &lsv1.StoreChecksum{Checksum: c.Sum, Kvs: c.KVs, Bytes: c.Bytes}
	return nil
}

// EngineDir is where a table partition's engine lives.
func EngineDir(root, topic string, partition int) string {
	return filepath.Join(root, topic, fmt.Sprint(partition))
}

// Replay rebuilds the engines of one table from its retained KV topic,
// without re-encoding: each partition is read from its first offset into
// a fresh engine and ingested again once it holds every chunk's marker.
// It returns what each partition ingested.
func Replay(ctx context.Context, cfg Config, db, table string) ([]*lsv1.PartitionIngested, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	manifests, err := importid.Manifests(ctx, cfg.Kafka, cfg.ImportID)
	if err != nil {
		return nil, err
	}
	var mf *lsv1.TableManifest
	for _, m := range manifests {
		if m.Db == db && m.Table == table {
			mf = m
		}
	}
	if mf == nil {
		return nil, fmt.Errorf("replay: table %s.%s is not in the import's manifests", db, table)
	}
	if len(mf.ChunkIds) == 0 {
		return nil, nil
	}
	if err := checkRetained(ctx, cfg.Kafka, mf); err != nil {
		return nil, err
	}
	events, err := topiclog.NewWriter(cfg.Kafka)
	if err != nil {
		return nil, err
	}
	defer events.Close()
	if cfg.Engines == nil {
		cfg.Engines = NewEnginePool(4)
		defer cfg.Engines.Close()
	}
	s := &partitionSorter{cfg: cfg, manifests: manifests, events: events, tables: schematopic.NewCache()}
	defer s.followSchemas(ctx)()
	for p := 0; p < int(mf.KvPartitions); p++ {
		dir := EngineDir(cfg.EngineDir, mf.KvTopic, p)
		if err := cfg.Engines.Drop(dir); err != nil {
			return nil, err
		}
		if err := engine.Remove(dir); err != nil {
			return nil, fmt.Errorf("replay: remove engine %s: %w", dir, err)
		}
		if err := os.Remove(donePath(dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("replay: %w", err)
		}
	}
	// One partition after the other; with conflict detection all at once,
	// since each waits for the others' duplicate keys before its ingest.
	out := make([]*lsv1.PartitionIngested, mf.KvPartitions)
	g, gctx := errgroup.WithContext(ctx)
	if !cfg.Conflict.Enabled() {
		g.SetLimit(1)
	}
	for p := 0; p < int(mf.KvPartitions); p++ {
		g.Go(func() error {
			done, err := s.replayPartition(gctx, mf.KvTopic, p)
			if err != nil {
				return fmt.Errorf("replay partition %d: %w", p, err)
			}
			if done == nil {
				return fmt.Errorf("replay partition %d: stopped before the partition was complete", p)
			}
			out[p] = done
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if !cfg.KeepEngines {
		// No sorter group member resumes a replay: its done records are
		// not needed either.
		if err := os.RemoveAll(filepath.Join(cfg.EngineDir, mf.KvTopic)); err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
	}
	return out, nil
}

// checkRetained fails when mf's KV topic no longer holds every pair the
// table was imported with: deleted (--kv-retention none), or its oldest
// records expired (a retention period).
func checkRetained(ctx context.Context, kcfg kafkaio.Config, mf *lsv1.TableManifest) error {
	first, err := kafkaio.FirstOffsets(ctx, kcfg, mf.KvTopic)
	if errors.Is(err, kafkaio.ErrNoTopic) {
		return fmt.Errorf("replay: %s.%s: its KV topic %s is gone (deleted once the table was verified, as --kv-retention none does): replay needs the topic; import the table again instead", mf.Db, mf.Table, mf.KvTopic)
	}
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	for p, off := range first {
		if off > 0 {
			return fmt.Errorf("replay: %s.%s: partition %d of its KV topic %s starts at offset %d: its first records expired (--kv-retention); replay needs all of them: import the table again instead", mf.Db, mf.Table, p, mf.KvTopic, off)
		}
	}
	return nil
}
