package producer

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/dump"
	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/rowcodec"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// How many rows the partition plan samples: up to sampleChunks chunks
// spread evenly over the table (sampleParquetChunks for Parquet, whose
// chunks are whole row groups), sampleRows rows from the start of each.
const (
	sampleChunks        = 32
	sampleParquetChunks = 4
	sampleRows          = 256
	// weightScale is what the record weights add up to, about.
	weightScale = 1 << 20
)

// indexSample is what the sample holds of one index: its encoded bytes and
// its keys past t{table}_i{index} with the bytes of each pair.
type indexSample struct {
	name  string
	bytes int64
	keys  []sampledKey
}

type sampledKey struct {
	suffix []byte
	bytes  int64
}

// tableSample is the record and index bytes a sample of a table's rows
// encodes to.
type tableSample struct {
	record  int64
	indexes []*indexSample // in the model's index order
	chunks  int            // chunks the sample drew from
}

// partitionPlan samples the table's rows and plans its partitions
// (planPartitions); nil when the table has one partition or no row could
// be sampled (the layout is then the equal one). The sample is the same
// for the same dump, so a producer planning again makes the same plan.
func partitionPlan(log *slog.Logger, st storage.Storage, mf *lsv1.TableManifest, chunks []*lsv1.Chunk) *lsv1.PartitionPlan {
	if mf.KvPartitions <= 1 || len(chunks) == 0 || strings.TrimSpace(mf.SchemaSql) == "" {
		return nil
	}
	s, err := sampleTable(st, mf, chunks)
	if err != nil || s.record == 0 {
		// Planning is an optimisation: the encoders meet any bad row
		// themselves, with its file and offset.
		log.Info("partition plan: no sample, equal partitions", "table", mf.Db+"."+mf.Table, "err", err)
		return nil
	}
	return planPartitions(int(mf.KvPartitions), s)
}

// sampleTable encodes the first rows of chunks spread over the table with
// a model of the table (ids are the coordinator's to assign: the index
// keys are read past their ids).
func sampleTable(st storage.Storage, mf *lsv1.TableManifest, chunks []*lsv1.Chunk) (*tableSample, error) {
	dbd, err := tablemodel.DatabaseDefaults(mf.Db, mf.DbSchemaSql)
	if err != nil {
		return nil, err
	}
	model, _, err := tablemodel.ParseCreateTable(mf.SchemaSql, dbd, 1)
	if err != nil {
		return nil, err
	}
	sess, err := rowcodec.Session("", "", "", time.Unix(0, 0).UTC())
	if err != nil {
		return nil, err
	}
	rc, err := rowcodec.NewRowCoder(model, sess, rowcodec.Options{})
	if err != nil {
		return nil, err
	}
	s := &tableSample{}
	byID := map[uint64]*indexSample{}
	for _, idx := range model.Indexes {
		is := &indexSample{name: strings.ToLower(idx.Name)}
		s.indexes = append(s.indexes, is)
		byID[uint64(idx.ID)] = is
	}
	want := sampleChunks
	if dump.ChunkFromProtoIn(st, chunks[0]).Format == dump.FormatParquet {
		want = sampleParquetChunks
	}
	want = min(want, len(chunks))
	var pairs kvenc.Pairs
	for i := 0; i < want; i++ {
		ch := chunks[i*len(chunks)/want]
		dc := dump.ChunkFromProtoIn(st, ch)
		rows, err := dc.OpenRows(dump.CSVOptionsFromProto(ch.Csv), ch.NoBackslashEscapes)
		if err != nil {
			return nil, err
		}
		s.chunks++
		for k := int64(1); k <= sampleRows; k++ {
			fields, err := rows.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rows.Close()
				return nil, err
			}
			pairs.Reset()
			if rc.Encode(rows.Columns(), fields, int64(i)<<32+k, &pairs) != nil {
				continue // a row the encoders will reject or report
			}
			for j := 0; j < pairs.Len(); j++ {
				key, n := pairs.Key(j), int64(len(pairs.Key(j))+len(pairs.Value(j)))
				if id, ok := schemas.IndexKeyID(key); ok && byID[id] != nil {
					is := byID[id]
					is.bytes += n
					is.keys = append(is.keys, sampledKey{suffix: bytes.Clone(key[schemas.IndexKeyPrefix:]), bytes: n})
				} else {
					s.record += n
				}
			}
		}
		rows.Close()
	}
	return s, nil
}

// planPartitions spreads a table's pairs over n partitions from the
// sample's proportions: every partition should get the mean m = total/n.
// An index larger than m is cut by key into pieces of at most about m
// (at most one piece per sampled chunk: rows are sampled from chunk
// starts, so a key order that follows the dump's is only known that
// finely); the pieces go, largest first, to the partition with the least
// index bytes; the record segments then fill each partition up to m.
func planPartitions(n int, s *tableSample) *lsv1.PartitionPlan {
	total := float64(s.record)
	for _, is := range s.indexes {
		total += float64(is.bytes)
	}
	mean := total / float64(n)
	type piece struct {
		index, ordinal int
		bytes          float64
	}
	var pieces []piece
	plan := &lsv1.PartitionPlan{}
	var planned []*lsv1.IndexPieces
	for ii, is := range s.indexes {
		if is.bytes == 0 {
			planned = append(planned, nil)
			continue
		}
		k := int(math.Ceil(float64(is.bytes) / mean))
		k = max(1, min(k, n, s.chunks, len(is.keys)))
		ip := &lsv1.IndexPieces{Name: is.name, Splits: splitKeys(is.keys, is.bytes, k)}
		k = len(ip.Splits) + 1
		for o := 0; o < k; o++ {
			pieces = append(pieces, piece{index: ii, ordinal: o, bytes: float64(is.bytes) / float64(k)})
		}
		ip.Partitions = make([]uint32, k)
		planned = append(planned, ip)
	}
	sort.SliceStable(pieces, func(a, b int) bool { return pieces[a].bytes > pieces[b].bytes })
	load := make([]float64, n)
	for _, pc := range pieces {
		p := 0
		for q := 1; q < n; q++ {
			if load[q] < load[p] {
				p = q
			}
		}
		load[p] += pc.bytes
		planned[pc.index].Partitions[pc.ordinal] = uint32(p)
	}
	for _, ip := range planned {
		if ip != nil {
			// The pieces of one index are the same size: in partition order
			// a partition holding two of them holds neighbours, one range.
			slices.Sort(ip.Partitions)
			plan.Indexes = append(plan.Indexes, ip)
		}
	}
	plan.RecordWeights = make([]uint64, n)
	for p := range plan.RecordWeights {
		// Every partition keeps some record share (1% of the mean at
		// least), so that each is fed by some chunk.
		w := uint64(math.Round(max(mean/100, mean-load[p]) / total * weightScale))
		plan.RecordWeights[p] = w
	}
	return plan
}

// splitKeys cuts an index's sampled keys into k pieces of about equal
// bytes, returning the k-1 boundaries (fewer where keys repeat).
func splitKeys(keys []sampledKey, total int64, k int) [][]byte {
	sort.Slice(keys, func(a, b int) bool { return bytes.Compare(keys[a].suffix, keys[b].suffix) < 0 })
	var splits [][]byte
	var cum int64
	next := 1
	for _, key := range keys {
		if next >= k {
			break
		}
		if cum*int64(k) >= total*int64(next) {
			if len(splits) == 0 || bytes.Compare(splits[len(splits)-1], key.suffix) < 0 {
				splits = append(splits, key.suffix)
			}
			next++
		}
		cum += key.bytes
	}
	return splits
}
