package storage_test

import (
	"context"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/storage"
	"github.com/lightstream-io/lightstream/internal/source/storage/fakes3"
)

// BenchmarkRead reads one 64 MiB data file as an encoder reads a chunk,
// from a local directory and from an S3 protocol server on loopback
// (gofakes3 in memory: the figure is the client's ranged-GET path plus
// loopback HTTP, not a real network's), in 8 MiB parts with 2 ahead.
//
//	go test -run '^$' -bench BenchmarkRead -benchtime 10x ./internal/source/storage/
func BenchmarkRead(b *testing.B) {
	const size = 64 << 20
	body := make([]byte, size)
	rand.New(rand.NewSource(1)).Read(body)
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "db.t.000000000.sql"), body, 0o644); err != nil {
		b.Fatal(err)
	}
	srv := fakes3.Start(b)
	srv.CreateBucket(b, "bench")
	srv.Put(b, "bench", "dump/db.t.000000000.sql", body)
	ctx := context.Background()
	s3, err := storage.Open(ctx, srv.Location("bench", "dump"))
	if err != nil {
		b.Fatal(err)
	}
	local, err := storage.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		st   storage.Storage
	}{{"local", local}, {"s3", s3}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			buf := make([]byte, 256<<10)
			for i := 0; i < b.N; i++ {
				r, err := c.st.OpenRange(ctx, c.st.Join("db.t.000000000.sql"), 0, size)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.CopyBuffer(io.Discard, r, buf)
				r.Close()
				if err != nil || n != size {
					b.Fatalf("read %d bytes: %v", n, err)
				}
			}
		})
	}
}
