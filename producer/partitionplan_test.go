package producer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// writeIndexedDump writes a sysbench-like table (an int primary key, a
// non-unique index on a random int, wide strings) in files of rows rows.
func writeIndexedDump(t *testing.T, files, rows int, schema string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("db-schema-create.sql", "CREATE DATABASE db;")
	write("db.t-schema.sql", schema)
	r := rand.New(rand.NewPCG(1, 2))
	id := 0
	for f := 0; f < files; f++ {
		var b strings.Builder
		for i := 0; i < rows; i++ {
			if i%100 == 0 {
				if i > 0 {
					b.WriteString(";\n")
				}
				b.WriteString("INSERT INTO `t` VALUES ")
			} else {
				b.WriteString(",")
			}
			id++
			fmt.Fprintf(&b, "(%d,%d,'%s','%s')", id, r.IntN(1_000_000), strings.Repeat("c", 40+r.IntN(80)), strings.Repeat("p", 60))
		}
		b.WriteString(";\n")
		write(fmt.Sprintf("db.t.%09d.sql", f), b.String())
	}
	return dir
}

// TestPartitionPlanBalances plans a table whose index alone is larger than
// a partition's share, then encodes every row and routes it as the
// encoders do: the largest partition holds at most 1.15x the mean, where
// without the plan it held the whole index plus a record share.
func TestPartitionPlanBalances(t *testing.T) {
	for _, c := range []struct {
		name, schema string
	}{
		{"non-unique", "CREATE TABLE t (id INT PRIMARY KEY, k INT, c VARCHAR(120), pad CHAR(60), KEY k_1 (k));"},
		{"two indexes", "CREATE TABLE t (id INT PRIMARY KEY, k INT, c VARCHAR(120), pad CHAR(60), KEY k_1 (k), KEY kc (k, c));"},
		{"five indexes", "CREATE TABLE t (id INT PRIMARY KEY, k INT, c VARCHAR(120), pad CHAR(60), KEY a (k), KEY b (c), KEY d (pad), KEY e (k, c), UNIQUE KEY f (c, id));"},
		{"no index", "CREATE TABLE t (id INT PRIMARY KEY, k INT, c VARCHAR(120), pad CHAR(60));"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeIndexedDump(t, 4, 6000, c.schema)
			kc := kafkaio.Config{Brokers: []string{"127.0.0.1:1"}}
			p, err := MakePlan(Config{Dump: dir, Kafka: kc, ChunkSize: 128 << 10, KVPartitions: 4, PartitionBytes: 1 << 10})
			if err != nil {
				t.Fatal(err)
			}
			mf, chunks := p.Manifests[0], p.Chunks[0]
			if mf.KvPartitions != 4 || len(chunks) <= 4 {
				t.Fatalf("want 4 partitions and more chunks, got %d and %d", mf.KvPartitions, len(chunks))
			}
			if mf.PartitionPlan == nil {
				t.Fatal("no partition plan")
			}
			for p, w := range mf.PartitionPlan.RecordWeights {
				if w == 0 {
					t.Errorf("partition %d has no record share: a partition no chunk feeds", p)
				}
			}
			planned, equal := routedBytes(t, dir, mf, chunks, mf.PartitionPlan), routedBytes(t, dir, mf, chunks, nil)
			t.Logf("largest/mean %.3f with the plan (weights %v, %d indexes), %.3f without", spread(planned), mf.PartitionPlan.RecordWeights, len(mf.PartitionPlan.Indexes), spread(equal))
			if s := spread(planned); s > 1.15 {
				t.Errorf("largest partition %.3fx the mean with the plan (bytes %v)", s, planned)
			}
			// The same dump plans the same (a resumed producer routes alike).
			again, err := MakePlan(Config{Dump: dir, Kafka: kc, ChunkSize: 128 << 10, KVPartitions: 4, PartitionBytes: 1 << 10})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(again.Manifests[0].PartitionPlan) != fmt.Sprint(mf.PartitionPlan) {
				t.Errorf("planned twice: %v, then %v", mf.PartitionPlan, again.Manifests[0].PartitionPlan)
			}
		})
	}
}

