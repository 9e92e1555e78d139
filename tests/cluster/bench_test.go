package cluster

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/lightstream-io/lightstream/ingest"
	"github.com/lightstream-io/lightstream/internal/kv/store"
)

// benchPairs and benchValueBytes size one ingested engine: 100k row-like
// pairs of 19-byte record keys and 100-byte values (~12 MB).
const (
	benchPairs      = 100_000
	benchValueBytes = 100
)

// recordSource yields record keys t{tableID}_r{i} in order, like an engine.
type recordSource struct {
	tableID int64
	n       int
}

func (s recordSource) Iterate(ctx context.Context, fn func(k, v []byte) error) error {
	k := make([]byte, 0, 19)
	v := make([]byte, benchValueBytes)
	v[0] = 0x80
	for i := range s.n {
		k = binary.BigEndian.AppendUint64(append(k[:0], 't'), uint64(s.tableID)^1<<63)
		k = binary.BigEndian.AppendUint64(append(k, '_', 'r'), uint64(i)^1<<63)
		v[1] = byte(i)
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// BenchmarkClusterIngest ingests one engine per iteration into a
// `lightstream store` process through PD, physically (ImportSST Write +
// MultiIngest) and through transactions, and reports MB/s of key+value
// and keys/s.
//
//	go test ./tests/cluster -run '^$' -bench ClusterIngest -benchtime 3x
func BenchmarkClusterIngest(b *testing.B) {
	for _, mode := range []ingest.Mode{ingest.ModePhysical, ingest.ModeTxn} {
		b.Run(string(mode), func(b *testing.B) {
			_, pd := startStore(b)
			st, err := store.OpenCluster([]string{pd}, store.ClusterOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			var total ingest.Stats
			b.ResetTimer()
			for i := range b.N {
				stats, err := ingest.Ingest(ctx, st, recordSource{tableID: int64(2000 + i), n: benchPairs}, ingest.Options{Mode: mode})
				if err != nil {
					b.Fatal(err)
				}
				if stats.Mode != mode {
					b.Fatalf("ingested in %s mode", stats.Mode)
				}
				total.Pairs += stats.Pairs
				total.Bytes += stats.Bytes
				total.Elapsed += stats.Elapsed
			}
			b.StopTimer()
			b.SetBytes(int64(total.Bytes) / int64(b.N))
			b.ReportMetric(total.MBPerSec(), "MB/s")
			b.ReportMetric(total.PairsPerSec(), "keys/s")
		})
	}
}
