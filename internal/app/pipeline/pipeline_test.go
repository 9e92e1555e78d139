package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/source/dump"
)

func TestValidateDefaults(t *testing.T) {
	c := Config{Dump: "d"}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	if c.WorkDir != "lightstream-work" || c.Encoders != 2 || c.Sorters != 2 || c.EngineDir != EngineDir("lightstream-work") || c.Logger == nil {
		t.Fatalf("defaults: %+v", c)
	}
	if c.CSV.Separator != "," {
		t.Fatalf("CSV defaults to Lightning's [mydumper.csv]: %+v", c.CSV)
	}
	if err := (&Config{}).validate(); err == nil {
		t.Fatal("a config without a dump validated")
	}
	// Layout of a work directory.
	if StoreDir("w") != filepath.Join("w", "store") || BrokerDir("w") != filepath.Join("w", "broker") || CheckpointPath("w") != filepath.Join("w", "checkpoint.json") {
		t.Fatal("work directory layout changed")
	}
}

// TestSelection: what a checkpoint records of the filter and routes, so
// that a resume with others is refused.
func TestSelection(t *testing.T) {
	if s := selection(nil, nil); s != "default" || describeSelection(s) != "the default filter and no routes" {
		t.Fatalf("default selection: %q", s)
	}
	s := selection([]string{"shop.*", "!shop.tmp"}, []dump.Route{{SchemaPattern: "shard_*", TablePattern: "orders_*", TargetSchema: "shop", TargetTable: "orders"}})
	if want := "filter shop.*; filter !shop.tmp; route shard_*.orders_*=shop.orders"; s != want || describeSelection(s) != want {
		t.Fatalf("selection %q, want %q", s, want)
	}
	if selection([]string{"a.*"}, nil) == selection([]string{"b.*"}, nil) {
		t.Fatal("two filters record the same selection")
	}
}

func TestStoreOptions(t *testing.T) {
	embedded, cluster := StoreConfig{}, StoreConfig{PD: []string{"pd:2379"}}
	if embedded.External() || !cluster.External() {
		t.Fatal("External")
	}
	if o := IngestOptions(embedded, ingest.Options{}); o.Mode != ingest.ModeAuto || !o.Bulk {
		t.Errorf("embedded store: %+v, want auto mode with the bulk path", o)
	}
	if o := IngestOptions(embedded, ingest.Options{Mode: ingest.ModeTxn}); o.Bulk {
		t.Errorf("embedded store with --ingest txn: %+v, want transactions", o)
	}
	if o := IngestOptions(cluster, ingest.Options{}); o.Bulk || o.Mode != ingest.ModeAuto {
		t.Errorf("cluster: %+v", o)
	}
	if !SpanChecksums(embedded) || SpanChecksums(cluster) {
		t.Error("span checksums are the embedded store's")
	}
}
