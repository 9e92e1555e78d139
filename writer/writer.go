// Package writer is the writer stage of the logical backend (--backend
// tidb): consumer-group members that own partitions of the per-table
// topics, where the encoders put each chunk's rows as SQL batches
// (schemas SQLBatch), and execute them on the target server with a bounded
// pool of connections per member. It takes the sorter's place in the
// dataflow: a partition is done once it holds the end-of-chunk marker of
// every chunk in the table's manifest, and the member reports it with the
// same PartitionIngested event, so the coordinator tracks both backends
// alike.
//
// The log is at-least-once; the writes are effectively once: each batch's
// identity (import, chunk, seq) goes into a progress table in the same
// transaction as its rows, and a batch found there is skipped (batch.go).
// A crash between a batch's rows and its commit loses both; one after the
// commit leaves the record that makes the replay skip it.
package writer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/member"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlliteral"
	"github.com/lightstream-io/lightstream/internal/tidb/sqlmode"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Rejecter records a row the server refused (the encoders' rejects file,
// counted against --max-error) once however often it is refused: the
// row is the index-th of the batch (its chunk and sequence) and starts at
// offset in file. false: over the limit, the import stops.
type Rejecter interface {
	RejectText(batch string, index int, file string, offset int64, reason, row string) bool
}

// Config of one writer member.
type Config struct {
	// ImportID names the import's topics and group; required.
	ImportID string
	// WaitForImport bounds the wait for the import's manifests topic
	// (default importid.DefaultWait).
	WaitForImport time.Duration
	// Kafka reaches the broker.
	Kafka kafkaio.Config
	// Group is the consumer group (default "<import id>.writers").
	Group string
	// Member names this member in events (default host/pid).
	Member string
	// Target is the server the rows go to (user, password, TLS).
	Target tidbcatalog.Config
	// Conns bounds this member's connections to the target, and so the
	// batches it executes at once (default 4).
	Conns int
	// SQLMode is the writers' session sql_mode (the import's; default
	// sqlmode.DefaultText). The session's time_zone is always '+00:00': the
	// encoders write TIMESTAMP values in UTC.
	SQLMode string
	// ForeignKeyChecks keeps the session's foreign_key_checks on: a row
	// whose parent is missing is refused (a reject). Off by default, as
	// dumps load (tables are written in no particular order).
	ForeignKeyChecks bool
	// Rejects receives the rows the server refuses; nil: the first one
	// stops the import.
	Rejects Rejecter
	// TxnBytes bounds the SQL text of consecutive batches committed in one
	// transaction (group.go; default DefaultTxnBytes, 1 MiB; a batch
	// larger than it is a transaction of its own).
	TxnBytes int
	// BeforeCommit, if set, is called with each batch's identity after its
	// rows were sent and before its transaction commits (fault tests).
	BeforeCommit func(chunkID string, seq uint32)
}

// GroupSuffix names the writers' consumer group after the import id.
const GroupSuffix = ".writers"

func (c *Config) validate() error {
	if err := importid.Require("writer", c.ImportID); err != nil {
		return err
	}
	if c.Group == "" {
		c.Group = c.ImportID + GroupSuffix
	}
	if c.Member == "" {
		h, _ := os.Hostname()
		c.Member = fmt.Sprintf("%s/%d/writer", h, os.Getpid())
	}
	if c.Conns <= 0 {
		c.Conns = 4
	}
	if c.TxnBytes <= 0 {
		c.TxnBytes = DefaultTxnBytes
	}
	if c.SQLMode == "" {
		c.SQLMode = sqlmode.DefaultText
	}
	if _, err := sqlmode.Parse(c.SQLMode); err != nil {
		return fmt.Errorf("writer: sql mode: %w", err)
	}
	return c.Kafka.Validate()
}

// Run is one writer group member: it runs until ctx ends or a batch fails
// for good.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := importid.Await(ctx, cfg.Kafka, cfg.ImportID, cfg.WaitForImport); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("writer: %w", err)
	}
	manifests, err := importid.Manifests(ctx, cfg.Kafka, cfg.ImportID)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var topics []string
	for t, mf := range manifests {
		if len(mf.ChunkIds) > 0 {
			topics = append(topics, t)
		}
	}
	if len(topics) == 0 {
		<-ctx.Done()
		return nil
	}
	// The session settings every batch runs with, set once per connection:
	// the import's sql_mode, TIMESTAMPs in UTC (as the encoders write
	// them), foreign key checks as asked.
	fk := "0"
	if cfg.ForeignKeyChecks {
		fk = "1"
	}
	db, err := tidbcatalog.OpenDB(ctx, cfg.Target, cfg.Conns, map[string]string{
		"sql_mode": string(sqlliteral.Renderer{}.AppendQuoted(nil, []byte(cfg.SQLMode))), "time_zone": "'+00:00'", "foreign_key_checks": fk,
	})
	if err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	defer db.Close()
	for _, q := range tidbcatalog.TaskInfoDDL() {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("writer: %s: %w", q, err)
		}
	}
	events, err := topiclog.NewWriter(cfg.Kafka)
	if err != nil {
		return err
	}
	defer events.Close()
	mode, _ := sqlmode.Parse(cfg.SQLMode)
	w := &worker{cfg: cfg, db: db, manifests: manifests, events: events, slots: make(chan struct{}, cfg.Conns),
		buffers: make(chan []byte, cfg.Conns), noBackslash: mode.Has(sqlmode.NoBackslashEscapes)}
	err = member.Run(ctx, member.Config{Kafka: cfg.Kafka, Group: cfg.Group, Topics: topics}, w.claim)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// worker is one writer member's state.
