// Package tsomark keeps a timestamp allocator's persisted high-water mark:
// the physical time (ms) below which every timestamp handed out so far
// lies, so that a restarted store never goes back in time. The embedded
// store and `lightstream store` share the file format (8 bytes, big-endian).
package tsomark

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Load returns the mark stored at path, or 0 when there is none yet.
func Load(path string) (int64, error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read TSO high-water mark: %w", err)
	case len(b) != 8:
		return 0, fmt.Errorf("read TSO high-water mark %s: %d bytes, want 8", path, len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// Save replaces the mark at path atomically and durably (write, fsync,
// rename).
func Save(path string, window int64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(window))
	if err := WriteFileSync(path, b[:]); err != nil {
		return fmt.Errorf("persist TSO high-water mark: %w", err)
	}
	return nil
}

// WriteFileSync replaces path with data atomically and durably.
func WriteFileSync(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	return err
}
