package dump

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// localFiles reads local paths, for the functions that take no storage.
var localFiles = storage.LocalDir("")

// orLocal is st, or the local file system when st is nil.
func orLocal(st storage.Storage) storage.Storage {
	if st == nil {
		return localFiles
	}
	return st
}

// Open opens a local data file and returns its decompressed content.
func Open(path string, c Compression) (io.ReadCloser, error) { return OpenIn(nil, path, c) }

// OpenIn opens a data file of a storage (nil: local) and returns its
// decompressed content, read whole. Snappy files are in the framed
// format, which is what Lightning's storage layer reads
// (snappy.NewReader).
func OpenIn(st storage.Storage, path string, c Compression) (io.ReadCloser, error) {
	// Readers of a chunk have no context: closing the reader ends the
	// storage's reads.
	f, err := orLocal(st).Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	r, err := decompress(bufio.NewReaderSize(f, 64<<10), c)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s file %s: %w", c, path, err)
	}
	return &readCloser{Reader: r, close: func() error {
		if cl, ok := r.(io.Closer); ok {
			cl.Close()
		}
		return f.Close()
	}}, nil
}

func decompress(r io.Reader, c Compression) (io.Reader, error) {
	switch c {
	case CompressionNone:
		return r, nil
	case CompressionGzip:
		return gzip.NewReader(r)
	case CompressionZstd:
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return &zstdReader{d}, nil
	case CompressionSnappy:
		return snappy.NewReader(r), nil
	}
	return nil, fmt.Errorf("unknown compression %d", c)
}

type zstdReader struct{ *zstd.Decoder }

func (z *zstdReader) Close() error { z.Decoder.Close(); return nil }

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// OpenRange returns bytes [start, end) of an uncompressed local file, or
// the whole decompressed content of a compressed one (such a file is
// always a single chunk).
func OpenRange(path string, c Compression, start, end int64) (io.ReadCloser, error) {
	return OpenRangeIn(nil, path, c, start, end)
}

// OpenRangeIn is OpenRange of a file of a storage (nil: local).
func OpenRangeIn(st storage.Storage, path string, c Compression, start, end int64) (io.ReadCloser, error) {
	if c != CompressionNone {
		return OpenIn(st, path, c)
	}
	return orLocal(st).OpenRange(context.Background(), path, start, end)
}

// CompressionOf returns the compression a file name's suffix says
// (.gz .gzip .zst .zstd .snappy, any case).
func CompressionOf(name string) Compression {
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	c, _ := parseCompression(ext)
	return c
}

// ReadSchemaFile reads a (possibly compressed) local schema file whole.
func ReadSchemaFile(path string) ([]byte, error) { return readSchemaFile(nil, path) }

// ReadFileIn reads a (possibly compressed) file of a storage (nil:
// local) whole, as its bytes.
func ReadFileIn(st storage.Storage, path string) ([]byte, error) { return readSchemaFile(st, path) }

func readSchemaFile(st storage.Storage, path string) ([]byte, error) {
	r, err := OpenIn(st, path, CompressionOf(path))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read schema file %s: %w", path, err)
	}
	return b, nil
}
