package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/app/export"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/producer"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

const importID = "faults"

// run is one import driven stage by stage, as internal/app/pipeline wires it,
// but with every group member started and killed by the test. The broker
// is kfake itself (what internal/kafka/broker wraps) so that tests can watch
// and fault requests with its control hooks.
type run struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	dump    string
	tables  []string // db.table, the tables the filter selects
	cluster *kfake.Cluster
	kafka   kafkaio.Config
	store   *store.Embedded
	cp      *checkpoint.File
	coord   *coordinator.Coordinator
	done    chan error // the coordinator's result
}

type runOptions struct {
	tables    []string // "sakila.rental": imported tables (filter rules)
	chunkSize int64
}

// Every KV topic of a test gets up to 4 partitions, one per 256 KiB of
// source: sakila's large tables get several (markers on every partition,
// several engines per table), film gets one.
const (
	kvPartitions   = 4
	partitionBytes = 256 << 10
)

// newRun starts a broker and a store, publishes the dump's chunks and
// starts the coordinator. No encoder or sorter runs yet.
func newRun(t *testing.T, ctx context.Context, dump string, o runOptions) *run {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.ClusterID("lightstream"), kfake.DefaultNumPartitions(8))
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(c.Close)
	r := &run{t: t, ctx: ctx, dir: t.TempDir(), dump: dump, tables: o.tables, cluster: c,
		kafka: kafkaio.Config{Brokers: c.ListenAddrs()}, done: make(chan error, 1)}
	if r.store, err = store.OpenEmbedded(filepath.Join(r.dir, "store")); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { r.store.Close() })
	if r.cp, err = checkpoint.Open(filepath.Join(r.dir, "checkpoint.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := producer.Run(ctx, producer.Config{
		ImportID: importID, Dump: dump, Kafka: r.kafka, Filter: o.tables, ChunkSize: o.chunkSize,
		KVPartitions: kvPartitions, PartitionBytes: partitionBytes,
	}); err != nil {
		t.Fatalf("producer: %v", err)
	}
	r.coord, err = coordinator.New(coordinator.Config{ImportID: importID, Kafka: r.kafka, Store: r.store, Checkpoint: r.cp})
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { r.done <- r.coord.Run(cctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(slow(30 * time.Second)):
			t.Errorf("coordinator did not stop")
		}
	})
	return r
}

// member is one running encoder or sorter.
type member struct {
	name   string
	cancel context.CancelFunc
	done   chan error
}

// kill cancels the member's context, which stops it where it is (no
// graceful end of its chunk or partition), and waits until it returned.
func (m *member) kill(t *testing.T) {
	t.Helper()
	m.cancel()
	select {
	case err := <-m.done:
		if err != nil {
			t.Errorf("%s: %v", m.name, err)
		}
		m.done <- nil
	case <-time.After(slow(60 * time.Second)):
		t.Fatalf("%s did not stop", m.name)
	}
}

func (r *run) start(name string, fn func(ctx context.Context) error) *member {
	ctx, cancel := context.WithCancel(r.ctx)
	m := &member{name: name, cancel: cancel, done: make(chan error, 1)}
	go func() { m.done <- fn(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		select {
		case <-m.done:
		case <-time.After(slow(60 * time.Second)):
			r.t.Errorf("%s did not stop", name)
		}
	})
	return m
}

func (r *run) encoder(name string, mod func(*encoder.Config)) *member {
	cfg := encoder.Config{ImportID: importID, Dump: r.dump, Kafka: r.kafka, Member: name}
	if mod != nil {
		mod(&cfg)
	}
	return r.start(name, func(ctx context.Context) error { return encoder.Run(ctx, cfg) })
}

