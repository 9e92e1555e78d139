package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/lightstream-io/lightstream/encoder"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/writer"
)

// LogicalConfig is the logical backend (--backend tidb): the encoders
// write SQL batches and writer group members execute them on Target
// instead of sorters ingesting into a store.
type LogicalConfig struct {
	// Target is the server the rows go to.
	Target tidbcatalog.Config
	// OnDuplicate is error, replace or ignore (default error).
	OnDuplicate string
	// BatchBytes and BatchRows bound one statement (defaults 96 KiB and
	// 65536, Lightning's logical-import-batch-size and -rows).
	BatchBytes, BatchRows int
	// Writers are the writer members to run here (default 2; negative:
	// none), Conns each one's connections (default 4).
	Writers, Conns int
	// TxnBytes: writer.Config.TxnBytes (default 1 MiB).
	TxnBytes int
	// ForeignKeyChecks: writer.Config.ForeignKeyChecks.
	ForeignKeyChecks bool
	// BeforeCommit is writer.Config.BeforeCommit (fault tests).
	BeforeCommit func(chunkID string, seq uint32)
}

// MaxLogicalBatchBytes bounds one statement: its rows, their checksums
// and offsets travel in one message of the table's topic.
const MaxLogicalBatchBytes = 768 << 10

func (l *LogicalConfig) validate() error {
	if l.Target.Addr == "" {
		return errors.New("--backend tidb: no target server (--tidb host:port)")
	}
	if _, err := encoder.InsertVerb(l.OnDuplicate); err != nil {
		return err
	}
	if l.BatchBytes <= 0 {
		l.BatchBytes = encoder.DefaultLogicalBatchBytes
	}
	if l.BatchBytes > MaxLogicalBatchBytes {
		return fmt.Errorf("--logical-import-batch-size %d: at most %d (a batch is one Kafka message; the broker takes messages up to 1 MiB)", l.BatchBytes, MaxLogicalBatchBytes)
	}
	if l.BatchRows <= 0 {
		l.BatchRows = encoder.DefaultLogicalBatchRows
	}
	if l.Writers == 0 {
		l.Writers = 2
	}
	if l.Conns <= 0 {
		l.Conns = 4
	}
	return nil
}

// Message is what the coordinator publishes with every table's schema
// (defaults applied; an invalid config is an error).
func (l *LogicalConfig) Message() (*lsv1.LogicalImport, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	return l.message(), nil
}

func (l *LogicalConfig) message() *lsv1.LogicalImport {
	return &lsv1.LogicalImport{OnDuplicate: l.OnDuplicate, BatchBytes: uint32(l.BatchBytes), BatchRows: uint32(l.BatchRows)}
}

// runWriters starts the writer members of a logical import in g.
func runWriters(ctx context.Context, g *errgroup.Group, cfg Config, kcfg kafkaio.Config, rejects *encoder.RejectWriter) {
	host, _ := os.Hostname()
	var rj writer.Rejecter
	if rejects != nil {
		rj = rejects
	}
	for i := 0; i < cfg.Logical.Writers; i++ {
		i := i
		g.Go(func() error {
			return writer.Run(ctx, writer.Config{
				ImportID: cfg.ImportID, Kafka: kcfg, Member: fmt.Sprintf("%s/%d/writer-%d", host, os.Getpid(), i),
				Target: cfg.Logical.Target, Conns: cfg.Logical.Conns, TxnBytes: cfg.Logical.TxnBytes, SQLMode: cfg.SQLMode, Rejects: rj,
				BeforeCommit: cfg.Logical.BeforeCommit, ForeignKeyChecks: cfg.Logical.ForeignKeyChecks,
			})
		})
	}
}