// routedBytes encodes every row of the table and sums the bytes of each
// partition under plan, as the encoders route them (schemas.Layout with
// the coordinator's ids).
func routedBytes(t *testing.T, dir string, mf *lsv1.TableManifest, chunks []*lsv1.Chunk, plan *lsv1.PartitionPlan) []int64 {
	t.Helper()
	model, _, err := tablemodel.ParseCreateTable(mf.SchemaSql, tablemodel.DBDefaults{Name: mf.Db}, 112)
	if err != nil {
		t.Fatal(err)
	}
	layout := schematopic.LayoutOf(int(mf.KvPartitions), plan, model)
	sess, err := rowcodec.Session("", "", "", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rowcodec.NewRowCoder(model, sess, rowcodec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := storage.LocalDir(dir)
	out := make([]int64, mf.KvPartitions)
	var pairs kvenc.Pairs
	for _, ch := range chunks {
		dc := dump.ChunkFromProtoIn(st, ch)
		rows, err := dc.OpenRows(dump.CSVOptionsFromProto(ch.Csv), ch.NoBackslashEscapes)
		if err != nil {
			t.Fatal(err)
		}
		split := layout.RecordSplit(schemas.LineOf(ch.Ordinal, ch.TotalChunks, ch.TableOffset, ch.SourceBytes, ch.TableBytes), ch.EndOffset-ch.StartOffset)
		for k := int64(1); ; k++ {
			fields, err := rows.Next()
			if err != nil {
				break
			}
			rec := split.Partition(rows.Pos() - ch.StartOffset)
			pairs.Reset()
			if err := rc.Encode(rows.Columns(), fields, k, &pairs); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < pairs.Len(); i++ {
				out[layout.Partition(pairs.Key(i), rec)] += int64(len(pairs.Key(i)) + len(pairs.Value(i)))
			}
		}
		rows.Close()
	}
	return out
}

func spread(bytes []int64) float64 {
	var sum, largest int64
	for _, b := range bytes {
		sum += b
		largest = max(largest, b)
	}
	return float64(largest) * float64(len(bytes)) / float64(sum)
}

// TestPlanPartitionsPieces checks the plan's arithmetic: an index of 1.5
// shares is cut in two pieces on two partitions, whose record weights
// make up for them.
func TestPlanPartitionsPieces(t *testing.T) {
	s := &tableSample{record: 650, chunks: 8, indexes: []*indexSample{{name: "k", bytes: 150}}}
	for i := 0; i < 150; i++ {
		s.indexes[0].keys = append(s.indexes[0].keys, sampledKey{suffix: []byte{byte(i)}, bytes: 1})
	}
	plan := planPartitions(8, s)
	if len(plan.Indexes) != 1 || len(plan.Indexes[0].Splits) != 1 || string(plan.Indexes[0].Splits[0]) != string([]byte{75}) {
		t.Fatalf("want the index cut once at its middle key, got %v", plan.Indexes)
	}
	parts := plan.Indexes[0].Partitions
	if len(parts) != 2 || parts[0] == parts[1] {
		t.Fatalf("want the pieces on two partitions, got %v", parts)
	}
	// mean 100: the index partitions hold 75 of index and get 25 of records
	for p, w := range plan.RecordWeights {
		want := uint64(100)
		if uint32(p) == parts[0] || uint32(p) == parts[1] {
			want = 25
		}
		if got := float64(w) * 800 / weightScale; got < float64(want)-1 || got > float64(want)+1 {
			t.Errorf("partition %d: record weight %.1f of 800, want %d", p, got, want)
		}
	}
}

// TestPlanPiecesAdjacent: two pieces of one index on one partition are
// neighbours, so that the partition holds one range of the index (two
// ranges around another partition's piece would overlap its span).
func TestPlanPiecesAdjacent(t *testing.T) {
	s := &tableSample{record: 5, chunks: 8, indexes: []*indexSample{{name: "a", bytes: 70}, {name: "b", bytes: 25}}}
	for i := 0; i < 70; i++ {
		s.indexes[0].keys = append(s.indexes[0].keys, sampledKey{suffix: []byte{byte(i)}, bytes: 1})
	}
	for i := 0; i < 25; i++ {
		s.indexes[1].keys = append(s.indexes[1].keys, sampledKey{suffix: []byte{byte(i)}, bytes: 1})
	}
	for _, ip := range planPartitions(3, s).Indexes {
		for i := 1; i < len(ip.Partitions); i++ {
			if ip.Partitions[i] < ip.Partitions[i-1] {
				t.Errorf("index %s pieces on partitions %v: not in order", ip.Name, ip.Partitions)
			}
		}
	}
}