// sorter starts a sorter member with its own engine pool (a process of
// its own would have one) on the run's engine directory.
func (r *run) sorter(name string, mod func(*sorter.Config)) *member {
	cfg := sorter.Config{ImportID: importID, Kafka: r.kafka, Member: name, EngineDir: r.engineDir(),
		Store: r.store, Ingest: bulkIngest(), SpanChecksums: true}
	if mod != nil {
		mod(&cfg)
	}
	return r.start(name, func(ctx context.Context) error {
		pool := sorter.NewEnginePool(4)
		defer pool.Close()
		c := cfg
		c.Engines = pool
		return sorter.Run(ctx, c)
	})
}

func (r *run) engineDir() string { return filepath.Join(r.dir, "engines") }

// bulkIngest is how the all-in-one import ingests into the embedded store.
func bulkIngest() ingest.Options { return ingest.Options{Bulk: true} }

// wait waits for the coordinator to complete the import.
func (r *run) wait(timeout time.Duration) {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		if err != nil {
			r.t.Fatalf("import failed: %v", err)
		}
	case <-time.After(timeout):
		r.t.Fatalf("import did not complete in %v: %+v", timeout, r.coord.Progress())
	}
}

// waitFor polls the coordinator's progress until cond holds.
func (r *run) waitFor(what string, timeout time.Duration, cond func(coordinator.Progress) bool) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p := r.coord.Progress()
		if cond(p) {
			return
		}
		select {
		case err := <-r.done:
			r.done <- err
			r.t.Fatalf("waiting for %s: coordinator ended (%v)", what, err)
		default:
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for %s: timed out: %+v", what, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func chunksEncoded(p coordinator.Progress) (done, total int) {
	for _, tp := range p.Tables {
		done += tp.ChunksEncoded
		total += tp.Chunks
	}
	return done, total
}

// verify checks the finished import against the corpus: the checkpoint
// says complete, every table's store checksum equals its source checksum,
// the row counts are exact and the exported rows give the figures a MySQL
// server computed from the original data.
func (r *run) verify() {
	r.t.Helper()
	verifyImport(r.t, r.ctx, r.cp.Snapshot(), r.store, r.tables)
}

func verifyImport(t *testing.T, ctx context.Context, snap checkpoint.State, st store.Store, tables []string) {
	t.Helper()
	checks := loadChecks(t)
	if snap.Status != checkpoint.Complete {
		t.Fatalf("checkpoint status %q, want complete (error %q)", snap.Status, snap.Error)
	}
	if len(snap.Tables) != len(tables) {
		t.Errorf("checkpoint holds %d tables, want %d", len(snap.Tables), len(tables))
	}
	for _, name := range tables {
		want, ok := checks[name]
		if !ok {
			t.Fatalf("no expected check for %s", name)
		}
		rec := snap.Tables[checkpoint.Key(want.DB, want.Table)]
		if rec == nil {
			t.Errorf("%s: not in the checkpoint", name)
			continue
		}
		if rec.Status != checkpoint.Done || rec.Source != rec.Store {
			t.Errorf("%s: status %q, source %+v, store %+v", name, rec.Status, rec.Source, rec.Store)
		}
		if int64(rec.Rows) != want.Count {
			t.Errorf("%s: %d rows encoded, want %d", name, rec.Rows, want.Count)
		}
		// The store itself, recomputed now.
		got, err := st.Checksum(ctx, coordinator.TableRanges(rec.TableID, coordinator.TableIDs(rec.TableID, rec.Model)))
		if err != nil {
			t.Fatal(err)
		}
		if (checkpoint.Checksum{Sum: got.Sum, KVs: got.KVs, Bytes: got.Bytes}) != rec.Source {
			t.Errorf("%s: store checksum %+v, source %+v", name, got, rec.Source)
		}
		f, err := exportFigures(ctx, st, rec.Model)
		if err != nil {
			t.Errorf("%s: export: %v", name, err)
			continue
		}
		if err := f.Matches(want); err != nil {
			t.Error(err)
		}
	}
}

