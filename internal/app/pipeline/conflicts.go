package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/importid"
	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/kv/conflict"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/state/tidbcatalog"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
	"github.com/lightstream-io/lightstream/sorter"
)

// ConflictsFile is the conflicts report in the work directory: one JSON
// object per duplicate key (ConflictRecord), table by table in key order,
// at most conflict.max-record-rows per table.
const ConflictsFile = "conflicts.jsonl"

// ConflictRecord is one duplicate key of the conflicts report.
type ConflictRecord struct {
	DB    string `json:"db"`
	Table string `json:"table"`
	// Key names the key: "PRIMARY (handle)" or "index <name> (values)";
	// RawKey is its bytes in hex.
	Key    string            `json:"key"`
	RawKey string            `json:"raw_key"`
	Rows   []ConflictRow     `json:"rows"`
	Reason conflict.Strategy `json:"strategy"`
}

// ConflictRow is one row holding a duplicate key, in dump order.
type ConflictRow struct {
	// Source is the row's file (relative to the dump) and byte offset.
	Source string `json:"source"`
	// Row is the row as the dump gives it (MySQL text: a VALUES tuple, or
	// a CSV record).
	Row string `json:"row"`
	// Kept says whether the row is in the table after resolution (replace,
	// ignore); always false with error, which stops.
	Kept bool `json:"kept"`
}

// writeConflictsReport reads the import's conflicts topic and writes
// <work dir>/conflicts.jsonl; it returns the records written.
func writeConflictsReport(ctx context.Context, cfg Config, kcfg kafkaio.Config, dumpDir string, st checkpoint.State) (int, error) {
	if err := cfg.Conflict.Adjust(); err != nil {
		return 0, err
	}
	manifests, err := importid.Manifests(ctx, kcfg, cfg.ImportID)
	if err != nil {
		return 0, err
	}
	reports, err := readConflictsTopic(ctx, kcfg, cfg.ImportID)
	if err != nil {
		return 0, err
	}
	path := filepath.Join(cfg.WorkDir, ConflictsFile)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("conflicts report: %w", err)
	}
	defer os.Remove(tmp)
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	topics := make([]string, 0, len(manifests))
	for t := range manifests {
		topics = append(topics, t)
	}
	slices.Sort(topics)
	records := 0
	var sqlRows []tidbcatalog.ConflictRow
	for _, topic := range topics {
		mf := manifests[topic]
		groups := conflict.Merge(reports[topic])
		if len(groups) == 0 {
			continue
		}
		var losers map[conflict.Pos]bool
		if cfg.Conflict.Strategy == conflict.Replace || cfg.Conflict.Strategy == conflict.Ignore {
			if losers, err = conflict.Resolve(cfg.Conflict.Strategy, groups); err != nil {
				return records, err
			}
		}
		for i, g := range groups {
			if cfg.Conflict.MaxRecordRows > 0 && int64(i) >= cfg.Conflict.MaxRecordRows {
				break
			}
			rec := ConflictRecord{DB: mf.Db, Table: mf.Table, Key: conflict.DescribeKey(g.Key, indexNames(st, mf.Db, mf.Table)), RawKey: fmt.Sprintf("%x", g.Key), Reason: cfg.Conflict.Strategy}
			index, keyData, _ := strings.Cut(strings.TrimPrefix(rec.Key, "index "), " ")
			for _, h := range g.Holders {
				row := ConflictRow{Source: sorter.RowSource(mf, h.Pos), Kept: losers != nil && !losers[h.Pos]}
				path := ""
				if h.Pos != conflict.StorePos && int(h.Pos.Chunk) < len(mf.ChunkFiles) {
					path = mf.ChunkFiles[h.Pos.Chunk]
					row.Row = rowText(filepath.Join(dumpDir, path), h.Pos.Offset)
				}
				rec.Rows = append(rec.Rows, row)
				sqlRows = append(sqlRows, tidbcatalog.ConflictRow{Table: "`" + mf.Db + "`.`" + mf.Table + "`", Index: index, KeyData: keyData,
					RawKey: g.Key, Path: path, Offset: h.Pos.Offset, RowData: row.Row, Error: rowFate(cfg.Conflict.Strategy, row.Kept)})
			}
			if err := enc.Encode(rec); err != nil {
				return records, err
			}
			records++
		}
	}
	if err := w.Flush(); err != nil {
		return records, err
	}
	if err := f.Close(); err != nil {
		return records, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return records, err
	}
	if r, ok := cfg.Catalog.(conflictRecorder); ok {
		// As Lightning's lightning_task_info.conflict_records; the task is
		// the import's first start.
		if err := r.RecordConflicts(ctx, st.Started.UnixMicro(), sqlRows); err != nil {
			return records, err
		}
	}
	return records, nil
}

