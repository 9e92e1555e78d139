package store

import (
	"context"
	"encoding/binary"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchSource is sorted record pairs shaped like the TPC-H-like benchmark's
// (19-byte record keys, 150-190-byte row values of words and binary
// fields), about size bytes of them, in batches of the size the embedded
// store takes (BulkBatchBytes).
func benchSource(s *Embedded, size int) [][]Pair {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"quick ", "use ", "solve ", "dogged ", "maintain ", "across ", "express ", "boost ", "ideas ", "nag ", "sauternes ", "hockey "}
	text := make([]byte, 0, 1<<20)
	for len(text) < 1<<20-16 {
		if rng.IntN(2) == 0 {
			text = append(text, words[rng.IntN(len(words))]...)
		} else {
			// Row values are mostly small numbers, dates and DECIMALs in
			// fixed-width fields: Snappy packs such pairs to about 0.37 of
			// their size, as it did the TPC-H-like import's store.
			text = binary.BigEndian.AppendUint64(text, uint64(rng.IntN(1<<20)))
		}
	}
	var batches [][]Pair
	handle := uint64(0)
	for n := 0; n < size; {
		limit := s.BulkBatchBytes(len(batches) == 0)
		var batch []Pair
		for b := 0; b < limit; {
			handle++
			k := binary.BigEndian.AppendUint64(tablePrefix(0), handle^1<<63)
			o := rng.IntN(len(text) - 200)
			v := text[o : o+150+rng.IntN(40)]
			batch = append(batch, Pair{Key: k, Value: v})
			b += len(k) + len(v)
		}
		batches = append(batches, batch)
		for _, p := range batch {
			n += len(p.Key) + len(p.Value)
		}
	}
	return batches
}

// BenchmarkBulkWrite measures the embedded store's bulk path as ingest
// takes it (a source's session: versions encoded, the transaction's
// memtable and tables, the commit) and the
// after-ingest checksum scan over what it wrote, per 64 MiB source:
//
//	go test -run '^$' -bench Bulk -benchtime 5x ./internal/kv/store/
func BenchmarkBulkWrite(b *testing.B) {
	ctx := context.Background()
	for _, name := range []string{"write", "write+checksum"} {
		b.Run(name, func(b *testing.B) {
			s, err := OpenEmbedded(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			dir := s.Dir()
			batches := benchSource(s, benchMB()<<20)
			bytes, pairs := 0, uint64(0)
			for _, batch := range batches {
				for _, p := range batch {
					bytes += len(p.Key) + len(p.Value)
				}
				pairs += uint64(len(batch))
			}
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Every round is a new table (keys prefixed as its own
				// table's), as the import writes each source once.
				prefix := tablePrefix(i)
				release, err := s.AcquireBulk(ctx, 1)
				if err != nil {
					b.Fatal(err)
				}
				sess, err := s.BeginBulk(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, batch := range batches {
					for j := range batch {
						copy(batch[j].Key, prefix)
					}
					if err := sess.BulkWrite(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				if err := sess.Commit(ctx); err != nil {
					b.Fatal(err)
				}
				release()
				if name == "write" {
					continue
				}
				sum, err := s.Checksum(ctx, []KeyRange{{Start: prefix, End: tablePrefix(i + 1)}})
				if err != nil {
					b.Fatal(err)
				}
				if sum.KVs != pairs {
					b.Fatalf("checksum counts %d pairs, wrote %d", sum.KVs, pairs)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(dirBytes(b, dir))/float64(b.N*bytes), "disk/source")
		})
	}
}

// tablePrefix is the record prefix of table id 1000+i (t, the ID, _r).
func tablePrefix(i int) []byte {
	return append(binary.BigEndian.AppendUint64([]byte("t"), uint64(1000+i)^1<<63), "_r"...)
}

// dirBytes is the size of the files under dir.
func dirBytes(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func benchMB() int {
	if n, _ := strconv.Atoi(os.Getenv("BENCH_BULK_MB")); n > 0 {
		return n
	}
	return 64
}
