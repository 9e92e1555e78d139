// Package schematopic follows the import's schemas topic: the table
// definitions (ids and table model) the coordinator published, which
// encoders encode with and sorters read the index ids of.
package schematopic

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Table is a table's schema as the coordinator published it, decoded.
type Table struct {
	Msg   *lsv1.TableSchema
	Model *tablemodel.Table
}

// Cache follows the schemas topic in the background; encoders and sorters
// wait on it for the tables they work on.
type Cache struct {
	mu      sync.Mutex
	cond    chan struct{} // closed and replaced whenever a schema arrives
	tables  map[string]*Table
	failure error
}

// NewCache returns an empty cache; run Follow to fill it.
func NewCache() *Cache {
	return &Cache{cond: make(chan struct{}), tables: map[string]*Table{}}
}

// Follow reads the schemas topic into c until ctx ends or reading fails;
// then every Wait fails with that error.
func (c *Cache) Follow(ctx context.Context, cfg kafkaio.Config, importID string) error {
	topic := schemas.Topic(importID, schemas.SchemasSuffix)
	err := topiclog.Follow(ctx, cfg, topic, func(m kafkaio.Message) error {
		var ts lsv1.TableSchema
		if err := proto.Unmarshal(m.Value, &ts); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		var t tablemodel.Table
		if err := json.Unmarshal(ts.ModelJson, &t); err != nil {
			return fmt.Errorf("%s offset %d: table model of %s.%s: %w", topic, m.Offset, ts.Db, ts.Table, err)
		}
		c.mu.Lock()
		c.tables[tableKey(ts.Db, ts.Table)] = &Table{Msg: &ts, Model: &t}
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

// Wait returns the schema of db.table once the coordinator published it.
func (c *Cache) Wait(ctx context.Context, db, table string) (*Table, error) {
	key := tableKey(db, table)
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

// tableKey names a table in the cache: the quoted database and table names.
func tableKey(db, table string) string { return fmt.Sprintf("%q.%q", db, table) }

// Layout is how the table's KV pairs are spread over its partitions: its
// schema's partition plan, read with the model's index ids.
func (t *Table) Layout() schemas.Layout {
	return LayoutOf(int(t.Msg.KvPartitions), t.Msg.PartitionPlan, t.Model)
}

// LayoutOf is the layout of a table of model over partitions under plan.
func LayoutOf(partitions int, plan *lsv1.PartitionPlan, model *tablemodel.Table) schemas.Layout {
	ids := make(map[string]int64, len(model.Indexes))
	for _, idx := range model.Indexes {
		ids[strings.ToLower(idx.Name)] = idx.ID
	}
	return schemas.NewLayout(partitions, plan, ids)
}

// IndexIDs are the ids of the table's indexes.
func (t *Table) IndexIDs() []int64 {
	ids := make([]int64, 0, len(t.Model.Indexes))
	for _, idx := range t.Model.Indexes {
		ids = append(ids, idx.ID)
	}
	return ids
}
