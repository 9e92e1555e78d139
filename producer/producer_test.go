package producer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lightstream-io/lightstream/internal/golden"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/schemas"
)

func sakilaDir(t *testing.T) string { return golden.Shared(t, "corpora", "sakila") }

func TestPlanSakila(t *testing.T) {
	dir := sakilaDir(t)
	cfg := Config{ImportID: "plan", Dump: dir, Kafka: kafkaio.Config{Brokers: []string{"127.0.0.1:1"}}, ChunkSize: 256 << 10, KVPartitions: 3, PartitionBytes: 1 << 20}
	p, err := MakePlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var expected []struct {
		Table string `json:"table"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "..", "sakila-expected-checks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &expected); err != nil {
		t.Fatal(err)
	}
	if len(p.Manifests) != len(expected) {
		t.Fatalf("%d manifests, want %d tables", len(p.Manifests), len(expected))
	}
	seen := map[string]bool{}
	for i, mf := range p.Manifests {
		if mf.TableCount != uint32(len(expected)) || mf.TableOrdinal != uint32(i) {
			t.Errorf("%s: table count %d ordinal %d", mf.Table, mf.TableCount, mf.TableOrdinal)
		}
		if mf.SchemaSql == "" || mf.DbSchemaSql == "" {
			t.Errorf("%s: schema text missing", mf.Table)
		}
		if want := uint32(kvPartitions(mf.SourceBytes, 1<<20, 3)); mf.KvTopic != schemas.KVTopic("plan", "sakila", mf.Table) || mf.KvPartitions != want {
			t.Errorf("%s: topic %s partitions %d", mf.Table, mf.KvTopic, mf.KvPartitions)
		}
		if len(mf.ChunkIds) != len(p.Chunks[i]) {
			t.Fatalf("%s: %d chunk ids for %d chunks", mf.Table, len(mf.ChunkIds), len(p.Chunks[i]))
		}
		var bytes int64
		prevMax := int64(0)
		for j, c := range p.Chunks[i] {
			if seen[c.Id] {
				t.Errorf("chunk id %s repeats", c.Id)
			}
			seen[c.Id] = true
			if c.Ordinal != uint32(j) || c.TotalChunks != uint32(len(p.Chunks[i])) || c.Id != mf.ChunkIds[j] {
				t.Errorf("%s: chunk %d ordinal %d/%d id %s", mf.Table, j, c.Ordinal, c.TotalChunks, c.Id)
			}
			if c.RowIdBase < prevMax {
				t.Errorf("%s: row-ID range of chunk %d starts at %d, before the previous end %d", mf.Table, j, c.RowIdBase, prevMax)
			}
			prevMax = c.RowIdMax
			if _, err := os.Stat(filepath.Join(dir, c.File)); err != nil {
				t.Errorf("chunk file %s: %v", c.File, err)
			}
			bytes += c.SourceBytes
		}
		if bytes != mf.SourceBytes {
			t.Errorf("%s: chunk bytes %d, manifest %d", mf.Table, bytes, mf.SourceBytes)
		}
	}
	// rental is split into several chunks at this chunk size.
	for i, mf := range p.Manifests {
		if mf.Table == "rental" && len(p.Chunks[i]) < 6 {
			t.Errorf("rental has %d chunks at a 256 KiB chunk size", len(p.Chunks[i]))
		}
	}
	// The same dump always gives the same plan.
	q, err := MakePlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Chunks {
		for j := range p.Chunks[i] {
			if p.Chunks[i][j].String() != q.Chunks[i][j].String() {
				t.Fatalf("plan is not deterministic at %s", p.Chunks[i][j].Id)
			}
		}
	}
}

func TestPlanErrors(t *testing.T) {
	if _, err := MakePlan(Config{Dump: "/nonexistent", Kafka: kafkaio.Config{Brokers: []string{"x:1"}}}); err == nil {
		t.Fatal("missing dump directory accepted")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "db.t.000000000.sql"), []byte("INSERT INTO t VALUES (1);"), 0o644)
	if _, err := MakePlan(Config{Dump: dir, Kafka: kafkaio.Config{Brokers: []string{"x:1"}}}); err == nil {
		t.Fatal("data without a schema file accepted")
	}

	// A directory with no table would leave the import waiting forever
	// for a table manifest: it is refused, saying why.
	kc := kafkaio.Config{Brokers: []string{"x:1"}}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "post-load.sql"), []byte("CREATE VIEW v AS SELECT 1;"), 0o644)
	_, err := MakePlan(Config{Dump: empty, Kafka: kc})
	if !errors.Is(err, ErrNoTables) || !strings.Contains(err.Error(), "1 file(s) not imported") {
		t.Fatalf("dump without tables: %v", err)
	}
	sakila := sakilaDir(t)
	_, err = MakePlan(Config{Dump: sakila, Kafka: kc, Filter: []string{"nosuchdb.*"}})
	if err == nil || !strings.Contains(err.Error(), `the filter "nosuchdb.*" matches none of its tables`) {
		t.Fatalf("filter matching nothing: %v", err)
	}
}

func TestKVPartitions(t *testing.T) {
	for _, c := range []struct {
		size int64
		want int
	}{{0, 1}, {1, 1}, {64 << 20, 1}, {64<<20 + 1, 2}, {1 << 30, 8}, {100 << 30, 8}} {
		if got := kvPartitions(c.size, 64<<20, 8); got != c.want {
			t.Errorf("kvPartitions(%d) = %d, want %d", c.size, got, c.want)
		}
	}
}

// TestPlanCharsets: schema files are decoded with [mydumper]
// character-set before their text goes into the manifests; a data file's
// names that are not UTF-8 (a GBK CSV header read as binary) are a clear
// error naming the file and the key, not a protobuf encoding failure.
func TestPlanCharsets(t *testing.T) {
	enc := simplifiedchinese.GBK.NewEncoder()
	gbk := func(s string) []byte {
		b, err := enc.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	var data strings.Builder
	data.WriteString("编号,名字\n")
	for i := 0; i < 2000; i++ {
		data.WriteString("1,张三\n")
	}
	for name, text := range map[string][]byte{
		"db-schema-create.sql": []byte("CREATE DATABASE db;"),
		"db.t-schema.sql":      gbk("CREATE TABLE t (`编号` INT, `名字` VARCHAR(10));"),
		"db.t.000000000.csv":   gbk(data.String()),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kc := kafkaio.Config{Brokers: []string{"x:1"}}
	p, err := MakePlan(Config{Dump: dir, Kafka: kc, ChunkSize: 4096, Source: dump.Source{CharacterSet: dump.CharsetAuto, DataCharacterSet: dump.CharsetGBK}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Manifests[0].SchemaSql; !strings.Contains(got, "`名字`") {
		t.Errorf("schema %q not decoded", got)
	}
	if len(p.Chunks[0]) < 2 || !slices.Equal(p.Chunks[0][1].Columns, []string{"编号", "名字"}) || p.Chunks[0][1].DataCharacterSet != "gbk" {
		t.Errorf("chunks %d, second %v", len(p.Chunks[0]), p.Chunks[0][1])
	}
	_, err = MakePlan(Config{Dump: dir, Kafka: kc, ChunkSize: 4096, Source: dump.Source{CharacterSet: dump.CharsetAuto}})
	if err == nil || !strings.Contains(err.Error(), "data-character-set") || !strings.Contains(err.Error(), "db.t.000000000.csv") {
		t.Errorf("GBK header read as binary: %v", err)
	}
	for _, cs := range []dump.Charset{dump.CharsetUTF8MB4, dump.CharsetBinary} {
		_, err = MakePlan(Config{Dump: dir, Kafka: kc, Source: dump.Source{CharacterSet: cs}})
		if !errors.Is(err, dump.ErrInvalidEncoding) || !strings.Contains(err.Error(), "db.t-schema.sql") {
			t.Errorf("GBK schema read as %s: %v", cs, err)
		}
	}
}
