// Package coordinator runs an import's lifecycle, as TiDB Lightning does:
// import mode on, create schemas, track every chunk and table partition to
// completion, compare each table's source checksum with what the store
// holds, analyze, compact, normal mode. Every step is recorded in the
// checkpoint, so a restarted coordinator carries on where it stopped; its
// view of chunk and partition progress is rebuilt from the events topic,
// which it reads from the start.
package coordinator

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Step names recorded in the checkpoint.
const (
	StepImportMode = "import-mode"
	StepSchemas    = "create-schemas"
	StepCompact    = "compact"
	StepNormalMode = "normal-mode"
	StepAnalyze    = "analyze"
	StepChecksum   = "checksum"
	StepSchema     = "schema"
)

// Config is what the coordinator needs.
type Config struct {
	// ImportID names the import's topics; required, and on a resumed
	// checkpoint the one it records.
	ImportID string
	// WaitForImport bounds the wait for the import's manifests topic
	// (default importid.DefaultWait; see importid.Await).
	WaitForImport time.Duration
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Store is the target store.
	Store store.Store
	// Catalog creates tables (default EmbeddedCatalog).
	Catalog Catalog
	// Cluster is the target's SQL layer (TiDB) for the steps around the
	// import that need one: scheduler pause, ADMIN CHECKSUM, rebase,
	// ANALYZE. nil: a Catalog that is also a Cluster serves as one;
	// otherwise there is none (the store is checksummed directly, there
	// is nothing to rebase or analyze).
	Cluster Cluster
	// Checkpoint records progress; required.
	Checkpoint *checkpoint.File
	// SQLMode and TimeZone are the session settings values are converted
	// with (defaults: the empty sql_mode, which converts as TiDB
	// Lightning's default ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER does, not
	// strict; "+00:00"). "" is the empty mode, as Lightning's sql-mode = "".
	SQLMode  string
	TimeZone string
	// Incremental imports into tables that already hold rows: the
	// empty-table pre-check is skipped for those tables only, and their
	// checksum before the import is recorded (incremental.go).
	Incremental bool
	// Logger receives the coordinator's log (nil: slog.Default()); its
	// records carry role=coordinator and, per table, table=db.name.
	Logger *slog.Logger
	// ImportModeRefresh is how often the store is switched to import mode
	// again while importing (default DefaultImportModeRefresh; negative:
	// never).
	ImportModeRefresh time.Duration
	// Logical, when set, makes this a logical import (--backend tidb):
	// published with every table's schema, it tells the encoders to write
	// SQL batches, which the writer group executes; the Cluster then
	// checksums with a query (tidbcatalog.Logical).
	Logical *lsv1.LogicalImport
	// Verified, when set, is called once a table is verified and recorded
	// as done, with its manifest (--kv-retention none frees its KV topic
	// then). It runs in the verifying goroutine: keep it short, and let it
	// log its own failures (nothing is lost if it does nothing).
	Verified func(ctx context.Context, mf *lsv1.TableManifest)
}

func (c *Config) validate() error {
	if err := importid.Require("coordinator", c.ImportID); err != nil {
		return err
	}
	if c.Store == nil {
		return errors.New("coordinator: no store")
	}
	if c.Checkpoint == nil {
		return errors.New("coordinator: no checkpoint")
	}
	if c.Catalog == nil {
		c.Catalog = defaultCatalog(c.Store)
	}
	if c.Cluster == nil {
		c.Cluster, _ = c.Catalog.(Cluster)
	}
	if c.TimeZone == "" {
		c.TimeZone = "+00:00"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("role", "coordinator")
	if c.ImportModeRefresh == 0 {
		c.ImportModeRefresh = DefaultImportModeRefresh
	}
	return nil
}

type tableState struct {
	manifest  *lsv1.TableManifest
	tableID   int64
	ids       []int64 // physical IDs: the partitions', or tableID
	chunks    map[string]*lsv1.ChunkEncoded
	parts     map[uint32]*lsv1.PartitionIngested
	status    checkpoint.Status
	source    checkpoint.Checksum
	stored    checkpoint.Checksum
	rows      uint64
	counts    rowCounts // rows parsed, encoded, rejected (rowcount.go)
	encBytes  int64
	lastError string
	// sorted and ingested: the latest partition's engine-complete and
	// ingest-done times.
	sorted, ingested time.Time
}

// Coordinator runs one import's lifecycle.
type Coordinator struct {
	cfg Config

	mu     sync.Mutex
	tables map[string]*tableState // by checkpoint.Key
	count  int                    // tables in the import, from the manifests
	claims claimHolder            // tables held in the store's catalog
}

// New validates cfg and returns a coordinator.
func New(cfg Config) (*Coordinator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Coordinator{cfg: cfg, tables: map[string]*tableState{}}, nil
}
