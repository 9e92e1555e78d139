package schematopic

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func TestCacheFollow(t *testing.T) {
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kc := kafkaio.Config{Brokers: b.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := schemas.Topic("imp", schemas.SchemasSuffix)
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	c := NewCache()
	fctx, stopFollow := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() { followed <- c.Follow(fctx, kc, "imp") }()

	// A table published after Wait began is handed to the waiter.
	got := make(chan *Table, 1)
	waitErr := make(chan error, 1)
	go func() {
		ti, err := c.Wait(ctx, "shop", "orders")
		got <- ti
		waitErr <- err
	}()
	model, _, err := tablemodel.ParseCreateTable("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(20))", tablemodel.DBDefaults{Name: "shop"}, 110)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	w, err := topiclog.NewWriter(kc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(ctx, topic, "shop.orders", &lsv1.TableSchema{Version: 1, Db: "shop", Table: "orders", ModelJson: js}); err != nil {
		t.Fatal(err)
	}
	ti := <-got
	if err := <-waitErr; err != nil {
		t.Fatal(err)
	}
	if ti.Msg.Table != "orders" || ti.Model.ID != 110 || len(ti.Model.Columns) != 2 || ti.Model.Columns[1].Name != "note" {
		t.Fatalf("cached table: %+v %+v", ti.Msg, ti.Model)
	}

	// A waiter for a table nobody publishes learns that following ended.
	stopFollow()
	if err := <-followed; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow: %v", err)
	}
	if _, err := c.Wait(ctx, "shop", "missing"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after Follow ended: %v", err)
	}
	// What was cached stays readable.
	if ti, err := c.Wait(ctx, "shop", "orders"); err != nil || ti.Model.ID != 110 {
		t.Fatalf("Wait for a cached table after Follow ended: %v", err)
	}
}

func TestCacheBadSchema(t *testing.T) {
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kc := kafkaio.Config{Brokers: b.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := schemas.Topic("imp", schemas.SchemasSuffix)
	if err := kafkaio.EnsureTopics(ctx, kc, []kafkaio.TopicSpec{{Name: topic, Partitions: 1}}); err != nil {
		t.Fatal(err)
	}
	w, err := topiclog.NewWriter(kc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(ctx, topic, "x", &lsv1.TableSchema{Db: "shop", Table: "t", ModelJson: []byte("{not json")}); err != nil {
		t.Fatal(err)
	}
	c := NewCache()
	err = c.Follow(ctx, kc, "imp")
	if err == nil || !containsAll(err.Error(), "offset 0", "table model of shop.t") {
		t.Fatalf("Follow of a corrupt schema: %v", err)
	}
	if _, err := c.Wait(ctx, "shop", "t"); err == nil {
		t.Fatal("Wait after a corrupt schema succeeded")
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