type worker struct {
	cfg         Config
	db          *sql.DB
	manifests   map[string]*lsv1.TableManifest
	events      *topiclog.Writer
	slots       chan struct{} // one per connection: batches in flight
	buffers     chan []byte   // statement buffers, one per connection (takeBuffer)
	noBackslash bool
}

// claim executes the batches of one partition of a table's topic.
func (w *worker) claim(ctx context.Context, c *member.Claim) error {
	mf := w.manifests[c.Topic]
	want := map[string]bool{}
	for _, id := range mf.ChunkIds {
		want[id] = true
	}
	done, err := w.chunksDone(ctx, c.Topic, c.Partition)
	if err != nil {
		return err
	}
	reported := false
	report := func() error {
		if reported || len(done) < len(want) {
			return nil
		}
		reported = true
		return w.events.Append(ctx, schemas.Topic(w.cfg.ImportID, schemas.EventsSuffix), fmt.Sprintf("%s/%d", c.Topic, c.Partition), &lsv1.Event{
			Version: 1, TimeUnixNano: time.Now().UnixNano(), Member: w.cfg.Member,
			Body: &lsv1.Event_PartitionIngested{PartitionIngested: &lsv1.PartitionIngested{
				Db: mf.Db, Table: mf.Table, Partition: uint32(c.Partition), CompleteUnixNano: time.Now().UnixNano(),
			}},
		})
	}
	if err := report(); err != nil {
		return err
	}
	start := c.Committed
	if start < 0 {
		start = kafkaio.FirstOffset
	}
	// Fetches of 1 MiB (about ten batches), not the default 8 MiB: the
	// embedded broker builds a response by appending its batches, and
	// the larger ones cost it more in copies and fresh memory than they
	// save in round trips (the writer is no faster than the server).
	r, err := kafkaio.NewPartitionReader(w.cfg.Kafka, c.Topic, c.Partition, start, kafkaio.ReaderOptions{MaxBytes: 1 << 20})
	if err != nil {
		return err
	}
	defer r.Close()
	// Batches of the partition run concurrently (bounded by the member's
	// connections); a marker waits for all of them.
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
			cancel()
		}
		mu.Unlock()
	}
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
	defer wg.Wait()
	// Consecutive batches go to the server as one group (group.go), at
	// most TxnBytes of SQL, cut at every end-of-chunk marker.
	var group []*batch
	groupSize := 0
	dispatch := func() {
		if len(group) == 0 {
			return
		}
		g := group
		group, groupSize = nil, 0
		select {
		case w.slots <- struct{}{}:
		case <-bctx.Done():
			return // FetchMessage reports why
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-w.slots }()
			if err := w.execGroup(bctx, g); err != nil {
				if len(g) == 1 {
					err = batchError(g[0], err)
				}
				fail(err)
			}
		}()
	}
	for {
		m, err := r.FetchMessage(bctx)
		if err != nil {
			if ferr := failed(); ferr != nil {
				return ferr
			}
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch %s[%d]: %w", c.Topic, c.Partition, err)
		}
		sb, msg, err := decodeMessage(m.Value)
		if err != nil {
			return fmt.Errorf("%s[%d] offset %d: %w", c.Topic, c.Partition, m.Offset, err)
		}
		if sb != nil {
			group = append(group, sb)
			groupSize += sb.size
			if groupSize >= w.cfg.TxnBytes {
				dispatch()
			}
			continue
		}
		switch b := msg.Body.(type) {
		case *lsv1.KVMessage_EndOfChunk:
			dispatch()
			wg.Wait()
			if err := failed(); err != nil {
				return err
			}
			if bctx.Err() != nil {
				return nil // ctx ended: a group may not have run
			}
			id := b.EndOfChunk.ChunkId
			if !done[id] {
				if err := w.chunkDone(bctx, c.Topic, c.Partition, id); err != nil {
					return err
				}
				done[id] = true
			}
			if err := c.Commit(m.Offset + 1); err != nil && ctx.Err() == nil {
				// A lost commit costs a replay of skipped batches only.
				_ = err
			}
			if err := report(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s[%d] offset %d: a KV batch on a logical import's topic (--backend tidb): the topic belongs to a physical import", c.Topic, c.Partition, m.Offset)
		}
	}
}

// chunksDone reads the markers recorded for a partition.
func (w *worker) chunksDone(ctx context.Context, topic string, part int) (map[string]bool, error) {
	q := "SELECT chunk_id FROM " + recordTable(tidbcatalog.ChunksTable) + " WHERE import_id = ? AND topic = ? AND part = ?"
	rows, err := w.db.QueryContext(ctx, q, w.cfg.ImportID, topic, part)
	if err != nil {
		return nil, fmt.Errorf("writer: read markers: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		done[id] = true
	}
	return done, rows.Err()
}

// chunkDone records a marker (idempotent).
func (w *worker) chunkDone(ctx context.Context, topic string, part int, chunk string) error {
	q := "INSERT IGNORE INTO " + recordTable(tidbcatalog.ChunksTable) + " (import_id, chunk_id, part, topic) VALUES (?, ?, ?, ?)"
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if _, err = w.db.ExecContext(ctx, q, w.cfg.ImportID, chunk, part, topic); err == nil || !retriable(err) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("writer: record end of chunk %s: %w", chunk, err)
	}
	return nil
}

// batchError names the batch an error is about.
func batchError(b *batch, err error) error {
	return fmt.Errorf("%s.%s chunk %s batch %d: %w", b.Db, b.Table, b.ChunkId, b.Seq, err)
}

var errLimit = errors.New("more rows refused by the server than --max-error allows")
