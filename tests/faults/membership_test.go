package faults

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/lightstream-io/lightstream/coordinator"
	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// TestGroupMembershipChanges starts one encoder and one sorter, adds a
// second of each once work is under way, waits until the groups have
// rebalanced onto both, then stops the first ones while chunks remain.
// Each sorter keeps its engines in a directory of its own, as members on
// different hosts would: partitions that move start over from the topic.
// The import must complete exactly, and each member must have done part
// of the work.
func TestGroupMembershipChanges(t *testing.T) {
	skipUnderRace(t)
	dump := sakilaDump(t)
	ctx, cancel := context.WithTimeout(context.Background(), slow(3*time.Minute))
	defer cancel()
	r := newRun(t, ctx, dump, runOptions{tables: faultTables, chunkSize: 32 << 10})
	// Small batches: more produce round trips per chunk, so the encoding
	// outlasts the rebalances.
	small := func(c *encoder.Config) { c.BatchBytes = 4 << 10 }
	// And slow produce requests: on a fast machine the whole import
	// otherwise ends before the second members have joined.
	r.cluster.ControlKey(kmsg.Produce.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		r.cluster.KeepControl()
		r.cluster.SleepControl(func() { time.Sleep(3 * time.Millisecond) })
		return nil, nil, false
	})
	ownDir := func(name string) func(*sorter.Config) {
		return func(c *sorter.Config) { c.EngineDir = filepath.Join(r.dir, "engines-"+name) }
	}
	encoded := func() int { n, _ := chunksEncoded(r.coord.Progress()); return n }

	e1 := r.encoder("encoder-1", small)
	s1 := r.sorter("sorter-1", ownDir("sorter-1"))
	r.waitFor("3 chunks encoded", slow(time.Minute), func(p coordinator.Progress) bool { n, _ := chunksEncoded(p); return n >= 3 })

	r.encoder("encoder-2", small)
	r.sorter("sorter-2", ownDir("sorter-2"))
	waitGroup(t, ctx, r, importID+".encoders", 2)
	waitGroup(t, ctx, r, importID+".sorters", 2)
	joined := encoded()
	r.waitFor("4 more chunks encoded by both", slow(time.Minute), func(p coordinator.Progress) bool {
		n, _ := chunksEncoded(p)
		return n >= joined+4
	})
	if n, total := chunksEncoded(r.coord.Progress()); n == total {
		t.Fatal("every chunk was encoded before the first members left: nothing left to test")
	}

	e1.kill(t)
	s1.kill(t)
	left := encoded()
	t.Logf("encoder-2 and sorter-2 joined at %d chunks encoded, encoder-1 and sorter-1 left at %d", joined, left)
	waitGroup(t, ctx, r, importID+".encoders", 1)
	waitGroup(t, ctx, r, importID+".sorters", 1)
	r.wait(slow(2 * time.Minute))
	r.verify()

	byMember := map[string]int{}
	for _, ev := range r.events() {
		switch ev.Body.(type) {
		case *lsv1.Event_ChunkEncoded, *lsv1.Event_PartitionIngested:
			byMember[ev.Member]++
		}
	}
	t.Logf("events by member: %v", byMember)
	for _, m := range []string{"encoder-1", "encoder-2", "sorter-2"} {
		if byMember[m] == 0 {
			t.Errorf("%s reported nothing", m)
		}
	}
}

// waitGroup waits until a consumer group is stable with n members, each
// with partitions assigned.
func waitGroup(t *testing.T, ctx context.Context, r *run, group string, n int) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	_, err := r.cluster.WaitGroupInfo(wctx, group, func(g *kfake.GroupInfo) bool {
		if g == nil || g.State != "Stable" || len(g.Members) != n {
			return false
		}
		for i := range g.Members {
			if g.Members[i].NumAssigned() == 0 {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatalf("group %s never stable with %d members: %v (%+v)", group, n, err, r.cluster.GroupInfo(group))
	}
}
