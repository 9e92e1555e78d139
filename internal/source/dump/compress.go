package dump

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
)

// Open opens a data file and returns its decompressed content. Snappy
// files are in the framed format, which is what Lightning's storage layer
// reads (snappy.NewReader).
func Open(path string, c Compression) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data file: %w", err)
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

// OpenRange returns bytes [start, end) of an uncompressed file, or the
// whole decompressed content of a compressed one (such a file is always a
// single chunk).
func OpenRange(path string, c Compression, start, end int64) (io.ReadCloser, error) {
	if c != CompressionNone {
		return Open(path, c)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data file: %w", err)
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek %s to %d: %w", path, start, err)
	}
	return &readCloser{Reader: io.LimitReader(f, end-start), close: f.Close}, nil
}

// CompressionOf returns the compression a file name's suffix says
// (.gz .gzip .zst .zstd .snappy, any case).
func CompressionOf(name string) Compression {
	ext := strings.TrimPrefix(filepath.Ext(name), ".")
	c, _ := parseCompression(ext)
	return c
}

// ReadSchemaFile reads a (possibly compressed) schema file whole.
func ReadSchemaFile(path string) ([]byte, error) {
	r, err := Open(path, CompressionOf(path))
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