// conflictRecorder is a catalog that keeps conflicting rows (the TiDB
// catalog).
type conflictRecorder interface {
	RecordConflicts(ctx context.Context, taskID int64, rows []tidbcatalog.ConflictRow) error
}

// rowFate says in words what became of a row holding a duplicate key.
func rowFate(s conflict.Strategy, kept bool) string {
	switch {
	case s == conflict.Error:
		return `duplicate key: the import stopped (conflict.strategy = "error")`
	case kept:
		return "kept"
	case s == conflict.Replace:
		return `replaced: a row later in the dump holds the key (conflict.strategy = "replace")`
	}
	return `ignored: a row earlier in the dump holds the key (conflict.strategy = "ignore")`
}

// readConflictsTopic reads the conflicts topic to its end: every
// partition's reports, by KV topic, each part once.
func readConflictsTopic(ctx context.Context, kcfg kafkaio.Config, importID string) (map[string][]*lsv1.DuplicateKeys, error) {
	topic := schemas.Topic(importID, schemas.ConflictsSuffix)
	end, err := topiclog.EndOffset(ctx, kcfg, topic)
	if err != nil || end == 0 {
		return nil, err
	}
	type part struct {
		topic                 string
		round, partition, seq uint32
	}
	seen := map[part]bool{}
	out := map[string][]*lsv1.DuplicateKeys{}
	err = topiclog.Follow(ctx, kcfg, topic, func(m kafkaio.Message) error {
		var r lsv1.DuplicateKeys
		if err := proto.Unmarshal(m.Value, &r); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		k := part{string(m.Key), r.Round, r.Partition, r.Part}
		if !seen[k] {
			seen[k] = true
			out[k.topic] = append(out[k.topic], &r)
		}
		if m.Offset+1 >= end {
			return topiclog.ErrStop
		}
		return nil
	})
	return out, err
}

// rowText reads the row starting at offset of a dump file: a VALUES tuple
// "(...)" up to its closing parenthesis, or a CSV record up to its line's
// end (quotes and backslash escapes respected); at most 64 KiB. A file it
// cannot read (compressed, gone) gives "".
func rowText(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, err := f.ReadAt(buf, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	buf = buf[:n]
	tuple := len(buf) > 0 && buf[0] == '('
	var quote byte
	depth := 0
	for i := 0; i < len(buf); i++ {
		c := buf[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case tuple && c == '(':
			depth++
		case tuple && c == ')':
			if depth--; depth == 0 {
				return string(buf[:i+1])
			}
		case !tuple && (c == '\n' || c == '\r'):
			return string(buf[:i])
		}
	}
	return string(buf)
}

// reportConflicts writes the conflicts report after an import that
// detected conflicts, even a failed one (strategy error, threshold): the
// report says why.
func reportConflicts(ctx context.Context, cfg Config, kcfg kafkaio.Config, dumpDir string, st checkpoint.State) {
	if !cfg.Conflict.Enabled() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := writeConflictsReport(ctx, cfg, kcfg, dumpDir, st); err != nil {
		logger(cfg).Warn("conflicts report", "err", err)
	}
}

// indexNames maps a table's index ids to their names, from the model the
// checkpoint keeps (nil: unknown).
func indexNames(st checkpoint.State, db, table string) func(int64) string {
	t := st.Tables[checkpoint.Key(db, table)]
	if t == nil || len(t.Model) == 0 {
		return nil
	}
	var m tablemodel.Table
	if err := json.Unmarshal(t.Model, &m); err != nil {
		return nil
	}
	return func(id int64) string {
		for _, idx := range m.Indexes {
			if idx.ID == id {
				return idx.Name
			}
		}
		return ""
	}
}

// completeConflictsReport writes the conflicts report of a complete
// import whose run was killed after the import completed and before the
// report was written.
func completeConflictsReport(ctx context.Context, cfg Config, st checkpoint.State, dumpDir string) {
	if !cfg.Conflict.Enabled() {
		return
	}
	if _, err := os.Stat(filepath.Join(cfg.WorkDir, ConflictsFile)); err == nil {
		return
	}
	kcfg, _, closeAll, err := openRuntime(ctx, cfg)
	if err != nil {
		logger(cfg).Warn("conflicts report", "err", err)
		return
	}
	defer closeAll()
	reportConflicts(ctx, cfg, kcfg, dumpDir, st)
}

func logger(cfg Config) *slog.Logger {
	if cfg.Logger != nil {
		return cfg.Logger
	}
	return slog.Default()
}
