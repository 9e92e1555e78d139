package encoder

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/segmentio/kafka-go"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/checkpoint"
	"github.com/lightstream-io/lightstream/internal/kafkaio"
	"github.com/lightstream-io/lightstream/internal/tablemodel"
	"github.com/lightstream-io/lightstream/internal/topiclog"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// tableInfo is a table's schema as the coordinator published it, decoded.
type tableInfo struct {
	msg   *lsv1.TableSchema
	table *tablemodel.Table
}

// schemaCache follows the schemas topic in the background; encoders wait
// on it for the tables of their chunks.
type schemaCache struct {
	mu      sync.Mutex
	cond    chan struct{} // closed and replaced whenever a schema arrives
	tables  map[string]*tableInfo
	failure error
}

func newSchemaCache() *schemaCache {
	return &schemaCache{cond: make(chan struct{}), tables: map[string]*tableInfo{}}
}

func (c *schemaCache) follow(ctx context.Context, cfg kafkaio.Config, importID string) error {
	topic := schemas.Topic(importID, schemas.SchemasSuffix)
	err := topiclog.Follow(ctx, cfg, topic, func(m kafka.Message) error {
		var ts lsv1.TableSchema
		if err := proto.Unmarshal(m.Value, &ts); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		var t tablemodel.Table
		if err := json.Unmarshal(ts.ModelJson, &t); err != nil {
			return fmt.Errorf("%s offset %d: table model of %s.%s: %w", topic, m.Offset, ts.Db, ts.Table, err)
		}
		c.mu.Lock()
		c.tables[checkpoint.Key(ts.Db, ts.Table)] = &tableInfo{msg: &ts, table: &t}
		close(c.cond)
		c.cond = make(chan struct{})
		c.mu.Unlock()
		return nil
	})
	c.mu.Lock()
	if c.failure == nil {
		c.failure = err
		if err == nil {
			c.failure = context.Canceled
		}
		close(c.cond)
		c.cond = make(chan struct{})
	}
	c.mu.Unlock()
	return err
}

// wait returns the schema of db.table once the coordinator published it.
func (c *schemaCache) wait(ctx context.Context, db, table string) (*tableInfo, error) {
	key := checkpoint.Key(db, table)
	for {
		c.mu.Lock()
		ti, failure, cond := c.tables[key], c.failure, c.cond
		c.mu.Unlock()
		if ti != nil {
			return ti, nil
		}
		if failure != nil {
			return nil, fmt.Errorf("schemas topic: %w", failure)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-cond:
		}
	}
}