// exportFigures exports a table as `lightstream export` does and computes
// the expected-check figures of its text.
func exportFigures(ctx context.Context, st store.Store, model json.RawMessage) (textFigures, error) {
	var tbl tablemodel.Table
	if err := json.Unmarshal(model, &tbl); err != nil {
		return textFigures{}, err
	}
	gen, err := export.Generated(&tbl, time.UTC)
	if err != nil {
		return textFigures{}, err
	}
	var buf bytes.Buffer
	if _, err := export.Table(ctx, st, &tbl, export.Options{Loc: time.UTC, Generated: gen}, &buf); err != nil {
		return textFigures{}, err
	}
	return figuresOfExport(&buf)
}

// readTopic returns every message of every partition of a topic, up to
// the high watermarks at the time of the call.
func (r *run) readTopic(topic string) []kafkaio.Message {
	r.t.Helper()
	var out []kafkaio.Message
	for _, pi := range r.cluster.PartitionInfos(topic) {
		if pi == nil || pi.HighWatermark == 0 {
			continue
		}
		rd, err := kafkaio.NewPartitionReader(r.kafka, topic, int(pi.Partition), kafkaio.FirstOffset, kafkaio.ReaderOptions{})
		if err != nil {
			r.t.Fatal(err)
		}
		for {
			ctx, cancel := context.WithTimeout(r.ctx, slow(20*time.Second))
			m, err := rd.FetchMessage(ctx)
			cancel()
			if err != nil {
				rd.Close()
				r.t.Fatalf("read %s[%d]: %v", topic, pi.Partition, err)
			}
			out = append(out, m)
			if m.Offset+1 >= pi.HighWatermark {
				break
			}
		}
		rd.Close()
	}
	return out
}

// events returns the import's events.
func (r *run) events() []*lsv1.Event {
	r.t.Helper()
	var out []*lsv1.Event
	for _, m := range r.readTopic(schemas.Topic(importID, schemas.EventsSuffix)) {
		var ev lsv1.Event
		if err := proto.Unmarshal(m.Value, &ev); err != nil {
			r.t.Fatalf("event at offset %d: %v", m.Offset, err)
		}
		out = append(out, &ev)
	}
	return out
}

// attempts is what one encoding attempt of one chunk left in a KV topic.
type attempt struct {
	chunk, attempt string
	batches        int
	markers        map[int32]bool // partitions holding its end-of-chunk marker
}

// kvAttempts reads a KV topic and groups its messages by chunk attempt.
func (r *run) kvAttempts(topic string) map[string]*attempt {
	r.t.Helper()
	out := map[string]*attempt{}
	get := func(chunk, att string) *attempt {
		a := out[att]
		if a == nil {
			a = &attempt{chunk: chunk, attempt: att, markers: map[int32]bool{}}
			out[att] = a
		}
		return a
	}
	for _, m := range r.readTopic(topic) {
		var msg lsv1.KVMessage
		if err := proto.Unmarshal(m.Value, &msg); err != nil {
			r.t.Fatalf("%s[%d] offset %d: %v", topic, m.Partition, m.Offset, err)
		}
		switch b := msg.Body.(type) {
		case *lsv1.KVMessage_Batch:
			get(b.Batch.ChunkId, b.Batch.Attempt).batches++
		case *lsv1.KVMessage_EndOfChunk:
			get(b.EndOfChunk.ChunkId, b.EndOfChunk.Attempt).markers[int32(m.Partition)] = true
		}
	}
	return out
}

func kvTopics(tables []string) map[string]string {
	out := map[string]string{}
	for _, name := range tables {
		db, tbl, _ := cutDot(name)
		out[schemas.KVTopic(importID, db, tbl)] = name
	}
	return out
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func kvTopicName(id, db, table string) string { return schemas.KVTopic(id, db, table) }

// slow stretches a wait under the race detector.
func slow(d time.Duration) time.Duration {
	if raceEnabled {
		return 6 * d
	}
	return d
}

// skipUnderRace skips a long scenario under the race detector unless
// LIGHTSTREAM_FAULTS_FULL is set.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled && os.Getenv("LIGHTSTREAM_FAULTS_FULL") == "" {
		t.Skip("race detector: long scenario skipped (set LIGHTSTREAM_FAULTS_FULL=1 to run it)")
	}
}
