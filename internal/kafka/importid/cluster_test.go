package importid

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/broker"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/member"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func startBroker(t *testing.T) kafkaio.Config {
	t.Helper()
	b, err := broker.Start(context.Background(), broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return kafkaio.Config{Brokers: b.Addrs()}
}

// createImport creates an import's fixed topics and one KV topic, as a
// producer does, and publishes manifests of the given dumps.
func createImport(t *testing.T, ctx context.Context, kc kafkaio.Config, id string, dumps ...Dump) {
	t.Helper()
	var specs []kafkaio.TopicSpec
	for _, s := range []string{schemas.ChunksSuffix, schemas.ManifestsSuffix, schemas.SchemasSuffix, schemas.EventsSuffix} {
		specs = append(specs, kafkaio.TopicSpec{Name: schemas.Topic(id, s), Partitions: 1})
	}
	specs = append(specs, kafkaio.TopicSpec{Name: schemas.KVTopic(id, "db", "t"), Partitions: 2})
	if err := kafkaio.EnsureTopics(ctx, kc, specs); err != nil {
		t.Fatal(err)
	}
	w, err := topiclog.NewWriter(kc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, d := range dumps {
		mf := &lsv1.TableManifest{Version: 1, Db: "db", Table: "t", TableCount: 1, Dump: d.Dir, DumpId: d.ID}
		if err := w.Append(ctx, schemas.Topic(id, schemas.ManifestsSuffix), "db.t", mf); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAwait: a member of an import that does not exist fails after its
// wait, naming the import, its manifests topic and the brokers; once the
// producer has created the topics it goes on.
func TestAwait(t *testing.T) {
	ctx := context.Background()
	kc := startBroker(t)
	start := time.Now()
	err := Await(ctx, kc, "nobody", 300*time.Millisecond)
	if !errors.Is(err, ErrNoImport) {
		t.Fatalf("Await of a missing import: %v", err)
	}
	for _, s := range []string{"nobody", schemas.Topic("nobody", schemas.ManifestsSuffix), kc.Brokers[0]} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Await took %s for a 300ms wait", time.Since(start))
	}
	// Created while a member waits: the member goes on.
	done := make(chan error, 1)
	go func() {
		done <- Await(ctx, kc, "late", time.Minute, schemas.Topic("late", schemas.ChunksSuffix))
	}()
	time.Sleep(300 * time.Millisecond)
	createImport(t, ctx, kc, "late")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Await once the import exists: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Await did not see the import")
	}
	// A cancelled wait returns the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := Await(cctx, kc, "nobody", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Await: %v", err)
	}
}

// TestCheckPublished: manifests of one dump pass; another dump's under
// the same id is refused, naming both.
func TestCheckPublished(t *testing.T) {
	ctx := context.Background()
	kc := startBroker(t)
	a, b := Dump{Dir: "/dumps/a", ID: "aaaa"}, Dump{Dir: "/dumps/b", ID: "bbbb"}
	if err := CheckPublished(ctx, kc, "fresh", a); err != nil {
		t.Errorf("an import with no topics: %v", err)
	}
	createImport(t, ctx, kc, "one", a, a)
	if err := CheckPublished(ctx, kc, "one", a); err != nil {
		t.Errorf("the same dump again: %v", err)
	}
	err := CheckPublished(ctx, kc, "one", b)
	if !errors.Is(err, ErrOtherDump) || !strings.Contains(err.Error(), "/dumps/a") || !strings.Contains(err.Error(), "/dumps/b") {
		t.Errorf("another dump: %v", err)
	}
	createImport(t, ctx, kc, "mixed", a, b)
	if err := CheckPublished(ctx, kc, "mixed", Dump{}); !errors.Is(err, ErrOtherDump) {
		t.Errorf("two dumps on one import: %v", err)
	}
	dumps, err := PublishedDumps(ctx, kc, "mixed")
	if err != nil || !slices.Equal(dumps, []Dump{a, b}) {
		t.Errorf("PublishedDumps = %v, %v", dumps, err)
	}
}

// TestDelete: topics delete refuses while the import's groups have
// members, naming the group; then deletes the import's topics and groups
// and nothing of another import.
func TestDelete(t *testing.T) {
	ctx := context.Background()
	kc := startBroker(t)
	createImport(t, ctx, kc, "old")
	createImport(t, ctx, kc, "old-2") // a prefix of neither's topics
	imports, err := List(ctx, kc)
	if err != nil || len(imports) != 2 || imports[0].ID != "old" || imports[1].ID != "old-2" || len(imports[0].Topics) != 5 {
		t.Fatalf("List = %+v, %v", imports, err)
	}

	mctx, stopMember := context.WithCancel(ctx)
	memberDone := make(chan error, 1)
	go func() {
		memberDone <- member.Run(mctx, member.Config{Kafka: kc, Group: "old" + schemas.SortersGroupSuffix,
			Topics: []string{schemas.KVTopic("old", "db", "t")}},
			func(ctx context.Context, c *member.Claim) error { <-ctx.Done(); return nil })
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		g, err := kafkaio.DescribeGroups(ctx, kc, "old"+schemas.SortersGroupSuffix)
		if err == nil && len(g[0].Members) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the member never joined: %+v %v", g, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = Delete(ctx, kc, "old")
	if !errors.Is(err, ErrGroupActive) || !strings.Contains(err.Error(), "old.sorters") {
		t.Fatalf("Delete with a member: %v", err)
	}
	if topics, _ := Topics(ctx, kc, "old"); len(topics) != 5 {
		t.Fatalf("a refused delete left %d topics", len(topics))
	}
	stopMember()
	if err := <-memberDone; err != nil {
		t.Fatal(err)
	}
	var d Deleted
	deadline = time.Now().Add(30 * time.Second)
	for {
		// The member's leave may take a heartbeat to settle.
		if d, err = Delete(ctx, kc, "old"); !errors.Is(err, ErrGroupActive) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if len(d.Topics) != 5 || !slices.Contains(d.Groups, "old.sorters") {
		t.Errorf("Delete = %+v", d)
	}
	imports, err = List(ctx, kc)
	if err != nil || len(imports) != 1 || imports[0].ID != "old-2" || len(imports[0].Topics) != 5 {
		t.Errorf("after delete, List = %+v, %v", imports, err)
	}
	g, err := kafkaio.DescribeGroups(ctx, kc, "old"+schemas.SortersGroupSuffix)
	if err != nil || len(g[0].Members) != 0 || (g[0].State != "Dead" && g[0].State != "") {
		t.Errorf("after delete, the group is %+v, %v", g, err)
	}
}
