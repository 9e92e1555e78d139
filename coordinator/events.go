package coordinator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// ErrImportFailed: a member reported an error that stops the import.
var ErrImportFailed = errors.New("import failed")

// loadManifests reads the manifests topic until every table of the import
// is known.
func (c *Coordinator) loadManifests(ctx context.Context) error {
	topic := schemas.Topic(c.cfg.ImportID, schemas.ManifestsSuffix)
	return topiclog.Follow(ctx, c.cfg.Kafka, topic, func(m kafkaio.Message) error {
		var mf lsv1.TableManifest
		if err := proto.Unmarshal(m.Value, &mf); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		key := checkpoint.Key(mf.Db, mf.Table)
		if _, ok := c.tables[key]; !ok {
			c.tables[key] = &tableState{manifest: &mf, chunks: map[string]*lsv1.ChunkEncoded{}, parts: map[uint32]*lsv1.PartitionIngested{}}
		}
		c.count = int(mf.TableCount)
		if len(c.tables) >= c.count {
			return topiclog.ErrStop
		}
		return nil
	})
}

// trackEvents follows the events topic until every table is verified.
func (c *Coordinator) trackEvents(ctx context.Context) error {
	if c.allDone() {
		return nil
	}
	// Tables without chunks are complete as soon as their schema exists.
	for _, key := range c.keys() {
		if err := c.maybeFinish(ctx, key); err != nil {
			return err
		}
	}
	if c.allDone() {
		return nil
	}
	topic := schemas.Topic(c.cfg.ImportID, schemas.EventsSuffix)
	// A failure reported before this run started belongs to an earlier
	// attempt: its chunk was not committed and is encoded again now (after
	// the user fixed the input), so only failures from this run count.
	runStart, err := topiclog.EndOffset(ctx, c.cfg.Kafka, topic)
	if err != nil {
		return err
	}
	floors := c.eventFloors()
	return topiclog.Follow(ctx, c.cfg.Kafka, topic, func(m kafkaio.Message) error {
		var ev lsv1.Event
		if err := proto.Unmarshal(m.Value, &ev); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		var key string
		switch b := ev.Body.(type) {
		case *lsv1.Event_ChunkEncoded:
			key = checkpoint.Key(b.ChunkEncoded.Db, b.ChunkEncoded.Table)
			if err := c.chunkEncoded(key, b.ChunkEncoded); err != nil {
				return err
			}
		case *lsv1.Event_PartitionIngested:
			key = checkpoint.Key(b.PartitionIngested.Db, b.PartitionIngested.Table)
			if m.Offset < floors[key] {
				return nil // before a checkpoint command reset the table
			}
			c.mu.Lock()
			if ts := c.tables[key]; ts != nil {
				ts.parts[b.PartitionIngested.Partition] = b.PartitionIngested
				if at := time.Unix(0, b.PartitionIngested.CompleteUnixNano).UTC(); b.PartitionIngested.CompleteUnixNano > 0 && at.After(ts.sorted) {
					ts.sorted = at
				}
				if at := time.Unix(0, ev.TimeUnixNano).UTC(); at.After(ts.ingested) {
					ts.ingested = at
				}
			}
			c.mu.Unlock()
		case *lsv1.Event_Failed:
			if m.Offset < runStart {
				return nil
			}
			f := b.Failed
			return c.recordChunkFailure(checkpoint.Key(f.Db, f.Table), f, failureError(f))
		default:
			return nil
		}
		if err := c.maybeFinish(ctx, key); err != nil {
			return err
		}
		if c.allDone() {
			return topiclog.ErrStop
		}
		return nil
	})
}

func (c *Coordinator) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.tables))
	for k := range c.tables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *Coordinator) allDone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tables) < c.count {
		return false
	}
	for _, t := range c.tables {
		if t.status != checkpoint.Done {
			return false
		}
	}
	return true
}
