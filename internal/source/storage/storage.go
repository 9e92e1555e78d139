// Package storage is where a dump's files are read from: a local
// directory or a bucket prefix on S3-compatible object storage. Files are
// named by their path as the user sees it (a local path, or
// s3://bucket/key without the URL's options); a Storage lists and sizes
// them, opens them whole, opens a byte range, or reads them at offsets.
//
// The dump's location is given as Lightning's data-source-dir is: a
// directory, file:// or local://, or s3://bucket/prefix?options. The
// options may carry credentials; Redact removes them from any text shown
// to a person or written to a topic, a checkpoint or a summary.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Storage is a dump's file store.
type Storage interface {
	// Root is the dump's location as shown to a person: a directory, or
	// s3://bucket/prefix with no options (so no credentials).
	Root() string
	// Join returns the path of a slash-separated name under the root.
	Join(name string) string
	// Rel returns the slash-separated name of a path under the root.
	Rel(path string) (string, error)
	// Walk calls fn for every entry under the root, in name order.
	Walk(ctx context.Context, fn func(Entry) error) error
	// Size returns the size of a file in bytes.
	Size(ctx context.Context, path string) (int64, error)
	// Open reads a whole file.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// OpenRange reads bytes [start, end) of a file.
	OpenRange(ctx context.Context, path string, start, end int64) (io.ReadCloser, error)
	// OpenReaderAt reads a file at offsets (Parquet's footer-first
	// reads); the file's size is known up front.
	OpenReaderAt(ctx context.Context, path string) (ReaderAt, error)
}

// ReaderAt reads a file at offsets.
type ReaderAt interface {
	io.ReaderAt
	io.Closer
	// Size is the file's size in bytes.
	Size() int64
}

// Entry is one entry of a Walk.
type Entry struct {
	// Path is the entry's path (Storage.Join of Name).
	Path string
	// Name is the slash-separated name under the root.
	Name string
	// Size of the file in bytes (a symbolic link's target's).
	Size int64
	// Dir marks a directory (local storage only; Walk goes into it).
	Dir bool
	// Unreadable says why the entry is not a regular file that can be
	// read (a directory, a named pipe, a dangling link); nil for a
	// regular file or a link to one. It wraps ErrNotRegular or
	// fs.ErrNotExist.
	Unreadable error
}

// Errors callers branch on, wrapped with the path or URL.
var (
	// ErrNotRegular marks an entry that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrNotFound is a missing bucket, prefix or object.
	ErrNotFound = errors.New("not found")
	// ErrAccessDenied is a request the object store refused: wrong or
	// missing credentials, or no permission.
	ErrAccessDenied = errors.New("access denied")
)

// IsRemote says whether a dump location names object storage rather
// than a local directory.
func IsRemote(location string) bool {
	scheme, _, ok := strings.Cut(location, "://")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "file", "local":
		return false
	}
	return true
}

// Open opens the store a dump location names: s3://bucket/prefix?options,
// file:// or local://, or a directory (which must exist). gcs:// and
// azure:// are refused by name.
func Open(ctx context.Context, location string) (Storage, error) {
	if location == "" {
		return nil, errors.New("no dump location")
	}
	scheme, rest, ok := strings.Cut(location, "://")
	if !ok {
		return NewLocal(location)
	}
	switch strings.ToLower(scheme) {
	case "file", "local":
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("dump location %q: %w", location, err)
		}
		if u.Path == "" {
			// file://relative/dir: the host is the first path element.
			return NewLocal(rest)
		}
		return NewLocal(u.Host + u.Path)
	case "s3":
		opts, err := ParseS3(location)
		if err != nil {
			return nil, err
		}
		return NewS3(ctx, opts)
	case "gs", "gcs", "azure", "azblob":
		return nil, fmt.Errorf("dump %s: %s:// storage is not supported (s3:// and local directories only)", Redact(location), scheme)
	}
	return nil, fmt.Errorf("dump %s: unknown storage scheme %q (s3:// and local directories only)", Redact(location), scheme)
}
