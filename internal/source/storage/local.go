package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Local is a dump in a local directory. Its paths are file paths; it
// opens any path, inside its root or not.
type Local struct {
	root string
}

// NewLocal returns the storage of directory dir, which must exist.
func NewLocal(dir string) (*Local, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("dump directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("dump directory %s is not a directory", dir)
	}
	return &Local{root: dir}, nil
}

// LocalDir is the storage of dir without checking it (Walk says when it
// is missing).
func LocalDir(dir string) *Local { return &Local{root: dir} }

// Root implements Storage.
func (l *Local) Root() string { return l.root }

// Join implements Storage.
func (l *Local) Join(name string) string { return filepath.Join(l.root, filepath.FromSlash(name)) }

// Rel implements Storage.
func (l *Local) Rel(path string) (string, error) {
	rel, err := filepath.Rel(l.root, path)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// Walk implements Storage. A symbolic link is read through to its target
// (Entry.Size is the target's); what is not a regular file is reported
// with Entry.Unreadable for the caller to judge.
func (l *Local) Walk(ctx context.Context, fn func(Entry) error) error {
	return filepath.WalkDir(l.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("scan dump %s: %w", l.root, err)
		}
		if path == l.root {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := l.Rel(path)
		ent := Entry{Path: path, Name: rel, Dir: e.IsDir()}
		switch t := e.Type(); {
		case t.IsRegular():
			info, err := e.Info()
			if err != nil {
				return fmt.Errorf("scan dump: %w", err)
			}
			ent.Size = info.Size()
		case t&fs.ModeSymlink != 0:
			info, err := os.Stat(path)
			switch {
			case err != nil:
				target, _ := os.Readlink(path)
				ent.Unreadable = fmt.Errorf("is a symbolic link to %q: %w", target, err)
			case !info.Mode().IsRegular():
				ent.Unreadable = fmt.Errorf("is a link to a %s, not a regular file: %w", kindOf(info.Mode()), ErrNotRegular)
			default:
				ent.Size = info.Size()
			}
		default:
			ent.Unreadable = fmt.Errorf("is a %s, not a regular file: %w", kindOf(t), ErrNotRegular)
		}
		return fn(ent)
	})
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// Size implements Storage.
func (l *Local) Size(_ context.Context, path string) (int64, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("data file %s: %w", path, notFound(err))
	}
	return info.Size(), nil
}

func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// Open implements Storage.
func (l *Local) Open(_ context.Context, path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data file: %w", notFound(err))
	}
	return f, nil
}

// OpenRange implements Storage.
func (l *Local) OpenRange(_ context.Context, path string, start, end int64) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data file: %w", notFound(err))
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek %s to %d: %w", path, start, err)
	}
	return &limitedFile{Reader: io.LimitReader(f, end-start), f: f}, nil
}

type limitedFile struct {
	io.Reader
	f *os.File
}

func (l *limitedFile) Close() error { return l.f.Close() }

// OpenReaderAt implements Storage.
func (l *Local) OpenReaderAt(_ context.Context, path string) (ReaderAt, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data file: %w", notFound(err))
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data file %s: %w", path, err)
	}
	return &localReaderAt{File: f, size: info.Size()}, nil
}

type localReaderAt struct {
	*os.File
	size int64
}

func (r *localReaderAt) Size() int64 { return r.size }
