// Package metrics holds the Prometheus metrics of a lightstream process:
// one registry per process, counters the stages add to as they work, and
// the names documented in the README's Monitoring section. Names follow
// Prometheus' conventions (checked by promlint in the tests): a lightstream_
// prefix, the role next, units in the name (_bytes, _seconds), counters
// ending in _total; labels only where their values are few.
package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
)

// Registry holds this process's metrics, with the Go runtime's and the
// process's own.
var Registry = prometheus.NewRegistry()

func counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	Registry.MustRegister(c)
	return c
}

func histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	Registry.MustRegister(h)
	return h
}

var (
	// byteBuckets spans KV batches and engine flushes: 16 KiB to 64 MiB.
	byteBuckets = prometheus.ExponentialBuckets(16<<10, 4, 7)
	// latencyBuckets spans one produce or one ingest: 1 ms to about 65 s.
	latencyBuckets = prometheus.ExponentialBuckets(0.001, 4, 9)
)

// CoordinatorMetrics are the names of the import's progress metrics, which
// the coordinator (import and the coordinator role) serves from its own
// record at scrape time.
var CoordinatorMetrics = []string{
	"lightstream_rows_encoded_total", "lightstream_source_bytes", "lightstream_source_bytes_encoded_total",
	"lightstream_tables_verified_total", "lightstream_chunks", "lightstream_chunks_encoded_total",
	"lightstream_partitions", "lightstream_partitions_ingested_total",
}

// Producer.
var (
	ChunksPublished      = counter("lightstream_producer_chunks_published_total", "Chunk messages the producer published.")
	SourceBytesPublished = counter("lightstream_producer_source_bytes_total", "Source bytes of the chunks the producer published.")
)

// Encoder.
var (
	SourceBytesRead = counter("lightstream_encoder_source_bytes_read_total", "Source bytes the encoders have parsed, counted as rows are read (not per finished chunk).")
	RowsEncoded     = counter("lightstream_encoder_rows_encoded_total", "Rows the encoders turned into KV pairs (or SQL batches), counted every 256 rows and at each chunk's end (a logical batch's rows when it is produced).")
	RowsRejected    = counter("lightstream_encoder_rows_rejected_total", "Rows the encoders rejected (recorded in the rejects file under --max-error).")
	ChunksEncoded   = counter("lightstream_encoder_chunks_encoded_total", "Chunks the encoders finished (their end-of-chunk markers acknowledged).")
	KVPairsProduced = counter("lightstream_encoder_kv_pairs_produced_total", "KV pairs the encoders produced to KV topics.")
	KVBytesProduced = counter("lightstream_encoder_kv_bytes_produced_total", "Bytes of keys and values the encoders produced to KV topics.")
	KVBatchBytes    = histogram("lightstream_encoder_kv_batch_bytes", "Size of the KV batch messages the encoders produce.", byteBuckets)
	ProduceSeconds  = histogram("lightstream_encoder_produce_duration_seconds", "Time one produce call of KV batches took, retries included.", latencyBuckets)
)

// Sorter and ingest.
var (
	KVPairsReceived    = counter("lightstream_sorter_kv_pairs_received_total", "KV pairs the sorters consumed from KV topics (each attempt's pairs once).")
	EngineBytesWritten = counter("lightstream_sorter_engine_bytes_written_total", "Bytes the sorters wrote into sorted engine runs.")
	PartitionsIngested = counter("lightstream_sorter_partitions_ingested_total", "Table partitions whose engine was ingested into the store.")
	IngestKVPairs      = counter("lightstream_ingest_kv_pairs_total", "KV pairs written into the store by ingests.")
	IngestBytes        = counter("lightstream_ingest_bytes_total", "Bytes of keys and values written into the store by ingests.")
	IngestSeconds      = histogram("lightstream_ingest_duration_seconds", "Time one engine's ingest into the store took.", latencyBuckets)
)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// CheckName returns what is wrong with a lightstream metric's name for its
// type, or "": lightstream_ prefix, lower-case words, counters and only
// counters ending in _total.
func CheckName(name string, typ dto.MetricType) string {
	if !strings.HasPrefix(name, "lightstream_") {
		return "no lightstream_ prefix"
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return "not lower-case words joined by _"
		}
	}
	total := strings.HasSuffix(name, "_total")
	switch {
	case typ == dto.MetricType_COUNTER && !total:
		return "a counter whose name does not end in _total"
	case typ != dto.MetricType_COUNTER && total:
		return "a " + strings.ToLower(typ.String()) + " whose name ends in _total (only counters do)"
	}
	return ""
}

// Value reads a counter of this process (the import's own progress
// display reads the encoders' live counters this way).
func Value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}
