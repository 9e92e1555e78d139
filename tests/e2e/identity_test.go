package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// writeShopDump writes a dump of database shop with one table orders of
// n rows whose values start at base: two such dumps have the same
// database and table names, which only their import ids keep apart.
func writeShopDump(t *testing.T, n, base int) string {
	t.Helper()
	dir := t.TempDir()
	var rows strings.Builder
	for i := range n {
		if i > 0 {
			rows.WriteString(",")
		}
		fmt.Fprintf(&rows, "(%d,'item %d',%d.%02d)", base+i, base+i, i, i%100)
	}
	files := map[string]string{
		"shop-schema-create.sql":       "CREATE DATABASE `shop`;\n",
		"shop.orders-schema.sql":       "CREATE TABLE `orders` (`id` INT PRIMARY KEY, `item` VARCHAR(40), `price` DECIMAL(10,2), KEY `i_item` (`item`));\n",
		"shop.orders.000000000.sql":    "INSERT INTO `orders` VALUES " + rows.String() + ";\n",
		"shop.customers-schema.sql":    "CREATE TABLE `customers` (`id` INT PRIMARY KEY, `name` VARCHAR(40));\n",
		"shop.customers.000000000.sql": fmt.Sprintf("INSERT INTO `customers` VALUES (%d,'c');\n", base),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTwoImportsOneBroker: two imports of different dumps (with the same
// database and table names) run at once against one broker with default
// settings. Each gets its own generated id; both verify; each import's
// topics, manifests, events and consumer groups are its own.
func TestTwoImportsOneBroker(t *testing.T) {
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kc := kafkaio.Config{Brokers: b.Addrs()}
	type imp struct {
		dump, work string
		rows       uint64
		res        *pipeline.Result
		announced  string
	}
	imps := []*imp{
		{dump: writeShopDump(t, 3000, 1), work: filepath.Join(t.TempDir(), "a"), rows: 3001},
		{dump: writeShopDump(t, 2000, 100000), work: filepath.Join(t.TempDir(), "b"), rows: 2001},
	}
	ctx, cancel := context.WithTimeout(context.Background(), importTimeout())
	defer cancel()
	var g errgroup.Group
	for _, m := range imps {
		g.Go(func() error {
			res, err := pipeline.Run(ctx, pipeline.Config{
				Dump: m.dump, WorkDir: m.work, Kafka: kc, ChunkSize: 16 << 10, KVPartitions: 2, PartitionBytes: 32 << 10,
				OnImportID: func(id string, created bool) {
					if created {
						m.announced = id
					}
				},
			})
			m.res = res
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("imports: %v", err)
	}
	ids := map[string]*imp{}
	for _, m := range imps {
		id := m.res.State.ImportID
		if m.res.State.Status != checkpoint.Complete || m.res.Progress.Rows != m.rows {
			t.Errorf("import of %s: status %s, %d rows, want complete and %d", m.dump, m.res.State.Status, m.res.Progress.Rows, m.rows)
		}
		if id == "" || id != m.announced || !strings.HasPrefix(id, "shop_") {
			t.Errorf("import of %s: checkpoint id %q, announced %q", m.dump, id, m.announced)
		}
		ids[id] = m
	}
	if len(ids) != 2 {
		t.Fatalf("both imports got the id %s", imps[0].res.State.ImportID)
	}

	// Every lightstream topic on the broker is one import's, and each
	// import has its five fixed topics (chunks, conflicts, events, manifests,
	// schemas) and its two KV topics.
	listed, err := importid.List(ctx, kc)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := kafkaio.ListTopics(ctx, kc)
	if len(listed) != 2 || len(all) != 14 {
		t.Fatalf("imports on the broker: %+v; topics %+v", listed, all)
	}
	for _, l := range listed {
		m := ids[l.ID]
		if m == nil || len(l.Topics) != 7 {
			t.Errorf("import %s on the broker: %+v", l.ID, l.Topics)
			continue
		}
		// Manifests: this dump's only.
		var mfs []*lsv1.TableManifest
		readAll(t, ctx, kc, schemas.Topic(l.ID, schemas.ManifestsSuffix), func(v []byte) {
			var mf lsv1.TableManifest
			if err := proto.Unmarshal(v, &mf); err != nil {
				t.Fatal(err)
			}
			mfs = append(mfs, &mf)
		})
		abs, _ := filepath.Abs(m.dump)
		for _, mf := range mfs {
			if mf.Dump != abs || mf.DumpId != mfs[0].DumpId || mf.KvTopic != schemas.KVTopic(l.ID, mf.Db, mf.Table) {
				t.Errorf("import %s: manifest of dump %s (%s), topic %s", l.ID, mf.Dump, mf.DumpId, mf.KvTopic)
			}
		}
		if len(mfs) != 2 || m.res.State.DumpID != mfs[0].DumpId {
			t.Errorf("import %s: %d manifests; checkpoint dump id %q", l.ID, len(mfs), m.res.State.DumpID)
		}
		// Events: every chunk its encoders reported is one of its own
		// manifests' chunks, and those chunks' rows are its dump's rows
		// (a chunk encoded twice, after a rebalance, is reported twice:
		// counted once, as the coordinator does).
		own := map[string]bool{}
		for _, mf := range mfs {
			for _, id := range mf.ChunkIds {
				own[mf.Db+"."+mf.Table+"/"+id] = true
			}
		}
		chunkRows := map[string]uint64{}
		readAll(t, ctx, kc, schemas.Topic(l.ID, schemas.EventsSuffix), func(v []byte) {
			var ev lsv1.Event
			if err := proto.Unmarshal(v, &ev); err != nil {
				t.Fatal(err)
			}
			if ce := ev.GetChunkEncoded(); ce != nil {
				key := ce.Db + "." + ce.Table + "/" + ce.ChunkId
				if !own[key] {
					t.Errorf("import %s: event of chunk %s, not one of its manifests'", l.ID, key)
				}
				chunkRows[key] = ce.Rows
			}
		})
		var rows uint64
		for _, n := range chunkRows {
			rows += n
		}
		if rows != m.rows || len(chunkRows) != len(own) {
			t.Errorf("import %s: events report %d of %d chunks, %d rows encoded; its dump has %d rows", l.ID, len(chunkRows), len(own), rows, m.rows)
		}
		// Groups: each import's groups committed offsets of its own topics
		// only.
		for _, group := range schemas.Groups(l.ID)[:2] {
			topics := committedTopics(t, ctx, kc, group)
			if len(topics) == 0 {
				t.Errorf("group %s committed nothing", group)
			}
			for _, topic := range topics {
				if !strings.HasPrefix(topic, schemas.TopicPrefix(l.ID)) {
					t.Errorf("group %s of import %s committed offsets of %s", group, l.ID, topic)
				}
			}
		}
	}
	groups := listGroups(t, ctx, kc)
	if len(groups) != 4 {
		t.Errorf("groups on the broker: %v, want each import's encoders and sorters", groups)
	}
	for _, gr := range groups {
		id, _, _ := strings.Cut(gr, ".")
		if ids[id] == nil {
			t.Errorf("group %s belongs to neither import", gr)
		}
	}

	// A rerun with another --import-id is refused, naming both; without
	// one it finds the import complete under its recorded id.
	m := imps[0]
	_, err = pipeline.Run(ctx, pipeline.Config{Dump: m.dump, WorkDir: m.work, Kafka: kc, ImportID: "other_id"})
	if !errors.Is(err, importid.ErrMismatch) || !strings.Contains(err.Error(), "other_id") || !strings.Contains(err.Error(), m.res.State.ImportID) {
		t.Errorf("rerun with another --import-id: %v", err)
	}
	if _, err := pipeline.Replay(ctx, pipeline.Config{WorkDir: m.work, Kafka: kc, ImportID: "other_id"}, "shop", "orders"); !errors.Is(err, importid.ErrMismatch) {
		t.Errorf("replay with another --import-id: %v", err)
	}
	again, err := pipeline.Run(ctx, pipeline.Config{Dump: m.dump, WorkDir: m.work, Kafka: kc})
	if err != nil || !again.AlreadyComplete || again.State.ImportID != m.res.State.ImportID {
		t.Errorf("rerun: %+v, %v", again, err)
	}

	// Another dump given the first import's id, in a new work directory:
	// its producer refuses before publishing anything, naming both dumps.
	other := writeShopDump(t, 10, 500000)
	_, err = pipeline.Run(ctx, pipeline.Config{Dump: other, WorkDir: filepath.Join(t.TempDir(), "c"), Kafka: kc, ImportID: m.res.State.ImportID})
	if !errors.Is(err, importid.ErrOtherDump) || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), m.dump) {
		t.Errorf("another dump under a used id: %v", err)
	}
	var after int
	readAll(t, ctx, kc, schemas.Topic(m.res.State.ImportID, schemas.ManifestsSuffix), func([]byte) { after++ })
	if after != 2 {
		t.Errorf("the refused producer left %d manifests, want the 2 of the first dump", after)
	}

	// A coordinator whose checkpoint records another dump refuses the
	// import's manifests before touching the store.
	cp, err := checkpoint.Open(filepath.Join(t.TempDir(), "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Update(func(s *checkpoint.State) error { s.DumpID = "0123456789abcdef"; return nil }); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenEmbedded(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	co, err := coordinator.New(coordinator.Config{ImportID: m.res.State.ImportID, Kafka: kc, Store: st, Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	if err := co.Run(ctx); !errors.Is(err, importid.ErrOtherDump) || !strings.Contains(err.Error(), "0123456789abcdef") || !strings.Contains(err.Error(), m.res.State.DumpID) {
		t.Errorf("coordinator of another dump: %v", err)
	}
	if s := cp.Snapshot(); len(s.Steps) != 0 {
		t.Errorf("the refused coordinator ran steps: %v", s.Steps)
	}
}

// readAll reads partition 0 of a control topic to its end.
func readAll(t *testing.T, ctx context.Context, kc kafkaio.Config, topic string, fn func([]byte)) {
	t.Helper()
	end, err := topiclog.EndOffset(ctx, kc, topic)
	if err != nil {
		t.Fatal(err)
	}
	if end == 0 {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := topiclog.Follow(rctx, kc, topic, func(m kafkaio.Message) error {
		fn(m.Value)
		if m.Offset+1 >= end {
			return topiclog.ErrStop
		}
		return nil
	}); err != nil {
		t.Fatalf("read %s: %v", topic, err)
	}
}

// committedTopics returns the topics a group committed offsets of.
func committedTopics(t *testing.T, ctx context.Context, kc kafkaio.Config, group string) []string {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(kc.Brokers...)}
	resp, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group})
	if err != nil || resp.Error != nil {
		t.Fatalf("offsets of %s: %v %v", group, err, resp.Error)
	}
	var out []string
	for topic := range resp.Topics {
		out = append(out, topic)
	}
	return out
}

func listGroups(t *testing.T, ctx context.Context, kc kafkaio.Config) []string {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(kc.Brokers...)}
	resp, err := c.ListGroups(ctx, &kafka.ListGroupsRequest{})
	if err != nil || resp.Error != nil {
		t.Fatalf("list groups: %v %v", err, resp.Error)
	}
	var out []string
	for _, g := range resp.Groups {
		out = append(out, g.GroupID)
	}
	return out
}
